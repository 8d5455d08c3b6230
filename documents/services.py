"""Every write on documents (SPEC §7.4): upload, delete, freeze. One transaction each, an activity row each.

A file is checked before anything is written (``inspection``), stored under a
generated name, and only then recorded; if recording fails the stored file is
removed again, and if the store is down nothing is recorded (503): never a row
without a file nor a file without a row.
"""

from __future__ import annotations

import os
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.activity import log_activity
from core.errors import TransitionNotAllowed
from documents import storage
from documents.inspection import clean_title, inspect_upload
from documents.models import Document, ParentKind
from documents.parents import parent_kind
from documents.selectors import documents_sold, sees_confidential

NOT_YOURS = {
    ParentKind.CLIENT: gettext_lazy("You may not attach documents to this client."),
    ParentKind.OFFER: gettext_lazy("You may not attach documents to this offer."),
    ParentKind.PROJECT: gettext_lazy("You may not attach documents to this project."),
    ParentKind.DELIVERABLE: gettext_lazy("You may not attach documents to this deliverable."),
    ParentKind.CHANGE_REQUEST: gettext_lazy("You may not attach documents to this change request."),
}


def may_upload(user: Any, kind: str, parent: Model) -> bool:
    return parent_kind(kind).may_write(user, parent)


def document_upload(
    *,
    actor: Any,
    kind: str,
    parent: Model,
    file: IO[bytes],
    name: str | None = None,
    title: str = "",
    confidential: bool = False,
) -> Document:
    """Attach ``file`` to ``parent`` (a ``kind`` of ``ParentKind``)."""
    spec = parent_kind(kind)
    if not spec.may_write(actor, parent):
        raise PermissionDenied(str(NOT_YOURS[kind]))
    client_id = spec.client_id_of(parent)
    if confidential and not sees_confidential(user=actor, client_id=client_id):
        raise ValidationError(
            {"confidential": [_("Only those who see the client's confidential notes may add confidential documents.")]}
        )
    inspected = inspect_upload(file, name=name or getattr(file, "name", None), sha256=getattr(file, "sha256", None))
    extension = os.path.splitext(inspected.file_name)[1].lower()
    stored_name = storage.save(storage.generated_name(extension), file)
    try:
        with transaction.atomic():
            document = Document.objects.create(
                client_id=client_id,
                **({kind: parent} if kind != ParentKind.CLIENT else {}),
                title=clean_title(title, file_name=inspected.file_name),
                file_name=inspected.file_name,
                stored_name=stored_name,
                size=inspected.size,
                content_type=inspected.content_type,
                sha256=inspected.sha256,
                confidential=bool(confidential),
                uploaded_by=actor,
            )
            log_activity(
                actor=actor,
                verb="document added",
                target=parent,
                message=document.title if not document.confidential else _("A confidential document"),
            )
    except BaseException:
        storage.delete_quietly(stored_name)
        raise
    return document


@transaction.atomic
def document_delete(*, document: Document, actor: Any) -> None:
    """The uploader removes a document while no handoff snapshot took it in (409 after)."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.uploaded_by_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the person who uploaded a document may delete it."))
    if document.is_frozen:
        raise TransitionNotAllowed(
            _("This document was sold with the offer and is frozen in the handoff; upload a newer version instead."),
            code="frozen",
        )
    parent = document.parent
    stored_name = document.stored_name
    log_activity(
        actor=actor,
        verb="document deleted",
        target=parent,
        message=document.title if not document.confidential else _("A confidential document"),
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete_quietly(stored_name))


@transaction.atomic
def documents_freeze(*, offer: Any) -> list[Document]:
    """Freeze the offer's and its client's documents (called inside the handoff-snapshot transaction)."""
    documents = documents_sold(offer=offer)
    now = timezone.now()
    unfrozen = [document.pk for document in documents if document.frozen_at is None]
    if unfrozen:
        Document.objects.filter(pk__in=unfrozen, frozen_at__isnull=True).update(frozen_at=now)
        for document in documents:
            if document.pk in unfrozen:
                document.frozen_at = now
    return documents
