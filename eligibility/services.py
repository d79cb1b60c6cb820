"""Writes to eligibility data: rule set drafts, versions, publishing, retiring; institution import.

Assessments need case facts, so they are written by ``cases/services_eligibility.py``; after a
publish this module calls the hook named by ``settings.ELIGIBILITY_ON_PUBLISH`` on commit (the
cases app enqueues the re-assessment), so ``eligibility`` never imports ``cases``.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_countries import countries

from eligibility.models import Institution, InstitutionKind, RuleSet, RuleSetStatus
from eligibility.rules import strip_generated_labels, validate_criteria
from portal.errors import InvalidInput, NotAllowed
from portal.models import User
from portal.text import has_invisible


def _require_admin(actor: User, message: str) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_portal_admin):
        raise NotAllowed(message)


# --- rule sets --------------------------------------------------------------------------------


def rule_set_create_draft(
    *,
    visa_type_code: str,
    effective_date: dt.date,
    criteria: dict[str, Any],
    citations: list[str],
    actor: User,
    notes: str = "",
) -> RuleSet:
    """A new draft with the next version number of ``visa_type_code``. Stored labels of
    criteria whose label is generated are dropped (``rules.strip_generated_labels``). Raises
    ``NotAllowed`` for non-admins and ``InvalidInput`` naming each bad criterion and field."""
    _require_admin(actor, _("Only admins can write rule sets."))
    criteria = strip_generated_labels(criteria)
    validate_criteria(criteria)
    with transaction.atomic():
        last = (
            RuleSet.objects.select_for_update()
            .filter(visa_type_code=visa_type_code)
            .aggregate(v=Max("version"))["v"]
        )
        return RuleSet.objects.create(
            visa_type_code=visa_type_code,
            version=(last or 0) + 1,
            effective_date=effective_date,
            criteria=criteria,
            citations=list(citations),
            notes=notes,
        )


def rule_set_update_draft(*, rule_set: RuleSet, actor: User, **changes: Any) -> RuleSet:
    """Change a draft's ``criteria`` (generated labels dropped, as on create), ``citations``,
    ``effective_date`` or ``notes``. Raises ``NotAllowed`` for non-admins or a
    published/retired rule set (immutable)."""
    _require_admin(actor, _("Only admins can write rule sets."))
    allowed = {"criteria", "citations", "effective_date", "notes"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if "criteria" in changes:
        changes["criteria"] = strip_generated_labels(changes["criteria"])
        validate_criteria(changes["criteria"])
    hit = RuleSet.objects.filter(pk=rule_set.pk, status=RuleSetStatus.DRAFT).update(**changes)
    if hit != 1:
        raise NotAllowed(
            _("%(rs)s is published or retired and cannot change; make a new version instead.")
            % {"rs": rule_set}
        )
    rule_set.refresh_from_db()
    return rule_set


def rule_set_new_version(*, rule_set: RuleSet, actor: User) -> RuleSet:
    """Copy ``rule_set`` (any status) to a new draft with the next version number."""
    return rule_set_create_draft(
        visa_type_code=rule_set.visa_type_code,
        effective_date=rule_set.effective_date,
        criteria=rule_set.criteria,
        citations=list(rule_set.citations),
        notes=_("Copied from version %(v)s.") % {"v": rule_set.version},
        actor=actor,
    )


def _on_publish_hook() -> Callable[[int], Any] | None:
    path = getattr(settings, "ELIGIBILITY_ON_PUBLISH", "")
    return import_string(path) if path else None


def rule_set_publish(*, rule_set: RuleSet, actor: User) -> RuleSet:
    """Publish a draft: the visa type's previously published version is retired in the same
    transaction, and on commit ``settings.ELIGIBILITY_ON_PUBLISH(rule_set_id)`` runs (the cases
    app re-assesses open cases). Raises ``NotAllowed`` for non-admins or a non-draft and
    ``InvalidInput`` when the criteria do not validate."""
    _require_admin(actor, _("Only admins can publish rule sets."))
    validate_criteria(rule_set.criteria)
    now = timezone.now()
    with transaction.atomic():
        RuleSet.objects.filter(
            visa_type_code=rule_set.visa_type_code, status=RuleSetStatus.PUBLISHED
        ).exclude(pk=rule_set.pk).update(status=RuleSetStatus.RETIRED)
        hit = RuleSet.objects.filter(pk=rule_set.pk, status=RuleSetStatus.DRAFT).update(
            status=RuleSetStatus.PUBLISHED, published_at=now, published_by=actor
        )
        if hit != 1:
            raise NotAllowed(_("Only a draft can be published; %(rs)s is not.") % {"rs": rule_set})
        hook = _on_publish_hook()
        if hook is not None:
            rule_set_id = rule_set.pk
            transaction.on_commit(lambda: hook(rule_set_id))
    rule_set.refresh_from_db()
    return rule_set


def rule_sets_reassess_published(*, codes: list[str] | None = None) -> list[str]:
    """Run ``settings.ELIGIBILITY_ON_PUBLISH`` for each published rule set (of the visa type
    ``codes``, default all), as a publish does on commit: for rule sets a migration published
    (``manage.py reassess_published``). Returns the rule sets' names, e.g. ``["K v2 ..."]``."""
    qs = RuleSet.objects.published().order_by("visa_type_code")
    if codes:
        qs = qs.filter(visa_type_code__in=[c.upper() for c in codes])
    hook = _on_publish_hook()
    names = []
    for rule_set in qs:
        if hook is not None:
            hook(rule_set.pk)
        names.append(str(rule_set))
    return names


