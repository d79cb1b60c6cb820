"""Reads of eligibility data that other apps use. ``eligibility`` never imports ``cases``."""


def current_assessment_outcome(*, case_id: int) -> str | None:
    """The outcome of the case's current assessment (eligible | ineligible | needs_information |
    needs_review), or None when the case has not been assessed.

    Until rule sets and assessments land there is nothing to read, so this returns None.
    """
    return None
