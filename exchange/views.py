"""The import page (upload, preview, confirm) and the exports of the list pages (SPEC §7.7). Thin."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clients.services import WRITERS_ONLY, can_write_clients
from exchange import exports
from exchange.imports import COLUMN_LABELS, COLUMNS, ImportResult
from exchange.lists import LISTS, export_rows
from exchange.models import PendingImport
from exchange.reading import MAX_ROWS
from exchange.services import contacts_import, pending_import_confirm, pending_import_store


# --- Import ------------------------------------------------------------------------------------------
def _ensure_writer(request: HttpRequest) -> None:
    if not can_write_clients(request.user):
        raise PermissionDenied(_(WRITERS_ONLY))


def _context(result: ImportResult | None = None, **extra: Any) -> dict[str, Any]:
    columns = result.columns if result is not None else []
    labels = {column: str(COLUMN_LABELS[column][0]) for column in COLUMNS}
    return {
        "result": result,
        "columns": columns,
        "header_labels": [labels[column] for column in columns],
        "all_columns": list(labels.items()),
        "max_rows": MAX_ROWS,
        "summary": result.as_dict() if result is not None else None,
        "preview_rows": [
            (line, [(labels[column], value, errors) for column, value, errors in line.cell_list(columns)])
            for line in (result.lines if result is not None else [])
        ],
        **extra,
    }


def _upload(request: HttpRequest) -> tuple[bytes, str] | None:
    upload = request.FILES.get("file")
    if upload is None:
        return None
    with upload.open("rb") as handle:
        return handle.read(), upload.name or ""


@require_http_methods(["GET", "POST"])
def import_view(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: the preview of the uploaded file (nothing written) and its confirm button."""
    _ensure_writer(request)
    if request.method == "GET":
        return render(request, "exchange/import.html", _context())
    uploaded = _upload(request)
    if uploaded is None:
        refused = getattr(request, "upload_refused", None) or _("Choose a CSV or Excel file to import.")
        return render(request, "exchange/import.html", _context(upload_error=refused), status=400)
    content, filename = uploaded
    result = contacts_import(actor=request.user, content=content, filename=filename, dry_run=True)
    pending = None
    if not result.errors:
        pending = pending_import_store(actor=request.user, content=content, filename=filename)
    return render(request, "exchange/import.html", _context(result, pending=pending, filename=filename))


@require_POST
def import_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Import the previewed file, checked again; all rows or none."""
    _ensure_writer(request)
    try:
        result = pending_import_confirm(actor=request.user, token=token)
    except PendingImport.DoesNotExist:
        raise Http404(_("This preview has expired or was already imported; upload the file again."))
    if not result.written:
        # The data changed since the preview: show what stands in the way now; nothing was written.
        return render(request, "exchange/import.html", _context(result, changed_since=True), status=400)
    counts = result.as_dict()
    messages.success(
        request,
        ngettext(
            "Imported %(rows)s row: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            "Imported %(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
            counts["rows"],
        )
        % counts,
    )
    return redirect(reverse("clients:list"))


# --- Export ------------------------------------------------------------------------------------------
def _in_language(language: str, rows):
    """The rows' labels in the language of the request, also while the response streams after the view."""
    with translation.override(language):
        yield from rows


@require_GET
def export_view(request: HttpRequest, list_name: str, fmt: str) -> HttpResponse:
    """The list as the page shows it to this user (same filters, same scope), as CSV or Excel."""
    export = LISTS.get(list_name)
    if export is None or fmt not in exports.FORMATS:
        raise Http404(_("No such export."))
    rows = _in_language(translation.get_language(), export_rows(export, user=request.user, params=request.GET))
    header = export.header_row()
    if fmt == "csv":
        return exports.csv_response(name=list_name, header=header, rows=rows)
    return exports.xlsx_response(name=list_name, title=list_name, header=header, rows=rows)
