"""Import and export (SPEC §7.7). Sales reps import clients and contacts (page and API); everyone signed in
exports the lists they can read, and no export carries a brief's confidential notes (checked on every GET cell)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.quality.matrix.base import row

CSV = (
    b"client,industry,website,account_owner,name,title,email,phone,buying_role,communication_style,reports_to\r\n"
    b"Matrix Imported AG,Retail,https://imported.example,,Ida Import,CEO,ida@imported.example,,decision_maker,,\r\n"
)


def _upload(**extra):
    def data(world):
        return {"file": SimpleUploadedFile("contacts.csv", CSV, content_type="text/csv"), **extra}

    return data


LISTS = ("clients", "contacts", "offers", "projects", "issues")
EVERYONE = "login 200 200 200 200 200"
SALES = "login 200 200 403 403 403"

ROWS = [
    row("GET", "exchange:import", expect=SALES),
    # The preview writes no client or contact; it keeps the file for the confirmation (a pending import).
    row("POST", "exchange:import", data=_upload(), expect="login W W 403 403 403", note="preview"),
    row(
        "POST",
        "exchange:import_confirm",
        "00000000-0000-4000-8000-000000000000",
        expect="login 404 404 403 403 403",
        note="no such preview",
    ),
    *[row("GET", "exchange:export", name, "csv", expect=EVERYONE, note=name) for name in LISTS],
    row("GET", "exchange:export", "offers", "xlsx", expect=EVERYONE, note="offers, Excel"),
    row("GET", "exchange:export", "contacts", "xlsx", expect=EVERYONE, note="contacts, Excel"),
    row("GET", "exchange:export", "offers", "csv", query="status=open&q=Matrix", expect=EVERYONE, note="filtered"),
    row("GET", "exchange:export", "briefs", "csv", expect="login 404 404 404 404 404", note="no such list"),
    # --- API ---------------------------------------------------------------------------------------
    row("POST", "import-contacts", data=_upload(dry_run="false"), multipart=True, expect="anon W W 403 403 403"),
    row(
        "POST",
        "import-contacts",
        data=_upload(dry_run="true"),
        multipart=True,
        expect="anon 200 200 403 403 403",
        note="dry run: nothing written",
    ),
]
