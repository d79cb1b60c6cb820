"""The Django admin of checklist items: what each visa type asks for, on which routes (the
route condition, checked by ``ChecklistItem.clean``), with the photo rules of photo items
(issue 13)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.models import ChecklistItem
from portal.forms import JSON_FORMFIELD_OVERRIDES


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    formfield_overrides = JSON_FORMFIELD_OVERRIDES
    list_display = (
        "visa_type",
        "position",
        "code",
        "name_en",
        "required",
        "route_condition",
        "due_offset_days",
        "photo_check",
    )
    list_filter = ("visa_type", "required", "photo_check")
    search_fields = ("code", "name_en", "name_zh")
    list_select_related = ("visa_type",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "visa_type",
                    "code",
                    "position",
                    "name_en",
                    "name_zh",
                    "help_en",
                    "help_zh",
                    "required",
                    "route_condition",
                    "accepted_types",
                    "max_size_bytes",
                    "due_offset_days",
                )
            },
        ),
        # Issue 13: the photo rules, seeded with the published specification (see the model).
        (
            _("Photo rules"),
            {
                "fields": (
                    "photo_check",
                    ("photo_min_bytes", "photo_max_bytes"),
                    ("photo_min_width", "photo_max_width"),
                    ("photo_min_height", "photo_max_height"),
                    "photo_background_min_lightness",
                    "photo_background_max_variation",
                    "photo_background_max_colour",
                    ("photo_face_min_width_pct", "photo_face_max_width_pct"),
                    ("photo_face_centre_min_pct", "photo_face_centre_max_pct"),
                    "photo_face_max_offset_pct",
                    "photo_min_brightness",
                    "photo_min_sharpness",
                )
            },
        ),
    )
