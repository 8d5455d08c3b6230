"""The one way bytes leave the document store: after the permission check, as an attachment."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from documents import storage
from documents.models import Document

# Even if a browser were talked into rendering the file, it would run nothing and load nothing.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


def download_response(document: Document) -> FileResponse:
    """Stream ``document`` (the caller has checked that the user may read it)."""
    try:
        handle = storage.open_for_reading(document.stored_name)
    except FileNotFoundError:
        raise Http404(_("The file of this document is missing from the store.")) from None
    response = FileResponse(handle, as_attachment=True, filename=document.file_name, content_type=document.content_type)
    response["Content-Length"] = str(document.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
