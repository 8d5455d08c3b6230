"""Documents on the pages: the section a parent's page loads with ``hx-get``, upload, delete, download.

One view serves the section and its writes: an htmx POST answers with the
section re-rendered, a plain POST redirects back to the parent's page (PRG).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import DomainError, ServiceUnavailable
from core.forms import add_service_errors
from core.htmx import is_fragment
from documents import selectors, services
from documents.downloads import download_response
from documents.forms import DocumentUploadForm
from documents.models import Document, ParentKind
from documents.parents import PARENTS


def _parent(request: HttpRequest, kind: str, parent_id: int) -> Any:
    if kind not in PARENTS:
        raise Http404
    try:
        return selectors.parent_get(user=request.user, kind=kind, pk=parent_id)
    except ObjectDoesNotExist:
        raise Http404 from None


def _section(
    request: HttpRequest, kind: str, parent: Any, *, form: DocumentUploadForm | None = None, status: int = 200
):
    documents = list(selectors.document_list(user=request.user, kind=kind, parent_id=parent.pk))
    for document in documents:
        document.deletable = selectors.can_delete(request.user, document)
    may_upload = services.may_upload(request.user, kind, parent)
    context = {
        "kind": kind,
        "kind_label": ParentKind(kind).label,
        "parent": parent,
        "documents": documents,
        "may_upload": may_upload,
        "may_mark_confidential": may_upload
        and selectors.sees_confidential(user=request.user, client_id=PARENTS[kind].client_id_of(parent)),
        "form": form or DocumentUploadForm(),
    }
    if is_fragment(request):
        return render(request, "documents/_section.html", context, status=status)
    back = parent.get_absolute_url() if hasattr(parent, "get_absolute_url") else "/"
    context.update(
        modal_template="documents/_section.html",
        page_title=_("Documents of %(parent)s") % {"parent": parent},
        crumbs=[(str(parent), back)],
    )
    return render(request, "_modal_page.html", context, status=status)


def _back(request: HttpRequest, parent: Any) -> HttpResponse:
    url = parent.get_absolute_url() if hasattr(parent, "get_absolute_url") else "/"
    return redirect(url + "#documents")


@require_http_methods(["GET", "POST"])
def section_view(request: HttpRequest, kind: str, parent_id: int) -> HttpResponse:
    parent = _parent(request, kind, parent_id)
    if request.method == "GET":
        return _section(request, kind, parent)
    refused = getattr(request, "upload_refused", None)
    form = DocumentUploadForm(request.POST, request.FILES)
    if refused:
        form.is_valid()
        form.add_error("file", refused)
    elif form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                actor=request.user,
                kind=kind,
                parent=parent,
                file=upload,
                name=upload.name,
                title=form.cleaned_data["title"],
                confidential=form.cleaned_data["confidential"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except ServiceUnavailable as error:
            form.add_error(None, error.message)
            if not request.htmx:
                messages.error(request, error.message)
                return _back(request, parent)
            return _section(request, kind, parent, form=form, status=503)
        else:
            if not request.htmx:
                messages.success(request, _("Document uploaded."))
                return _back(request, parent)
            return _section(request, kind, parent)
    if not request.htmx:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return _back(request, parent)
    # 200: htmx swaps the section with the form's errors in place (it does not swap a 4xx).
    return _section(request, kind, parent, form=form)


def _document(request: HttpRequest, pk: int) -> Document:
    try:
        return selectors.document_get(user=request.user, pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None


@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    kind, parent = document.parent_kind, document.parent
    try:
        services.document_delete(document=document, actor=request.user)
    except PermissionDenied:
        raise
    except DomainError as error:
        if not request.htmx:
            messages.error(request, error.message)
            return _back(request, parent)
        response = _section(request, kind, parent, status=409)
        return response
    if not request.htmx:
        messages.success(request, _("Document deleted."))
        return _back(request, parent)
    return _section(request, kind, parent)


@require_GET
def download_view(request: HttpRequest, pk: int) -> HttpResponse:
    document = _document(request, pk)
    try:
        return download_response(document)
    except ServiceUnavailable as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
