"""Documents (SPEC §7.4): a file attached to a client (its brief), an offer, a project, a deliverable or a change request.

The row keeps what the portal shows and checks (title, original name, size,
type, SHA-256, who and when, confidential, frozen); the bytes live in the
``documents`` storage under a generated name (``stored_name``), read and
written only through ``documents.storage``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ParentKind(models.TextChoices):
    CLIENT = "client", _("Client")
    OFFER = "offer", _("Offer")
    PROJECT = "project", _("Project")
    DELIVERABLE = "deliverable", _("Deliverable")
    CHANGE_REQUEST = "change_request", _("Change request")


TYPE_LABELS = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "ODT",
    "application/vnd.oasis.opendocument.spreadsheet": "ODS",
    "application/vnd.oasis.opendocument.presentation": "ODP",
    "text/plain": "Text",
    "text/csv": "CSV",
}

# The parents besides the client, each a nullable foreign key; none set means the client's own document.
OTHER_PARENTS = ("offer", "project", "deliverable", "change_request")


def _at_most_one(fields: tuple[str, ...]) -> Q:
    none_set = Q(**{f"{field}__isnull": True for field in fields})
    exactly_one = Q()
    for chosen in fields:
        exactly_one |= Q(**{f"{field}__isnull": field != chosen for field in fields})
    return none_set | exactly_one


class Document(models.Model):
    # Always the client the parent belongs to: the confidential rule (§2) and the lists key on it.
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="documents")
    offer = models.ForeignKey(
        "handoff.Offer", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    project = models.ForeignKey(
        "projects.Project", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    deliverable = models.ForeignKey(
        "projects.Deliverable", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    change_request = models.ForeignKey(
        "projects.ChangeRequest", null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=300, unique=True, editable=False)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=150)
    sha256 = models.CharField(max_length=64)
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Set when a won offer's handoff snapshot took it in: from then on it cannot be deleted.
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=_at_most_one(OTHER_PARENTS), name="document_one_parent"),
            models.CheckConstraint(condition=Q(size__gt=0), name="document_not_empty"),
        ]
        indexes = [
            models.Index(fields=["client", "-uploaded_at"], name="document_client_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def parent_kind(self) -> str:
        for field in OTHER_PARENTS:
            if getattr(self, f"{field}_id"):
                return field
        return ParentKind.CLIENT

    @property
    def parent(self) -> models.Model:
        return getattr(self, self.parent_kind)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def type_label(self) -> str:
        """A short name of the type for the list's type mark ("PDF", "Word", "CSV")."""
        return TYPE_LABELS.get(self.content_type, self.content_type.rsplit("/", 1)[-1].upper())

    def get_download_url(self) -> str:
        return reverse("documents:download", args=[self.pk])
