"""Firm writes: creating a firm (a tenant) with its own K and R visa types, checklists and case
steps."""

import importlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import ChecklistItem, StepTemplate, VisaType
from cases.services.questionnaires import firm_seed_questionnaires
from portal.errors import InvalidInput, NotAllowed
from portal.models import Firm, User

# The seed catalogue (K and R with their checklists) lives in the data migration that installed
# it, so a new firm starts from exactly what the default firm started from.
_SEED = importlib.import_module("cases.migrations.0003_seed_visa_types")
# Likewise the K and R case steps (issue 16).
_STEPS = importlib.import_module("cases.migrations.0019_seed_case_steps")
# And the photo checks of the K and R photo items (issue 13).
_PHOTO = importlib.import_module("cases.migrations.0027_seed_photo_rules")
# And the route conditions and the R invitation letter and Class A evidence (issue 13).
_ROUTES = importlib.import_module("cases.migrations.0037_seed_route_checklists")


def firm_create(*, name: str, slug: str, actor: User | None) -> Firm:
    """Create a firm and seed its K and R visa types with their checklists and questionnaires
    (editable by the firm's admins afterwards). ``actor`` None means a management command.
    Raises ``NotAllowed`` unless ``actor`` is a platform admin, ``InvalidInput`` for a taken
    or malformed slug."""
    if actor is not None and not (actor.is_active and actor.is_platform_admin):
        raise NotAllowed(_("Only platform admins can create firms."))
    firm = Firm(name=(name or "").strip(), slug=(slug or "").strip().lower())
    try:
        firm.full_clean()
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), details={"fields": exc.message_dict}) from exc
    with transaction.atomic():
        firm.save()
        firm_seed_visa_types(firm=firm)
        firm_seed_questionnaires(firm=firm)
    return firm


def firm_seed_visa_types(*, firm: Firm) -> None:
    """Give ``firm`` the K and R visa types, checklists and case steps it lacks (idempotent)."""
    _SEED.install_for(VisaType, ChecklistItem, firm=firm)
    _STEPS.install_for(VisaType, StepTemplate, firm=firm)
    _PHOTO.apply_for(ChecklistItem, firm=firm)
    _ROUTES.apply_for(ChecklistItem, firm=firm)
