"""Demo papers: small PDFs generated in code (no binary files in the repository), attached through the service."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db.models import Model

from documents.models import Document
from documents.pdf import simple_pdf
from documents.services import document_upload


def attach_pdf(*, actor: Any, kind: str, parent: Model, file_name: str, title: str, lines: list[str]) -> Document:
    """Attach a one-page PDF called ``file_name`` to ``parent``, unless one of that name is already there."""
    existing = Document.objects.filter(**{kind if kind != "client" else "client_id": parent.pk}, file_name=file_name)
    if kind == "client":
        existing = existing.filter(offer=None, project=None, deliverable=None, change_request=None)
    if document := existing.first():
        return document
    content = ContentFile(simple_pdf(title, lines), name=file_name)
    return document_upload(actor=actor, kind=kind, parent=parent, file=content, name=file_name, title=title)
