"""Turn the photo checks on for the K and R "Digital photo" checklist items (issue 13).

The limits are the fields' defaults (``ChecklistItem.photo_*``): the Beijing municipal
government portal's published specification for the photo of the Confirmation Letter for
High-Level Foreign Talents (24-bit colour JPEG, 40-120 KB, 354-420 pixels wide, 472-560 high,
white background), which applies to visa photos too. The item's help text is updated only
where it is still the seeded one (an admin's edit is kept). ``apply_for`` is also run for each
new firm by ``cases.services.firms.firm_seed_visa_types``.
"""

from django.db import migrations

PHOTO_CODE = "digital-photo"
OLD_HELP_EN = (
    "A recent colour photo, white background, bare head, 354×472 to 420×560 pixels, JPEG or PNG."
)
NEW_HELP_EN = (
    "A recent colour photo, white background, bare head: a JPEG of 40-120 KB, 354×472 to "
    "420×560 pixels. Upload the photo you have (a phone photo is fine): we check it and, "
    "where we can, offer a corrected copy."
)
OLD_HELP_ZH = "近期彩色免冠照片，白色背景，354×472至420×560像素，JPEG或PNG格式。"
NEW_HELP_ZH = (
    "近期彩色免冠照片，白色背景：JPEG格式，40-120 KB，354×472至420×560像素。"
    "上传您现有的照片即可（手机照片也可以）：我们会检查，能修正时会提供修正后的照片。"
)


def apply_for(ChecklistItem, **firm):  # type: ignore[no-untyped-def]
    """Turn on the photo checks of the K and R photo items (of ``firm=...`` when given)."""
    items = ChecklistItem.objects.filter(code=PHOTO_CODE, visa_type__code__in=["K", "R"])
    if firm:
        items = items.filter(visa_type__firm=firm["firm"])
    items.update(photo_check=True)
    items.filter(help_en=OLD_HELP_EN).update(help_en=NEW_HELP_EN)
    items.filter(help_zh=OLD_HELP_ZH).update(help_zh=NEW_HELP_ZH)


def install(apps, schema_editor):
    apply_for(apps.get_model("cases", "ChecklistItem"))


def uninstall(apps, schema_editor):
    ChecklistItem = apps.get_model("cases", "ChecklistItem")
    items = ChecklistItem.objects.filter(code=PHOTO_CODE, visa_type__code__in=["K", "R"])
    items.update(photo_check=False)
    items.filter(help_en=NEW_HELP_EN).update(help_en=OLD_HELP_EN)
    items.filter(help_zh=NEW_HELP_ZH).update(help_zh=OLD_HELP_ZH)


class Migration(migrations.Migration):
    dependencies = [("cases", "0026_photo_checks")]
    operations = [migrations.RunPython(install, uninstall)]
