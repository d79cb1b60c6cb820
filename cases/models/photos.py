"""The photo check of one document version (issue 13): what the checker found and, when the
photo could be fixed, the corrected copy offered to the applicant."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.documents import Document
from cases.uploads.photo_messages import fix_text, problem_text


class PhotoCheck(models.Model):
    """The result of ``cases/services/photos.py``'s check of one version of a photo
    requirement (it belongs to the version's firm through its case).

    ``problems`` and ``fixes`` are lists of ``{"code": str, "params": {str: int}}`` worded when
    shown (``cases/uploads/photo_messages.py``). ``corrected_name`` is the private storage key
    of the corrected JPEG ("" when none was made), ``corrected_size_bytes`` its size in bytes,
    ``corrected_width`` / ``corrected_height`` in pixels. ``used_as`` is the version made from
    the corrected copy once someone chose "Use the corrected photo" (at most once).
    """

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, related_name="photo_check", verbose_name=_("document")
    )
    problems = models.JSONField(default=list, verbose_name=_("problems found"))
    fixes = models.JSONField(default=list, verbose_name=_("corrections made"))
    corrected_name = models.CharField(
        max_length=200, blank=True, verbose_name=_("corrected photo (storage key)")
    )
    corrected_size_bytes = models.PositiveIntegerField(
        default=0, verbose_name=_("corrected photo size (bytes)")
    )
    corrected_width = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("corrected photo width (pixels)")
    )
    corrected_height = models.PositiveSmallIntegerField(
        default=0, verbose_name=_("corrected photo height (pixels)")
    )
    used_as = models.ForeignKey(
        Document,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("used as version"),
    )
    checked_at = models.DateTimeField(auto_now_add=True, verbose_name=_("checked at"))

    class Meta:
        verbose_name = _("photo check")
        verbose_name_plural = _("photo checks")
        ordering = ("-checked_at", "-id")

    def __str__(self) -> str:
        return f"photo check of document {self.document_id}"

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def problem_texts(self) -> list[str]:
        """One sentence per failed check, in the active language."""
        return [problem_text(p.get("code", ""), p.get("params", {})) for p in self.problems]

    @property
    def fix_texts(self) -> list[str]:
        """One sentence per change in the corrected copy, in the active language."""
        texts = [fix_text(f.get("code", ""), f.get("params", {})) for f in self.fixes]
        return [t for t in texts if t]

    @property
    def has_correction(self) -> bool:
        """A corrected copy exists and has not been used yet."""
        return bool(self.corrected_name) and self.used_as_id is None
