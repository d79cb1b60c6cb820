"""Template rendering stays cheap: compiled templates are cached, select options are inline."""

import pytest
from django.template import engines


def test_compiled_templates_are_cached_by_the_engine():
    loaders = engines["django"].engine.template_loaders
    assert [type(loader).__module__ for loader in loaders] == ["django.template.loaders.cached"]


def test_select_options_render_without_an_include_per_option(monkeypatch):
    from django import forms
    from django.template.loader_tags import IncludeNode

    rendered: list[str] = []
    original = IncludeNode.render

    def counting(self, context):  # type: ignore[no-untyped-def]
        rendered.append(str(self.template))
        return original(self, context)

    monkeypatch.setattr(IncludeNode, "render", counting)

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[(str(i), f"Option {i}") for i in range(300)])

    html = str(Form(initial={"pick": "7"})["pick"])
    assert html.count("<option") == 300
    assert '<option value="7" selected>Option 7</option>' in html
    assert len(rendered) <= 2  # the select's own attributes, not one per option


@pytest.mark.django_db
def test_case_open_form_lists_every_country(advisor, client_for):
    html = client_for(advisor).get("/cases/new/").content.decode()
    assert 'value="CN"' in html
    assert html.count("<option") > 200


def _count_renders(monkeypatch) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Count the renders of ``{% translate %}`` and ``{% include %}`` nodes from now on."""
    from django.template.loader_tags import IncludeNode
    from django.templatetags.i18n import TranslateNode

    counts = {"translate": 0, "include": 0}
    for key, node in (("translate", TranslateNode), ("include", IncludeNode)):
        original = node.render

        def counting(self, context, _original=original, _key=key):  # type: ignore[no-untyped-def]
            counts[_key] += 1
            return _original(self, context)

        monkeypatch.setattr(node, "render", counting)
    return counts


def _renders(counts: dict[str, int], get) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    counts.update(translate=0, include=0)
    response = get()
    assert response.status_code == 200
    return counts["translate"], counts["include"]


@pytest.mark.django_db
def test_case_list_translates_and_includes_the_same_whatever_the_rows(
    advisor, client_for, monkeypatch
):
    """Issue 17: the column labels every row repeats (data-label) are translated once per page,
    and no row renders an include: 2 rows and 8 rows cost the same nodes."""
    from tests.factories import open_case

    client = client_for(advisor)
    for _ in range(2):
        open_case(advisor=advisor)
    counts = _count_renders(monkeypatch)
    few = _renders(counts, lambda: client.get("/cases/"))
    for _ in range(6):
        open_case(advisor=advisor)
    many = _renders(counts, lambda: client.get("/cases/"))
    assert many == few


@pytest.mark.django_db
def test_case_pages_translate_and_include_the_same_whatever_the_versions(
    case, advisor, applicant_user, client_for, monkeypatch
):
    """The case page (staff and applicant): labels of versions, requirements and timeline rows
    are translated once per page and no requirement or version renders an include."""
    from tests.factories import upload_document

    staff, applicant = client_for(advisor), client_for(applicant_user)
    pages = [
        lambda: staff.get(f"/cases/{case.pk}/"),
        lambda: applicant.get(f"/my/cases/{case.pk}/"),
    ]
    upload_document(case)
    counts = _count_renders(monkeypatch)
    few = [_renders(counts, page) for page in pages]
    others = [
        r.code
        for r in case.requirements.order_by("position")
        if "application/pdf" in r.accepted_types and r.code != "passport-bio-page"
    ]
    assert others
    for code in ["passport-bio-page"] * 3 + others[:2]:
        upload_document(case, code=code)
    many = [_renders(counts, page) for page in pages]
    assert many == few
