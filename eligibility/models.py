"""Eligibility: fields of study, institutions, rule sets and assessments.

``eligibility`` never imports ``cases``: foreign keys name ``"cases.Case"`` as a string and the
engine reads a plain facts object. Writes go through ``eligibility/services.py`` (rule sets,
institutions) and ``cases/services_eligibility.py`` (assessments, which need case facts).
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from eligibility.rules import criteria_errors
from portal.text import cjk_punctuation

if TYPE_CHECKING:
    from portal.models import User


class UnicodeJSONEncoder(DjangoJSONEncoder):
    """Writes Chinese text as UTF-8 rather than ``\\uXXXX`` escapes: a third of the size, and
    psycopg quotes it without escaping every backslash (re-assessment writes thousands of rows)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ensure_ascii"] = False
        super().__init__(*args, **kwargs)


class FieldLevel(models.TextChoices):
    BROAD = "broad", _("Broad field")
    NARROW = "narrow", _("Narrow field")
    DETAILED = "detailed", _("Detailed field")


class FieldOfStudy(models.Model):
    """An ISCED-F 2013 field: ``code`` of 2 (broad), 3 (narrow) or 4 (detailed) digits."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    level = models.CharField(_("level"), max_length=8, choices=FieldLevel.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subfields",
        verbose_name=_("broader field"),
    )
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)

    class Meta:
        ordering = ("code",)
        verbose_name = _("field of study")
        verbose_name_plural = _("fields of study")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        """The name in the active language (Chinese with full-width punctuation)."""
        if (get_language() or "").startswith("zh"):
            return cjk_punctuation(self.name_zh)
        return self.name_en


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    RESEARCH = "research_institution", _("Research institution")


class Institution(models.Model):
    """A university or research institution. ``recognized`` means "well-known" for the rule
    sets; ``recognition_source`` says why (e.g. "QS World University Rankings 2026, top 500")."""

    name = models.CharField(_("name"), max_length=255)
    name_zh = models.CharField(
        _("name (Chinese)"),
        max_length=255,
        blank=True,
        help_text=_("Shown to readers of Chinese pages; the name above is shown when empty."),
    )
    country = CountryField(_("country"))
    ror_id = models.CharField(
        _("ROR id"), max_length=9, blank=True, help_text=_("9 characters, e.g. 052gg0110")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=InstitutionKind.choices)
    recognized = models.BooleanField(_("recognized"), default=False)
    recognition_source = models.CharField(_("recognition source"), max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ("name",)
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="institution_name_country"),
            models.UniqueConstraint(
                fields=["ror_id"], condition=~Q(ror_id=""), name="institution_ror_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.country.code})"

    @property
    def display_name(self) -> str:
        """The name in the active language: ``name_zh`` (full-width punctuation) on Chinese
        pages when it is set, else ``name`` (the name used for matching and in exports)."""
        if self.name_zh and (get_language() or "").startswith("zh"):
            return cjk_punctuation(self.name_zh)
        return self.name


class RuleSetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def published(self) -> "RuleSetQuerySet":
        return self.filter(status=RuleSetStatus.PUBLISHED)


class RuleSet(models.Model):
    """A version of the eligibility rules of one visa type.

    ``criteria`` is a criteria document (``eligibility/rules.py``); ``citations`` a list of
    source strings. Published rule sets are immutable (services and the admin refuse edits);
    at most one is published per visa type.
    """

    visa_type_code = models.CharField(_("visa type code"), max_length=8)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=RuleSetStatus.choices, default=RuleSetStatus.DRAFT
    )
    effective_date = models.DateField(_("effective date"))
    citations = models.JSONField(_("citations"), default=list, blank=True)
    criteria = models.JSONField(_("criteria"), encoder=UnicodeJSONEncoder)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ("visa_type_code", "-version")
        constraints = [
            models.UniqueConstraint(
                fields=["visa_type_code", "version"], name="ruleset_version_unique"
            ),
            models.UniqueConstraint(
                fields=["visa_type_code"],
                condition=Q(status="published"),
                name="ruleset_one_published_per_visa",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visa_type_code} v{self.version} ({self.get_status_display()})"

    def clean(self) -> None:
        errors = criteria_errors(self.criteria)
        if errors:
            raise ValidationError({"criteria": errors})
        if not isinstance(self.citations, list) or not all(
            isinstance(c, str) for c in self.citations
        ):
            raise ValidationError({"citations": _("Citations must be a JSON list of strings.")})

    @property
    def is_editable(self) -> bool:
        return self.status == RuleSetStatus.DRAFT


class AssessmentOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Ineligible")
    NEEDS_INFORMATION = "needs_information", _("Needs information")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class AssessmentTrigger(models.TextChoices):
    MANUAL = "manual", _("Run by an advisor")
    PUBLISH = "publish", _("New rule set version published")


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def visible_to(self, user: "User") -> "AssessmentQuerySet":
        """Assessments of cases ``user`` may see (the case's own ``visible_to``)."""
        case_model = self.model._meta.get_field("case").related_model
        return self.filter(case__in=case_model.objects.visible_to(user))  # type: ignore[union-attr]


class Assessment(models.Model):
    """One run of a rule set against a case's facts; never changed after it is written.

    ``facts`` is the snapshot the engine read (JSON); ``results`` the criterion result tree with
    explanations in English and Chinese; ``missing_facts`` fact keys (see
    ``engine.FACT_LABELS``); ``other_routes`` the outcomes of the other published rule sets
    (``[{"visa_type_code", "rule_set_id", "version", "outcome"}]``); ``previous_outcome`` the
    outcome of the case's assessment before this one ("" when first).
    """

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="assessments", verbose_name=_("case")
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("rule set")
    )
    outcome = models.CharField(
        max_length=20, choices=AssessmentOutcome.choices, verbose_name=_("outcome")
    )
    previous_outcome = models.CharField(
        max_length=20,
        choices=AssessmentOutcome.choices,
        blank=True,
        verbose_name=_("previous outcome"),
    )
    facts = models.JSONField(encoder=UnicodeJSONEncoder, verbose_name=_("information assessed"))
    results = models.JSONField(encoder=UnicodeJSONEncoder, verbose_name=_("results per criterion"))
    missing_facts = models.JSONField(
        default=list, blank=True, verbose_name=_("missing information")
    )
    other_routes = models.JSONField(default=list, blank=True, verbose_name=_("other visa routes"))
    advisor_flag = models.BooleanField(default=False, verbose_name=_("flagged for the advisor"))
    trigger = models.CharField(
        max_length=10,
        choices=AssessmentTrigger.choices,
        default=AssessmentTrigger.MANUAL,
        verbose_name=_("run because"),
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("assessed at"))

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("eligibility assessment")
        verbose_name_plural = _("eligibility assessments")
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["case", "-created_at", "-id"])]
        constraints = [
            # Re-assessment on publish runs at most once per case and rule set version.
            models.UniqueConstraint(
                fields=["case", "rule_set"],
                condition=Q(trigger="publish"),
                name="assessment_once_per_publish",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.rule_set_id} {self.outcome}"

    def outcome_label(self, language: str | None = None) -> str:
        """The outcome in ``language`` (default: the active one), English or Chinese."""
        from eligibility.engine import outcome_label

        return outcome_label(self.outcome, language or get_language() or "en")

    @property
    def needs_review(self) -> bool:
        return self.outcome == AssessmentOutcome.NEEDS_REVIEW

    @property
    def other_routes_display(self) -> list[dict[str, Any]]:
        """``other_routes`` with each route's outcome as a label in the active language."""
        from eligibility.engine import outcome_label

        language = get_language() or "en"
        return [
            {**route, "outcome_label": outcome_label(route.get("outcome", ""), language)}
            for route in self.other_routes or []
        ]

    def missing_labels(self, language: str | None = None) -> list[str]:
        """The missing facts as readable names in ``language`` (default: the active one)."""
        from eligibility.engine import fact_label

        lang = language or get_language() or "en"
        return [fact_label(k, lang) for k in self.missing_facts]

    def localized_results(
        self, language: str | None = None, rule_set: "RuleSet | None" = None
    ) -> list[dict[str, Any]]:
        """The result tree flattened depth-first for templates: dicts with depth, label,
        result, explanation (in ``language``), basis and citation (label and citation read from
        the rule set, ``rule_set`` or this assessment's); ``result_label`` and ``basis_label`` are
        the result and basis in words (``eligibility.engine.result_label``)."""
        from eligibility.engine import basis_label, result_label

        lang = "zh" if (language or get_language() or "en").startswith("zh") else "en"
        rows: list[dict[str, Any]] = []
        rs = rule_set or (self.rule_set if self.rule_set_id else None)
        from eligibility.engine import criterion_label

        citations: dict[str, str] = {}
        labels: dict[str, dict[str, str]] = {}
        stack = [rs.criteria] if rs is not None else []
        while stack:
            node = stack.pop()
            citations[node["id"]] = node.get("citation", "")
            # Generated from the criterion's values (groups: their stored label), issue 13.
            labels[node["id"]] = {k: criterion_label(node, k) for k in ("en", "zh")}
            stack.extend(node.get("children", []))

        # Chinese stored before the full-width rule held reads right too (portal/text.py).
        zh = cjk_punctuation if lang == "zh" else str

        def walk(node: dict[str, Any], depth: int) -> None:
            # The rule set's label (display text, relabelled in place by migrations) before
            # the one stored with the result.
            label = labels.get(node["id"]) or node["label"]
            rows.append(
                {
                    "id": node["id"],
                    "depth": depth,
                    "label": zh(label.get(lang) or label.get("en") or node["id"]),
                    "result": node["result"],
                    "result_label": result_label(node["result"], lang),
                    "basis_label": basis_label(node["basis"], lang),
                    "explanation": zh(node["explanation"].get(lang) or node["explanation"]["en"]),
                    "basis": node["basis"],
                    "citation": citations.get(node["id"], ""),
                }
            )
            for child in node.get("children", []):
                walk(child, depth + 1)

        for root in self.results:
            walk(root, 0)
        return rows
