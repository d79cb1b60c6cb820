"""Python strings shown to users are marked for translation (issue 11).

An AST walk over ``portal/``, ``cases/`` and ``eligibility/`` finds every call that puts a
message in front of a person: ``ValidationError(...)`` (Django's and DRF's), the domain errors
of ``portal/errors.py`` (their ``message`` is shown by views, the API and the admin),
``messages.<level>(request, ...)``, ``ModelAdmin.message_user(request, ...)`` and
``form.add_error(field, ...)``. The message
argument fails the test when it is text written in place: a string literal with letters, an
f-string, or a literal formatted with ``%``, ``+`` or ``.format``. A gettext call (``_``,
``gettext``, ``ngettext``, ``pgettext``, their lazy forms, ``format_lazy``), a name, an
attribute or any other expression passes: the value was translated where it was made.

``Http404("No such case.")`` is left out on purpose: its text is never shown (the 404 page
does not print it, and the API answers every Http404 with DRF's translated "Not found.",
``portal/api/errors.py``).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "cases", "eligibility")

# Callee name -> index of the positional argument that holds the message.
ERRORS = {
    "ValidationError": 0,
    "PortalError": 0,
    "InvalidInput": 0,
    "NotAllowed": 0,
    "TransitionNotAllowed": 0,
    "StaleObject": 0,
    "RateLimited": 0,
    "PdfUnavailable": 0,
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
LETTERS = re.compile(r"[A-Za-z]{2}")


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _message_arg(call: ast.Call) -> ast.expr | None:
    name = _callee(call)
    index: int | None = None
    keyword = "message"
    if name in ERRORS:
        index = ERRORS[name]
    elif name in ("message_user", "add_error"):
        index = 1
    elif (
        isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Name)
        and call.func.value.id == "messages"
    ):
        if call.func.attr in MESSAGE_LEVELS:
            index = 1
        elif call.func.attr == "add_message":
            index = 2
    if index is None:
        return None
    if len(call.args) > index:
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def _written_in_place(node: ast.expr) -> bool:
    """Text typed into the call rather than translated: a literal with letters, an f-string,
    or a literal formatted in place."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(LETTERS.search(node.value))
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _written_in_place(node.left) or _written_in_place(node.right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _written_in_place(node.func.value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_written_in_place(e) for e in node.elts)
    if isinstance(node, ast.Dict):  # {"field": message}: the messages, not the keys
        return any(_written_in_place(v) for v in node.values)
    return False


def unmarked_messages() -> list[str]:
    """``path:line: source`` of every message written in place, sorted."""
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # migrations hold no messages shown to users
            source = path.read_text(encoding="utf-8")
            for node in ast.walk(ast.parse(source)):
                if not isinstance(node, ast.Call):
                    continue
                message = _message_arg(node)
                if message is not None and _written_in_place(message):
                    segment = ast.get_source_segment(source, node)
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {segment}")
    return sorted(found)


def test_messages_shown_to_users_are_marked_for_translation():
    assert unmarked_messages() == []


def test_the_walk_finds_a_message_written_in_place(tmp_path):
    """The checks recognise the forms they forbid (so an empty result means something)."""
    samples = {
        'ValidationError("Enter a date.")': True,
        'forms.ValidationError(f"{x} is wrong")': True,
        'messages.error(request, "Saved.")': True,
        'self.message_user(request, "%s done" % n)': True,
        'InvalidInput("Too big: {}".format(n))': True,
        'serializers.ValidationError({"date": "Enter a date."})': True,
        'form.add_error("date", "Enter a date.")': True,
        'serializers.ValidationError({"date": _("Enter a date.")})': False,
        'ValidationError(_("Enter a date."))': False,
        'messages.success(request, _("Saved."))': False,
        "self.message_user(request, exc.message, messages.ERROR)": False,
        "ValidationError(errors)": False,
        'ValidationError(_("%(n)s left") % {"n": n})': False,
    }
    for code, offends in samples.items():
        call = ast.parse(code, mode="eval").body
        assert isinstance(call, ast.Call)
        message = _message_arg(call)
        assert message is not None, code
        assert _written_in_place(message) is offends, code


def test_a_labelled_message_takes_the_chinese_colon_in_chinese():
    from django.utils import translation

    from portal.text import labelled

    with translation.override("en"):
        assert labelled("K-2026-0001", "Not allowed.") == "K-2026-0001: Not allowed."
    with translation.override("zh-hans"):
        assert labelled("K-2026-0001", "不允许。") == "K-2026-0001：不允许。"
