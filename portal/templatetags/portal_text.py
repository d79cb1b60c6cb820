"""Template helpers for text in the reader's language: ``{% colon %}`` is the separator after
a label, ": " in English and the full-width colon U+FF1A (no space) in Chinese, as
``portal.text.labelled`` writes it in Python (issue 11: "您的顾问: Li Wei" read wrong)."""

from django import template

from portal.text import labelled

register = template.Library()


@register.simple_tag
def colon() -> str:
    """The label separator in the active language."""
    return labelled("", "")
