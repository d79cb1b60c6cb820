"""Writes to questionnaire definitions: drafts, new versions, publishing, retiring.

Versioned like eligibility rule sets (``eligibility/services.py``): a draft is edited; a
published version is immutable and at most one per visa type; publishing retires the previous
one; a case keeps the version its answers started with. Only admins of the visa type's firm
(and platform admins) write definitions; the Django admin calls these functions.
"""

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Questionnaire, QuestionnaireStatus, VisaType
from cases.questionnaires.definition import validate_definition
from cases.questionnaires.seed import install_for
from portal.errors import InvalidInput, NotAllowed
from portal.firms import is_firm_member
from portal.models import Firm, User

EDITABLE_FIELDS = frozenset({"definition", "title_en", "title_zh", "notes"})


def _require_admin(actor: User, firm_id: int) -> None:
    if not (actor.is_authenticated and actor.is_portal_admin and is_firm_member(actor, firm_id)):
        raise NotAllowed(_("Only admins of the firm can change its questionnaires."))


def _check_titles(title_en: str) -> None:
    if not (title_en or "").strip():
        raise InvalidInput(_("Enter an English title."), details={"field": "title_en"})


def questionnaire_create_draft(
    *,
    visa_type: VisaType,
    definition: Any,
    title_en: str,
    actor: User,
    title_zh: str = "",
    notes: str = "",
) -> Questionnaire:
    """A new draft with the next version number of ``visa_type``. Raises ``NotAllowed`` for
    anyone but the firm's admins and ``InvalidInput`` naming each bad question and field."""
    _require_admin(actor, visa_type.firm_id)
    _check_titles(title_en)
    validate_definition(definition)
    with transaction.atomic():
        VisaType.objects.select_for_update().filter(pk=visa_type.pk).first()
        last = Questionnaire.objects.filter(visa_type=visa_type).aggregate(v=Max("version"))["v"]
        return Questionnaire.objects.create(
            firm_id=visa_type.firm_id,
            visa_type=visa_type,
            version=(last or 0) + 1,
            definition=definition,
            title_en=title_en.strip(),
            title_zh=(title_zh or "").strip(),
            notes=notes or "",
        )


def questionnaire_update_draft(
    *, questionnaire: Questionnaire, actor: User, **changes: Any
) -> Questionnaire:
    """Change a draft's ``definition``, titles or ``notes``. Raises ``NotAllowed`` for a
    published or retired version (immutable: make a new version) and ``InvalidInput`` for a
    bad definition (nothing is stored)."""
    _require_admin(actor, questionnaire.firm_id)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "definition" in changes:
        validate_definition(changes["definition"])
    if "title_en" in changes:
        _check_titles(changes["title_en"])
    hit = Questionnaire.objects.filter(
        pk=questionnaire.pk, status=QuestionnaireStatus.DRAFT
    ).update(**changes)
    if hit != 1:
        raise NotAllowed(
            _("Version %(v)s is published or retired and cannot change; make a new version.")
            % {"v": questionnaire.version}
        )
    questionnaire.refresh_from_db()
    return questionnaire


def questionnaire_new_version(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Copy ``questionnaire`` (any status) to a new draft with the next version number."""
    return questionnaire_create_draft(
        visa_type=questionnaire.visa_type,
        definition=questionnaire.definition,
        title_en=questionnaire.title_en,
        title_zh=questionnaire.title_zh,
        notes=_("Copied from version %(v)s.") % {"v": questionnaire.version},
        actor=actor,
    )


def questionnaire_publish(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Publish a draft and retire the visa type's published version in one transaction.
    Cases that started on the old version keep it; new ones start on this one. Raises
    ``NotAllowed`` for a non-draft, ``InvalidInput`` when the definition does not validate."""
    _require_admin(actor, questionnaire.firm_id)
    validate_definition(questionnaire.definition)
    with transaction.atomic():
        Questionnaire.objects.filter(
            visa_type_id=questionnaire.visa_type_id, status=QuestionnaireStatus.PUBLISHED
        ).exclude(pk=questionnaire.pk).update(status=QuestionnaireStatus.RETIRED)
        hit = Questionnaire.objects.filter(
            pk=questionnaire.pk, status=QuestionnaireStatus.DRAFT
        ).update(
            status=QuestionnaireStatus.PUBLISHED, published_at=timezone.now(), published_by=actor
        )
        if hit != 1:
            raise NotAllowed(_("Only a draft can be published."))
    questionnaire.refresh_from_db()
    return questionnaire


def questionnaire_retire(*, questionnaire: Questionnaire, actor: User) -> Questionnaire:
    """Retire a published version: no new case starts on it (cases on it keep it)."""
    _require_admin(actor, questionnaire.firm_id)
    hit = Questionnaire.objects.filter(
        pk=questionnaire.pk, status=QuestionnaireStatus.PUBLISHED
    ).update(status=QuestionnaireStatus.RETIRED)
    if hit != 1:
        raise NotAllowed(_("Only a published version can be retired."))
    questionnaire.refresh_from_db()
    return questionnaire


def firm_seed_questionnaires(*, firm: Firm) -> int:
    """Give ``firm``'s K and R visa types the seeded questionnaires they lack (idempotent)."""
    return install_for(Questionnaire, VisaType, firm=firm)
