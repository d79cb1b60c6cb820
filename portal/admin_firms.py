"""The firm boundary in the Django admin, for every registered ModelAdmin at once.

Staff who are not platform admins see and change only their own firm's rows: every
ModelAdmin's queryset (changelist, change, delete, history, actions, autocomplete) and the
choices of every foreign key to a firm-owned model are narrowed with ``portal.firms.
firm_scope`` along the path in ``FIRM_PATHS``. Shared catalogues (``PLATFORM_MODELS``: rule
sets, fields of study, institutions, reminder rules) serve every firm, so firm staff may at
most view them; only platform admins change them; installation-wide records
(``PLATFORM_PRIVATE_MODELS``: login attempts, periodic task schedules) are for platform admins
alone. ``tests/portal/test_admin_firms.py``
fails when a registered model is in neither table.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest

from portal.firms import firm_scope

# model label -> lookup path from the model to its firm ("" for the Firm model itself).
FIRM_PATHS: dict[str, str] = {
    "portal.firm": "",
    "portal.user": "firm",
    "portal.apitoken": "user__firm",
    "auditlog.logentry": "actor__firm",
    "otp_totp.totpdevice": "user__firm",
    "otp_static.staticdevice": "user__firm",
    "cases.visatype": "firm",
    "cases.checklistitem": "visa_type__firm",
    "cases.steptemplate": "firm",
    "cases.applicant": "firm",
    "cases.case": "firm",
    "cases.documentrequirement": "case__firm",
    "cases.document": "requirement__case__firm",
    "cases.documentaccess": "document__requirement__case__firm",
    "cases.caseevent": "case__firm",
    "cases.message": "case__firm",
    "cases.casetask": "case__firm",
    "cases.reminderdelivery": "case__firm",
    "cases.notification": "user__firm",
    "cases.reminderpreference": "user__firm",
    "cases.calendarfeed": "user__firm",
    "cases.questionnaire": "firm",
    "cases.questionnaireresponse": "firm",
    "cases.questioncomment": "firm",
    "eligibility.assessment": "case__firm",
}

# Shared by every firm: viewable by staff with the view permission, changed by platform admins.
PLATFORM_MODELS: frozenset[str] = frozenset(
    {
        "auth.group",
        "cases.reminderrule",
        "eligibility.fieldofstudy",
        "eligibility.institution",
        "eligibility.ruleset",
    }
)

# Installation-wide records that name people of every firm (login attempts) or run jobs for
# every firm (schedules): platform admins only, not even viewable by firm staff.
PLATFORM_PRIVATE_MODELS: frozenset[str] = frozenset(
    {
        "django_celery_beat.periodictask",
        "django_celery_beat.intervalschedule",
        "django_celery_beat.crontabschedule",
        "django_celery_beat.solarschedule",
        "django_celery_beat.clockedschedule",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
    }
)


def _is_platform(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_platform_admin", False))


def _scoped_queryset(original: Callable[..., Any], path: str) -> Callable[..., Any]:
    def get_queryset(request: HttpRequest) -> Any:
        return firm_scope(original(request), request.user, path=path)  # type: ignore[arg-type]

    return get_queryset


def _scoped_foreign_keys(original: Callable[..., Any]) -> Callable[..., Any]:
    def formfield_for_foreignkey(db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = original(db_field, request, **kwargs)
        path = FIRM_PATHS.get(db_field.related_model._meta.label_lower)
        if field is not None and path is not None and hasattr(field, "queryset"):
            field.queryset = firm_scope(field.queryset, request.user, path=path)  # type: ignore[arg-type]
        return field

    return formfield_for_foreignkey


def _related_only_filters(original: Callable[..., Any], model: type[Model]) -> Callable[..., Any]:
    """Sidebar filters on a relation list only the related rows present in the (firm-scoped)
    changelist, so another firm's advisors or visa types never appear as filter choices."""

    def get_list_filter(request: HttpRequest) -> Any:
        filters = original(request)
        if _is_platform(request):
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str) and _is_relation(model, item):
                item = (item, admin.RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    return get_list_filter


def _is_relation(model: type[Model], path: str) -> bool:
    field = None
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:  # a lookup such as "__isnull" ends the path
            return False
        related = field.related_model
        if field.is_relation and isinstance(related, type):
            model = related
    return bool(field is not None and field.is_relation)


def _platform_only(original: Callable[..., bool]) -> Callable[..., bool]:
    def has_permission(request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_platform(request) and original(request, obj)

    return has_permission


def _platform_module(original: Callable[..., bool]) -> Callable[..., bool]:
    def has_module_permission(request: HttpRequest) -> bool:
        return _is_platform(request) and original(request)

    return has_module_permission


def _platform_only_add(original: Callable[..., bool]) -> Callable[..., bool]:
    def has_add_permission(request: HttpRequest, *args: Any) -> bool:
        return _is_platform(request) and original(request, *args)

    return has_add_permission


def scope_admin_site(site: admin.AdminSite) -> list[str]:
    """Install the firm boundary on every ModelAdmin of ``site`` (once, at start-up: called
    from ``PortalConfig.ready``). Returns the labels of registered models in neither table
    (the test makes that list empty)."""
    unknown = []
    for model, model_admin in site._registry.items():
        label = model._meta.label_lower
        if getattr(model_admin, "_firm_scoped", False):
            continue
        model_admin.formfield_for_foreignkey = _scoped_foreign_keys(  # type: ignore[method-assign]
            model_admin.formfield_for_foreignkey
        )
        model_admin.get_list_filter = _related_only_filters(  # type: ignore[method-assign]
            model_admin.get_list_filter, model
        )
        if label in FIRM_PATHS:
            model_admin.get_queryset = _scoped_queryset(  # type: ignore[method-assign]
                model_admin.get_queryset, FIRM_PATHS[label]
            )
        elif label in PLATFORM_MODELS or label in PLATFORM_PRIVATE_MODELS:
            if label in PLATFORM_PRIVATE_MODELS:
                model_admin.has_view_permission = _platform_only(  # type: ignore[method-assign]
                    model_admin.has_view_permission
                )
                model_admin.has_module_permission = _platform_module(  # type: ignore[method-assign]
                    model_admin.has_module_permission
                )
            model_admin.has_add_permission = _platform_only_add(  # type: ignore[method-assign]
                model_admin.has_add_permission
            )
            model_admin.has_change_permission = _platform_only(  # type: ignore[method-assign]
                model_admin.has_change_permission
            )
            model_admin.has_delete_permission = _platform_only(  # type: ignore[method-assign]
                model_admin.has_delete_permission
            )
        else:
            unknown.append(label)
        model_admin._firm_scoped = True  # type: ignore[attr-defined]
    return unknown
