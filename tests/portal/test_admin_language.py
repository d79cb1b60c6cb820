"""The Django admin speaks Chinese to a firm's admin who prefers it (issue 11).

Two checks:

- Every model of ``portal``, ``cases`` and ``eligibility`` names itself (``verbose_name``,
  ``verbose_name_plural``) and every concrete field its label, help text and choice labels
  through gettext_lazy (a lazy translation proxy: the string was marked for translation), and
  each renders in Chinese under ``zh-hans`` (it contains a CJK ideograph, so the catalogue
  has it). Fields Django's own models bring (``AbstractUser``'s) are held to the same rule:
  Django ships their Chinese. Country choices come translated from django-countries.
- The admin's change lists and change forms of every model of those apps, opened by a
  superuser whose language is Chinese, show Chinese column headers, filter titles, field
  labels, fieldset titles, action names and page titles.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django_countries.fields import CountryField

from tests.factories import AdminFactory
from tests.otp import VerifiedClient, login_verified
from tests.security.test_admin_view_only import populated  # noqa: F401  (fixture)

PROJECT_APPS = ("portal", "cases", "eligibility")
CJK = re.compile(r"[\u4e00-\u9fff]")
# Labels the same in both languages; keep it short. "ID" is Django's label of the automatic
# primary key (a plain string in Django), and reads the same in a Chinese interface.
PROPER_NOUNS: frozenset[str] = frozenset({"ID"})


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def _chinese(value: object) -> str:
    with translation.override("zh-hans"):
        return str(value)


def _problem(where: str, value: object) -> str | None:
    """Why ``value`` (a label shown in the admin) is not a marked, translated string."""
    if not isinstance(value, Promise):
        return f"{where}: {value!r} is not marked for translation (use gettext_lazy)"
    english = str(value)
    if english in PROPER_NOUNS:
        return None
    if not CJK.search(_chinese(value)):
        return f"{where}: {english!r} has no Chinese in the catalogue"
    return None


def model_label_problems() -> list[str]:
    problems: list[str] = [
        _problem(f"app {label} verbose_name", apps.get_app_config(label).verbose_name) or ""
        for label in PROJECT_APPS
    ]
    for model in _project_models():
        opts = model._meta
        problems.append(_problem(f"{opts.label} verbose_name", opts.verbose_name) or "")
        problems.append(
            _problem(f"{opts.label} verbose_name_plural", opts.verbose_name_plural) or ""
        )
        for field in opts.get_fields():
            if not getattr(field, "concrete", False) or field.auto_created:
                continue  # reverse relations and automatic ids have no label of their own
            where = f"{opts.label}.{field.name}"
            problems.append(_problem(f"{where} verbose_name", field.verbose_name) or "")
            if field.help_text:
                problems.append(_problem(f"{where} help_text", field.help_text) or "")
            if field.choices and not isinstance(field, CountryField):
                for value, label in field.flatchoices:
                    problems.append(_problem(f"{where} choice {value!r}", label) or "")
    return [p for p in problems if p]


def test_project_apps_have_models():
    assert len(_project_models()) >= 30


def test_every_model_and_field_label_is_marked_and_has_chinese():
    assert model_label_problems() == []


def test_the_check_catches_an_unmarked_and_an_untranslated_label():
    assert _problem("x", "plain string") is not None
    lazy = translation.gettext_lazy  # a name makemessages does not collect
    assert _problem("x", lazy("a label nobody translated")) is not None
    assert _problem("x", translation.gettext_lazy("case")) is None


class _Texts(HTMLParser):
    """Texts of the admin page's labels and headings, by kind."""

    KINDS = {"label": "label", "h1": "title", "summary": "filter"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._stack: list[tuple[str, str, list[str]]] = []
        self._in_actions = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        kind = self.KINDS.get(tag)
        if tag == "th" and attr.get("scope") == "col":
            kind = "column"
        if tag == "h2" and "fieldset-heading" in (attr.get("class") or ""):
            kind = "fieldset"  # not the other h2, the row's own name
        if tag == "select" and attr.get("name") == "action":
            self._in_actions = True
        if tag == "option" and self._in_actions and attr.get("value"):
            kind = "action"
        if kind:
            self._stack.append((tag, kind, []))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._in_actions = False
        if self._stack and self._stack[-1][0] == tag:
            _tag, kind, parts = self._stack.pop()
            text = " ".join("".join(parts).split()).strip(":： ")
            if text:
                self.found.append((kind, text))

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1][2].append(data)


def _english_texts(html: str) -> list[tuple[str, str]]:
    """Labels without Chinese in the page's content (the navigation sidebar, Django's own
    markup, is left out: its hidden column headers have no Chinese in Django's catalogue)."""
    parser = _Texts()
    parser.feed(html[html.index('id="content-start"') :])
    return [
        (kind, text)
        for kind, text in parser.found
        if not CJK.search(text) and text not in PROPER_NOUNS and re.search("[A-Za-z]{2}", text)
    ]


@pytest.mark.django_db
def test_admin_pages_of_every_model_are_chinese_for_a_chinese_admin(populated):  # noqa: F811
    superuser = AdminFactory(email="zh.admin@example.test", preferred_language="zh-hans")
    client = login_verified(VerifiedClient(), superuser)
    english: dict[str, list[tuple[str, str]]] = {}
    index = client.get(reverse("admin:index")).content.decode()
    for label in PROJECT_APPS:  # the index's section of each app is headed in Chinese
        name = apps.get_app_config(label).verbose_name
        assert f">{_chinese(name)}<" in index, label
        with translation.override("en"):
            assert f">{name}<" not in index, label
    pages = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in PROJECT_APPS:
            continue
        base = f"admin:{opts.app_label}_{opts.model_name}"
        urls = [reverse(f"{base}_changelist")]
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{base}_change", args=[obj.pk]))
        elif model_admin.has_add_permission(_request_for(superuser)):
            urls.append(reverse(f"{base}_add"))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            pages += 1
            html = response.content.decode()
            assert '<html lang="zh-hans"' in html, url
            found = _english_texts(html)
            if found:
                english[url] = found
    assert pages >= 40
    assert english == {}, "\n".join(f"{url}: {texts}" for url, texts in english.items())


def _request_for(user):  # type: ignore[no-untyped-def]
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.django_db
def test_case_change_list_and_form_show_chinese_labels(populated):  # noqa: F811
    """A spot check with the words themselves: the case admin in Chinese."""
    superuser = AdminFactory(email="zh.admin2@example.test", preferred_language="zh-hans")
    client = login_verified(VerifiedClient(), superuser)
    listing = client.get(reverse("admin:cases_case_changelist")).content.decode()
    assert "案件" in listing  # "cases", the page title
    assert "阶段" in listing  # "stage", a column and a filter
    change = client.get(reverse("admin:cases_case_change", args=[populated.pk])).content.decode()
    assert "申请人" in change  # "applicant"
    assert "顾问" in change  # "advisor"
    assert ">Applicant<" not in change
    assert ">Advisor<" not in change
