"""The record of who opened each stored document file (download, preview, export)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.documents import Document

if TYPE_CHECKING:
    from portal.models import User


class AccessKind(models.TextChoices):
    DOWNLOAD = "download", _("Download")
    PREVIEW = "preview", _("Preview")
    EXPORT = "export", _("Data export")


class DocumentAccessQuerySet(models.QuerySet["DocumentAccess"]):
    def visible_to(self, user: "User") -> "DocumentAccessQuerySet":
        return self.filter(document__in=Document.objects.visible_to(user))


class DocumentAccess(models.Model):
    """One read of a stored document file: who, when (UTC), which version, how, from where.

    Written by ``cases.services.document_open_for_download`` for every download, preview or
    export, by the web pages and the API alike. ``user_email`` keeps who it was if the account
    is later removed.
    """

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="accesses", verbose_name=_("document")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    user_email = models.EmailField(verbose_name=_("user's email"))
    user_role = models.CharField(max_length=16, verbose_name=_("user's role"))
    version = models.PositiveIntegerField(verbose_name=_("version"))
    kind = models.CharField(max_length=16, choices=AccessKind.choices, verbose_name=_("kind"))
    ip_address = models.GenericIPAddressField(null=True, blank=True, verbose_name=_("IP address"))
    accessed_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("opened at")
    )

    objects = DocumentAccessQuerySet.as_manager()

    class Meta:
        ordering = ("-accessed_at", "-id")
        indexes = [models.Index(fields=["document", "-accessed_at"])]
        verbose_name = _("document access")
        verbose_name_plural = _("document accesses")

    def __str__(self) -> str:
        return f"{self.user_email} {self.kind} document {self.document_id} v{self.version}"
