"""Documents (SPEC §7.4), pages and API. Everyone signed in reads a document of a parent they may read; a
confidential one only those who see the client's confidential notes (the account owner ``rep``, the reviewing
``pm``, managers), everyone else gets 404. Uploads follow who writes the parent (the offer: its owner; the
client: reps and managers; the project: its PM and its sales liaison); deletes are the uploader's, and a
document frozen into a handoff snapshot is a 409."""

from django.core.files.uploadedfile import SimpleUploadedFile

from documents.pdf import simple_pdf
from tests.quality.matrix.base import row

EVERYONE = "200 200 200 200 200"
CONFIDENTIAL = "200 404 200 404 200"


def upload(parent: str, key: str):
    def data(world):
        return {parent: world.id(key), "file": SimpleUploadedFile("Statement of work.pdf", simple_pdf("SOW"))}

    return data


def page_upload(world):
    return {"file": SimpleUploadedFile("Statement of work.pdf", simple_pdf("SOW"))}


ROWS = [
    # --- API ---------------------------------------------------------------------------------------------------
    row("GET", "document-list", expect=f"anon {EVERYONE}"),
    row("GET", "document-list", query="offer=1", expect=f"anon {EVERYONE}", note="by parent"),
    row("GET", "document-detail", "document", expect=f"anon {EVERYONE}"),
    row("GET", "document-detail", "document_confidential", expect=f"anon {CONFIDENTIAL}", note="confidential"),
    row("GET", "document-download", "document", expect=f"anon {EVERYONE}"),
    row("GET", "document-download", "document_confidential", expect=f"anon {CONFIDENTIAL}", note="confidential"),
    row("POST", "document-list", data=upload("offer", "offer_sent"), multipart=True, expect="anon W 403 403 403 403"),
    row(
        "POST",
        "document-list",
        data=upload("client", "client"),
        multipart=True,
        expect="anon W W 403 403 403",  # managers do not write clients' papers (SPEC §2)
        note="client",
    ),
    row(
        "POST",
        "document-list",
        data=upload("project", "project"),
        multipart=True,
        expect="anon W 403 W 403 403",
        note="project",
    ),
    row("DELETE", "document-detail", "document", expect="anon W 403 403 403 403"),
    row("DELETE", "document-detail", "document_confidential", expect="anon W 404 403 404 403", note="confidential"),
    row("DELETE", "document-detail", "document_frozen", expect="anon 409 403 403 403 403", note="frozen"),
    # --- Pages -------------------------------------------------------------------------------------------------
    row("GET", "documents:section", "offer", "offer_sent", expect=f"login {EVERYONE}"),
    row("POST", "documents:section", "offer", "offer_sent", data=page_upload, expect="login W 403 403 403 403"),
    row("GET", "documents:download", "document", expect=f"login {EVERYONE}"),
    row("GET", "documents:download", "document_confidential", expect=f"login {CONFIDENTIAL}", note="confidential"),
    row("POST", "documents:delete", "document", expect="login W 403 403 403 403"),
    row("POST", "documents:delete", "document_frozen", expect="login 302 403 403 403 403", note="frozen"),
]
