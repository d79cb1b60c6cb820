"""Simplified Chinese catalogue: complete, in sync with the compiled .mo, and used by the pages.

The catalogue is parsed with the standard library only (no polib in the requirements): a PO
file is a sequence of entries; each keeps its flags (``#, ...``) and its quoted strings.
"""

import gettext
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import AdvisorFactory, ApplicantFactory, UserFactory, open_case

ROOT = Path(__file__).resolve().parents[2]
LC_MESSAGES = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_PATH = LC_MESSAGES / "django.po"
MO_PATH = LC_MESSAGES / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]")


def _unquote(line: str) -> str:
    # PO strings use C escapes (\n, \", \\, \t); JSON reads those the same way.
    return json.loads(line)


def parse_po(path: Path) -> list[dict]:
    """Entries as dicts: flags (set), msgctxt, msgid, msgid_plural, msgstr (dict index -> str)."""
    entries: list[dict] = []
    entry: dict | None = None
    key: tuple[str, int | None] | None = None

    def start() -> dict:
        return {"flags": set(), "msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}}

    def store(k: tuple[str, int | None], text: str) -> None:
        assert entry is not None
        name, index = k
        if name == "msgstr":
            entry["msgstr"][index or 0] = entry["msgstr"].get(index or 0, "") + text
        else:
            entry[name] = (entry[name] or "") + text

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if entry is not None and entry["msgid"] is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = start()
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#~"):
            raise AssertionError(f"obsolete entry left in the catalogue: {line}")
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert key is not None, f"continuation line without a keyword: {line}"
            store(key, _unquote(line))
        else:
            keyword, _, rest = line.partition(" ")
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                key = ("msgstr", int(match.group(1)))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                key = (keyword, None)
            else:
                raise AssertionError(f"unexpected line in the catalogue: {line}")
            if key[0] == "msgstr":
                entry["msgstr"].setdefault(key[1] or 0, "")
            store(key, _unquote(rest))
    if entry is not None and entry["msgid"] is not None:
        entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    entries = parse_po(PO_PATH)
    assert entries, "the catalogue is empty"
    assert entries[0]["msgid"] == "", "the catalogue has no header entry"
    return entries


def test_header_declares_chinese_plural_rule(po_entries):
    header = po_entries[0]
    assert "fuzzy" not in header["flags"]
    text = header["msgstr"][0]
    assert "Plural-Forms: nplurals=1; plural=0;" in text
    assert "charset=UTF-8" in text


def test_every_entry_is_translated_and_not_fuzzy(po_entries):
    messages = po_entries[1:]
    assert len(messages) > 500  # the whole interface, not a sample
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert fuzzy == []
    untranslated = [
        e["msgid"] for e in messages if not e["msgstr"] or any(not s for s in e["msgstr"].values())
    ]
    assert untranslated == []
    plural_forms = [e["msgid"] for e in messages if e["msgid_plural"] and set(e["msgstr"]) != {0}]
    assert plural_forms == []  # Chinese has a single plural form: msgstr[0] only


def test_translations_keep_placeholders_and_line_structure(po_entries):
    problems = []
    for e in po_entries[1:]:
        for text in e["msgstr"].values():
            sources = [e["msgid"]] + ([e["msgid_plural"]] if e["msgid_plural"] else [])
            for source in sources:
                if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                    problems.append((e["msgid"], text))
            if text.count("\n") != e["msgid"].count("\n"):
                problems.append((e["msgid"], text))
            if not CJK.search(text):
                problems.append((e["msgid"], text))
    assert problems == []


def test_compiled_catalogue_matches_the_po_file(po_entries):
    """The committed .mo must be compiled from the committed .po (servers may lack gettext)."""
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in po_entries[1:]:
        if e["msgid_plural"]:
            got = compiled.ngettext(e["msgid"], e["msgid_plural"], 1)
        else:
            got = compiled.gettext(e["msgid"])
        if got != e["msgstr"][0]:
            stale.append(e["msgid"])
    assert stale == [], "run: python manage.py compilemessages -l zh_Hans"


@pytest.mark.parametrize(
    "english",
    [
        "My cases",
        "Upload",
        "Log in",
        "Document checklist",
        "Two-step verification",
        "Your recovery codes",
        "Reason (required to reject)",
        "Eligibility assessment",
    ],
)
def test_key_strings_are_chinese_when_zh_hans_is_active(english):
    with translation.override("zh-hans"):
        chinese = translation.gettext(english)
    assert chinese != english
    assert CJK.search(chinese)


def test_plural_message_uses_the_single_chinese_form():
    with translation.override("zh-hans"):
        one = translation.ngettext("%(n)s case", "%(n)s cases", 1) % {"n": 1}
        many = translation.ngettext("%(n)s case", "%(n)s cases", 5) % {"n": 5}
    assert one == "1 个案件"
    assert many == "5 个案件"


@pytest.mark.django_db
def test_applicant_preferring_chinese_sees_chinese_pages(client_for):
    user = UserFactory(preferred_language="zh-hans")
    response = client_for(user).get("/my/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "我的案件" in html  # My cases
    assert "签证案件门户" in html  # Visa Case Portal
    assert "My cases" not in html


@pytest.mark.django_db
def test_applicant_case_list_and_detail_in_chinese(client_for):
    applicant = ApplicantFactory(user__preferred_language="zh-hans")
    case = open_case(applicant=applicant)
    client = client_for(applicant.user)

    listing = client.get("/my/").content.decode()
    assert case.reference in listing
    assert "受理" in listing  # stage "Intake"
    assert "份材料" in listing  # "%(n)s documents still needed"

    detail = client.get(reverse("cases:my_detail", args=[case.pk])).content.decode()
    assert "您的材料" in detail  # Your documents
    assert "Your documents" not in detail


@pytest.mark.django_db
def test_advisor_preferring_chinese_sees_chinese_case_page(client_for):
    advisor = AdvisorFactory(preferred_language="zh-hans")
    case = open_case(advisor=advisor)
    response = client_for(advisor).get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "材料清单" in html  # Document checklist
    assert "变更阶段" in html  # Change stage
    assert "Document checklist" not in html
