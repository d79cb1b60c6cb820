"""Every text a template shows is marked for translation (issue 11).

Each template under ``templates/`` is read as a person would see it: ``{% translate %}`` and
``{% blocktranslate %}`` blocks (marked), ``{# #}`` / ``{% comment %}`` / HTML comments,
``<script>`` and ``<style>``, the other template tags and variables, and the tags themselves
are blanked (line numbers kept). What is left, the text nodes plus the attributes a person
sees or hears (``title``, ``aria-label``, ``placeholder``, ``alt``, the ``value`` of an
``<input>`` button), must hold no Latin letter, apart from the short allowlist below. Literal
strings a template passes to what it shows (``|default:"…"``, ``|yesno:"…"``, ``with x="…"``)
count too.
"""

import html
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]

# Words a Chinese page shows as they are, each with why. A shown text passes when each of its
# Latin words is one of these, so a sentence around them is still caught.
ALLOWED_WORDS = {
    "v": "the version mark before a number (“passport.pdf (v2)”, “K v1”), "
    "written the same way in the Chinese interface",
    "CSV": "the name of the file format, the same in Chinese, before the next download link",
    "files/": "the name of the folder inside the “My data” archive, which the summary names",
    "English": 'the language switch names English in English (marked lang="en")',
    "Swagger": "the product name of the API's interactive documentation page (for developers)",
}
# Per-language templates (``reminders/<name>.en.txt`` beside ``<name>.zh-hans.txt``) are English
# by design: the reminder renderer picks the file by the recipient's language
# (cases/reminders/emails.py). Their Chinese siblings are checked like every other template.
PER_LANGUAGE_ENGLISH = re.compile(r"\.en\.(?:txt|html)$")

_TRANSLATE_BLOCK = re.compile(
    r"{%-?\s*block(?:trans|translate)\b.*?{%\s*endblock(?:trans|translate)\s*%}", re.S
)
_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_HTML_COMMENT = re.compile(r"<!--.*?-->|<!DOCTYPE[^>]*>", re.S | re.I)
_TEMPLATE_COMMENT = re.compile(r"{#.*?#}", re.S)
_TEMPLATE_TAG = re.compile(r"{%.*?%}", re.S)
_TEMPLATE_VAR = re.compile(r"{{.*?}}", re.S)
# Literals a template prints: a variable's fallback or yes/no words, an include's argument.
_SHOWN_LITERAL = re.compile(
    r"""{{[^}]*\|(?:default|default_if_none|yesno):("[^"]*"|'[^']*')[^}]*}}"""
    r"""|{%\s*include\b[^%]*?\bwith\b[^%]*?\w+=("[^"]*"|'[^']*')"""
)
_OPEN_ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*[\"'][^\"']*$")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)
_ATTRIBUTE = re.compile(r"([\w:-]+)\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)")
_SEEN_ATTRIBUTES = frozenset({"title", "aria-label", "placeholder", "alt"})
_BUTTON_TYPES = frozenset({"submit", "button", "reset"})
_WORD = re.compile(r"[A-Za-z][A-Za-z/]*")


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _allowed(text: str) -> bool:
    return all(word in ALLOWED_WORDS for word in _WORD.findall(text))


def _shown_here(text: str, at: int, is_html: bool) -> bool:
    """Whether what is written at ``at`` is shown: outside any tag, or in a seen attribute."""
    if not is_html:
        return True
    opened, closed = text.rfind("<", 0, at), text.rfind(">", 0, at)
    if opened <= closed:
        return True
    attribute = _OPEN_ATTRIBUTE.search(text[opened:at])
    return attribute is not None and attribute.group(1).lower() in _SEEN_ATTRIBUTES


