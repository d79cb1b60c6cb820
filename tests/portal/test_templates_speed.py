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
