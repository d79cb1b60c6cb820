"""Criterion labels in plain words (issue 11): K visa v1's field-of-study criterion was labelled
with ISCED-F codes ("Field of study in STEM (ISCED-F 05, 06, 07)"), which applicants read on
their case page. The codes stay in its citation (staff only); the label names the fields. A
label is display text, not a rule: the criteria and their results are unchanged, and pages read
a criterion's label from its rule set (``Assessment.localized_results``), so assessments
already made read the new label too. Chinese labels get full-width punctuation
("K字签证:" -> "K字签证："), as ``eligibility/data/rule_sets_v1.py`` now has them."""

from django.db import migrations

# (old English label, old Chinese label) -> (new English, new Chinese)
RELABEL = {
    ("Field of study in STEM (ISCED-F 05, 06, 07)", "理工科专业(ISCED-F 05、06、07)"): (
        "Field of study in science, technology, engineering or mathematics (STEM)",
        "理工科（STEM）专业",
    ),
    ("Field of study in STEM (ISCED-F 05, 06, 07)", "理工科专业（ISCED-F 05、06、07）"): (
        "Field of study in science, technology, engineering or mathematics (STEM)",
        "理工科（STEM）专业",
    ),
}
PUNCTUATION = {":": "：", "(": "（", ")": "）", ",": "，"}


def _zh(text):
    """Half-width : ( ) , in a Chinese label made full-width (the labels are Chinese only)."""
    return "".join(PUNCTUATION.get(ch, ch) for ch in text)


def _relabel(node):
    changed = False
    label = node.get("label") or {}
    key = (label.get("en", ""), label.get("zh", ""))
    if key in RELABEL:
        label["en"], label["zh"] = RELABEL[key]
        changed = True
    elif label.get("zh") and _zh(label["zh"]) != label["zh"]:
        label["zh"] = _zh(label["zh"])
        changed = True
    for child in node.get("children", []):
        changed = _relabel(child) or changed
    return changed


def forwards(apps, schema_editor):
    RuleSet = apps.get_model("eligibility", "RuleSet")
    for rule_set in RuleSet.objects.all().iterator():
        criteria = rule_set.criteria
        if isinstance(criteria, dict) and _relabel(criteria):
            RuleSet.objects.filter(pk=rule_set.pk).update(criteria=criteria)


class Migration(migrations.Migration):
    dependencies = [("eligibility", "0004_verbose_names")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
