from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingImport(models.Model):
    """An uploaded file between its preview and its confirmation (SPEC §7.7).

    The bytes are kept in the database, not in a cache or a temporary folder, so
    the confirmation works on whichever machine it lands (§7.8) and re-validates
    exactly the file that was previewed. A row is claimed once (deleted when
    confirmed) and expires after ``exchange.services.PENDING_TTL``.
    """

    token = models.UUIDField(_("token"), default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [models.Index(fields=["created_at"], name="exchange_pending_created_idx")]

    def __str__(self) -> str:
        return self.filename