def untranslated(source: str, *, is_html: bool) -> list[tuple[int, str]]:
    """(line, text) of every shown text of ``source`` with a Latin word that is neither marked
    for translation nor allowed; see the module's docstring for what is shown."""
    found: list[tuple[int, str]] = []
    text = source
    for pattern in (_COMMENT_BLOCK, _TRANSLATE_BLOCK, _TEMPLATE_COMMENT):
        text = pattern.sub(_blank, text)
    if is_html:
        text = _RAW_TEXT.sub(_blank, _HTML_COMMENT.sub(_blank, text))
    for match in _SHOWN_LITERAL.finditer(text):
        literal = (match.group(1) or match.group(2))[1:-1]
        if not _allowed(literal) and _shown_here(text, match.start(), is_html):
            found.append((text.count("\n", 0, match.start()) + 1, literal))
    text = _TEMPLATE_VAR.sub(_blank, _TEMPLATE_TAG.sub(_blank, text))

    def tag(match: re.Match[str]) -> str:
        name = match.group(2).lower()
        attributes = {k.lower(): v.strip("\"'") for k, v in _ATTRIBUTE.findall(match.group(3))}
        is_button = name == "input" and attributes.get("type", "").lower() in _BUTTON_TYPES
        for key, value in attributes.items():
            seen = key in _SEEN_ATTRIBUTES or (key == "value" and is_button)
            if seen and not _allowed(html.unescape(value)):
                line = text.count("\n", 0, match.start()) + 1
                found.append((line, f'{key}="{value.strip()}"'))
        return _blank(match)

    if is_html:
        text = _TAG.sub(tag, text)
    for number, line in enumerate(text.splitlines(), 1):
        shown = " ".join(html.unescape(line).split())
        if not _allowed(shown):
            found.append((number, shown))
    return sorted(found)


def _templates() -> list[Path]:
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*")
        if path.is_file() and path.suffix in (".html", ".txt")
    )


def test_every_shown_template_string_is_marked_for_translation():
    problems = []
    checked = 0
    for path in _templates():
        relative = path.relative_to(ROOT).as_posix()
        if PER_LANGUAGE_ENGLISH.search(relative):
            continue
        checked += 1
        for line, text in untranslated(
            path.read_text(encoding="utf-8"), is_html=path.suffix == ".html"
        ):
            problems.append(f"{relative}:{line}: {text}")
    assert checked > 50, f"only {checked} templates found under {TEMPLATE_DIRS}"
    assert not problems, (
        "Text shown without {% translate %} / {% blocktranslate %} (mark it and add the "
        "Chinese to the catalogue, or add it to ALLOWED_WORDS with a reason):\n"
        + "\n".join(problems)
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Upload your passport</p>", [(1, "Upload your passport")]),
        ('<input type="submit" value="Send">', [(1, 'value="Send"')]),
        ('<button value="accept">{% translate "Accept" %}</button>', []),
        ('<img alt="Passport photo" src="x.png">', [(1, 'alt="Passport photo"')]),
        (
            '<a title="Help" aria-label="Open help">?</a>',
            [(1, 'aria-label="Open help"'), (1, 'title="Help"')],
        ),
        ('<input placeholder="{% translate "Search" %}" name="q">', []),
        ("{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}", []),
        ("{# Note #}<!-- Note --><script>var a = 1;</script>", []),
        ('{{ value|default:"None" }}', [(1, "None")]),
        ('{{ value|default:"—" }}', []),
        ('{% include "x.html" with label="Name" %}', [(1, "Name")]),
        ("<p>\n  {% translate 'Name' %}:\n  <b>Total</b>\n</p>", [(3, "Total")]),
        ("<td>v</td>", []),
        ('<p class="{{ tag|default:\'info\' }}">{{ x|default:"CSV" }}</p>', []),
        ("<a title=\"{{ t|default:'Help' }}\">", [(1, "Help")]),
        ('{% timezone zone|default:"UTC" %}', []),
    ],
)
def test_the_check_finds_unmarked_text(source, expected):
    assert untranslated(source, is_html=True) == expected


def test_every_allowlisted_text_is_still_used():
    shown = set()
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        shown.update(word for word in ALLOWED_WORDS if word in text)
    assert shown == set(ALLOWED_WORDS), f"remove unused entries: {set(ALLOWED_WORDS) - shown}"