def rule_set_retire(*, rule_set: RuleSet, actor: User) -> RuleSet:
    """Retire a published rule set (assessments keep pointing at it)."""
    _require_admin(actor, _("Only admins can retire rule sets."))
    hit = RuleSet.objects.filter(pk=rule_set.pk, status=RuleSetStatus.PUBLISHED).update(
        status=RuleSetStatus.RETIRED
    )
    if hit != 1:
        raise NotAllowed(_("Only a published rule set can be retired."))
    rule_set.refresh_from_db()
    return rule_set


# --- institutions -----------------------------------------------------------------------------

INSTITUTION_COLUMNS = ("name", "country", "ror_id", "kind", "recognized", "recognition_source")
# Columns a file may add; absent means "leave as it is" for updated rows, empty for new ones.
INSTITUTION_OPTIONAL_COLUMNS = ("name_zh",)
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}$")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n", ""}


@dataclass
class ImportReport:
    """What an institution import did: counts of rows added and updated, and each rejected
    row as ``(line number, reason)`` (line 1 is the header)."""

    added: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    def summary(self) -> str:
        return _("%(a)s added, %(u)s updated, %(r)s rejected.") % {
            "a": self.added,
            "u": self.updated,
            "r": len(self.rejected),
        }


def _parse_institution(row: dict[str, str]) -> dict[str, Any]:
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError(_("the name is empty"))
    country = (row.get("country") or "").strip().upper()
    if country not in dict(countries):
        raise ValueError(_("“%(c)s” is not an ISO 3166-1 alpha-2 country code") % {"c": country})
    ror = (row.get("ror_id") or "").strip().lower().removeprefix("https://ror.org/")
    if ror and not _ROR.match(ror):
        raise ValueError(_("“%(r)s” is not a ROR id (9 characters, e.g. 052gg0110)") % {"r": ror})
    kind = (row.get("kind") or "").strip().lower()
    kinds = {
        "university": InstitutionKind.UNIVERSITY,
        "research institution": InstitutionKind.RESEARCH,
    }
    kinds[InstitutionKind.RESEARCH.value] = InstitutionKind.RESEARCH
    if kind not in kinds:
        raise ValueError(_("kind must be “university” or “research institution”"))
    recognized_raw = (row.get("recognized") or "").strip().lower()
    if recognized_raw not in _TRUE | _FALSE:
        raise ValueError(_("recognized must be yes or no"))
    recognized = recognized_raw in _TRUE
    source = (row.get("recognition_source") or "").strip()
    if recognized and not source:
        raise ValueError(_("a recognized institution needs a recognition source"))
    data: dict[str, Any] = {
        "name": name[:255],
        "country": country,
        "ror_id": ror,
        "kind": kinds[kind],
        "recognized": recognized,
        "recognition_source": source[:255],
    }
    if "name_zh" in row:
        name_zh = (row.get("name_zh") or "").strip()
        if len(name_zh) > 255:
            raise ValueError(_("the Chinese name is longer than 255 characters"))
        if has_invisible(name_zh):
            raise ValueError(_("the Chinese name contains invisible characters"))
        data["name_zh"] = name_zh
    return data


def institutions_import_csv(*, stream: IO[bytes], actor: User | None) -> ImportReport:
    """Import institutions from a UTF-8 CSV with the header ``INSTITUTION_COLUMNS`` and, if
    wanted, ``INSTITUTION_OPTIONAL_COLUMNS`` (``name_zh``: the name shown on Chinese pages).

    Rows match existing institutions by ROR id, else by name and country; matches are updated.
    Bad rows are rejected with their line number and reason, the others load. A malformed file
    (not UTF-8, not CSV, missing columns) raises ``InvalidInput`` and loads nothing. ``actor``
    None is the management command (trusted); otherwise admins only (``NotAllowed``).
    """
    if actor is not None:
        _require_admin(actor, _("Only admins can import institutions."))
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(_("The file is not UTF-8 text; save it as CSV UTF-8.")) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        missing = [c for c in INSTITUTION_COLUMNS if c not in header]
        if missing:
            raise InvalidInput(
                _("The header row lacks the columns: %(cols)s. Expected: %(all)s.")
                % {"cols": ", ".join(missing), "all": ",".join(INSTITUTION_COLUMNS)}
            )
        reader.fieldnames = header
        rows = []
        for row in reader:
            if None in row:
                raise InvalidInput(
                    _("Line %(n)s has more cells than the header; nothing was imported.")
                    % {"n": reader.line_num}
                )
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise InvalidInput(
            _("The file is not valid CSV (%(err)s); nothing was imported.") % {"err": exc}
        ) from None

    report = ImportReport()
    with transaction.atomic():
        seen: set[tuple[str, str]] = set()
        for line, row in rows:
            try:
                data = _parse_institution(row)
            except ValueError as exc:
                report.rejected.append((line, str(exc)))
                continue
            key = (data["name"].casefold(), data["country"])
            if key in seen:
                report.rejected.append((line, _("duplicate of an earlier row in this file")))
                continue
            seen.add(key)
            existing = None
            if data["ror_id"]:
                existing = Institution.objects.filter(ror_id=data["ror_id"]).first()
            if existing is None:
                existing = Institution.objects.filter(
                    name__iexact=data["name"], country=data["country"]
                ).first()
            try:
                with transaction.atomic():
                    if existing is None:
                        Institution.objects.create(**data)
                    else:
                        Institution.objects.filter(pk=existing.pk).update(
                            **data, updated_at=timezone.now()
                        )
            except IntegrityError:
                report.rejected.append(
                    (line, _("the ROR id or name and country belong to another institution"))
                )
                continue
            if existing is None:
                report.added += 1
            else:
                report.updated += 1
    return report
