"""Reads of documents, scoped by the reader (SPEC §7.4).

Any document is visible to whoever may read its parent (every authenticated
user, §2); a confidential one only to those who see the client's confidential
notes. Each function runs a fixed number of queries, whatever the rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.module_loading import import_string

from documents.models import OTHER_PARENTS, Document, ParentKind
from documents.parents import confidential_rule, parent_kind


def sees_confidential(*, user: Any, client_id: int) -> bool:
    """The brief's confidential-notes rule (§2), applied to one client."""
    from django.apps import apps

    client = apps.get_model("clients.Client")._default_manager.filter(pk=client_id).first()
    return import_string(confidential_rule().visible)(user=user, client=client)


def documents_visible_to(user: Any) -> QuerySet[Document]:
    if not getattr(user, "is_authenticated", False):
        return Document.objects.none()
    confidential_ok = import_string(confidential_rule().client_ids)(user)
    return Document.objects.filter(Q(confidential=False) | Q(client_id__in=confidential_ok))


def parent_filter(kind: str, parent_id: int) -> Q:
    """The documents attached to one parent; a client's own documents are those without another parent."""
    if kind == ParentKind.CLIENT:
        return Q(client_id=parent_id, **{f"{field}__isnull": True for field in OTHER_PARENTS})
    return Q(**{f"{kind}_id": parent_id})


def document_list(*, user: Any, kind: str | None = None, parent_id: int | None = None) -> QuerySet[Document]:
    queryset = documents_visible_to(user).select_related("uploaded_by")
    if kind and parent_id:
        queryset = queryset.filter(parent_filter(kind, parent_id))
    return queryset.order_by("-uploaded_at", "-id")


def document_get(*, user: Any, pk: int) -> Document:
    """One document; ``Document.DoesNotExist`` when the user may not see it (404, never 403)."""
    return documents_visible_to(user).select_related("uploaded_by").get(pk=pk)


def parent_get(*, user: Any, kind: str, pk: Any) -> Model:
    """The parent a document goes to, as the user may read it; ``LookupError`` for an unknown kind."""
    spec = parent_kind(kind)
    return spec.readable(user).get(pk=pk)


def can_delete(user: Any, document: Document) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False)) and document.uploaded_by_id == user.pk and not document.is_frozen
    )


def documents_sold(*, offer: Any) -> list[Document]:
    """The offer's and its client's own documents: what the handoff snapshot freezes and lists."""
    return list(
        Document.objects.filter(
            parent_filter(ParentKind.OFFER, offer.pk) | parent_filter(ParentKind.CLIENT, offer.client_id)
        )
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def snapshot_entry(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "parent": document.parent_kind,
        "title": document.title,
        "file_name": document.file_name,
        "size": document.size,
        "sha256": document.sha256,
        "content_type": document.content_type,
        "uploaded_by": document.uploaded_by.full_name if document.uploaded_by_id else "",
        "uploaded_at": document.uploaded_at.isoformat(),
    }
