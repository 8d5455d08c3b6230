"""The client pages: list, detail (org chart, brief, offers, projects), create/edit, contacts and the brief.

Thin: reads through ``clients.selectors``, writes through ``clients.services``.
One view serves the page and its htmx fragment. A non-htmx POST redirects with
a message (PRG); an htmx POST answers with the changed fragment, or with the
form again and its errors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from clients.filters import ClientListFilter
from clients.forms import BriefForm, ClientForm, ContactForm
from clients.models import Client, ClientBrief, ClientStatus, Contact
from clients.selectors import account_owner_choices, client_detail, client_get, client_list, contact_get
from clients.services import (
    WRITERS_ONLY,
    brief_update,
    can_edit_client,
    can_manage_account,
    can_write_clients,
    client_create,
    client_update,
    contact_create,
    contact_delete,
    contact_update,
)
from core.errors import StaleVersion
from core.forms import add_service_errors
from core.htmx import is_fragment, redirect_after, render_page_or_fragment

PAGE_SIZE = 25


def _get_client(request: HttpRequest, pk: int) -> Client:
    try:
        return client_get(user=request.user, pk=pk)
    except Client.DoesNotExist:
        raise Http404(gettext("No such client."))


def _ensure_writer(request: HttpRequest) -> None:
    if not can_write_clients(request.user):
        raise PermissionDenied(gettext(WRITERS_ONLY))


def _detail_url(client: Client | int, anchor: str = "") -> str:
    pk = client if isinstance(client, int) else client.pk
    return reverse("clients:detail", args=[pk]) + anchor


def _detail_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    try:
        detail = client_detail(user=request.user, pk=pk)
    except Client.DoesNotExist:
        raise Http404(gettext("No such client."))
    can_write = can_write_clients(request.user)
    return {
        "detail": detail,
        "client": detail.client,
        "brief": detail.brief,
        "can_write": can_write,
        "can_manage_account": can_manage_account(request.user, detail.client),
        "confidential_visible": detail.confidential_visible,
    }


# --- List ------------------------------------------------------------------------------
def _filter_errors(filterset: ClientListFilter) -> list[tuple[str, str]]:
    """Each refused filter value as (the field's label, the message), in the form's order."""
    fields = filterset.form.fields
    return [
        (str(fields[name].label) if name in fields else "", message)
        for name, messages in filterset.errors.items()
        for message in messages
    ]


@require_GET
def client_list_view(request: HttpRequest) -> HttpResponse:
    """The clients, narrowed by ``ClientListFilter`` (the API's filters under the page's names).

    Filters that cannot be applied are shown as errors instead of a list: a 400 for the page, the
    fragment with a 200 for htmx (which does not swap error responses).
    """
    filterset = ClientListFilter(request.GET, queryset=client_list(user=request.user))
    valid = filterset.is_valid()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filterset": filterset,
        "filter_errors": [] if valid else _filter_errors(filterset),
        "filters": {name: request.GET.get(name, "").strip() for name in ("q", "status", "owner")},
        "filtered": any(request.GET.get(name, "").strip() for name in ("q", "status", "owner")),
        "statuses": ClientStatus.choices,
        "owners": list(account_owner_choices()),
        "query": query.urlencode(),
        "can_write": can_write_clients(request.user),
    }
    if valid:
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(page=page, clients=page.object_list)
    status = 400 if not valid and not is_fragment(request) else None
    return render_page_or_fragment(
        request, "clients/client_list.html", "clients/client_list.html#client-table", context, status=status
    )


# --- Detail ----------------------------------------------------------------------------
@require_GET
def client_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    # The issues, the pulse trend and the lessons are projects' sections, loaded by the page with hx-get.
    return render(request, "clients/client_detail.html", _detail_context(request, pk))


# --- Create and edit -------------------------------------------------------------------
def _client_form_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render_page_or_fragment(request, "clients/client_form.html", "clients/client_form.html#client-form", context)


def _saved(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect_after(request, url)


@require_http_methods(["GET", "POST"])
def client_create_view(request: HttpRequest) -> HttpResponse:
    _ensure_writer(request)
    form = ClientForm(request.POST or None, actor=request.user)
    context = {"form": form, "client": None}
    if request.method == "POST" and form.is_valid():
        try:
            client = client_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = gettext("Client “%(name)s” created. Add its contacts and brief.") % {"name": client.name}
            return _saved(request, _detail_url(client), message)
    return _client_form_response(request, context)


@require_http_methods(["GET", "POST"])
def client_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = _get_client(request, pk)
    if not can_edit_client(request.user, client):
        raise PermissionDenied(gettext(WRITERS_ONLY))
    manage = can_manage_account(request.user, client)
    initial = {field: getattr(client, field) for field in ("name", "industry", "website", "account_owner", "status")}
    form = ClientForm(
        request.POST or None,
        initial=initial,
        actor=request.user,
        can_manage_account=manage,
        can_write=can_write_clients(request.user),
        creating=False,
        client_pk=client.pk,
    )
    context = {"form": form, "client": client}
    if request.method == "POST" and form.is_valid():
        try:
            client = client_update(actor=request.user, client=client, **form.changed_values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _saved(request, _detail_url(client), gettext("Client “%(name)s” saved.") % {"name": client.name})
    return _client_form_response(request, context)


# --- Contacts --------------------------------------------------------------------------
def _contacts_changed(request: HttpRequest, client: Client, message: str) -> HttpResponse:
    """After a contact change: the org chart again, with the open items and the timeline out of band."""
    if not is_fragment(request):
        messages.success(request, message)
        return redirect(_detail_url(client, "#contacts"))
    context = _detail_context(request, client.pk)
    context["notice"] = message
    response = render(request, "clients/_contacts_changed.html", context)
    response["HX-Retarget"] = "#contacts"
    response["HX-Reswap"] = "outerHTML"
    response["HX-Trigger"] = "closeModal"
    return response


def _contact_form_response(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    return render_page_or_fragment(
        request, "clients/contact_form.html", "clients/contact_form.html#contact-form", context
    )


def _contact_values(form: ContactForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@require_http_methods(["GET", "POST"])
def contact_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    client = _get_client(request, pk)
    _ensure_writer(request)
    initial = {}
    if request.GET.get("reports_to", "").isdigit():
        initial["reports_to"] = int(request.GET["reports_to"])
    form = ContactForm(request.POST or None, client=client, initial=initial)
    context = {"form": form, "client": client, "contact": None}
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_create(actor=request.user, client=client, **_contact_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = gettext("%(name)s added to the organisation chart.") % {"name": contact.name}
            return _contacts_changed(request, client, message)
    return _contact_form_response(request, context)


def _get_contact(request: HttpRequest, client: Client, contact_pk: int) -> Contact:
    try:
        return contact_get(user=request.user, pk=contact_pk, client=client)
    except Contact.DoesNotExist:
        raise Http404(gettext("No such contact at this client."))


@require_http_methods(["GET", "POST"])
def contact_edit_view(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    client = _get_client(request, pk)
    contact = _get_contact(request, client, contact_pk)
    _ensure_writer(request)
    initial = {
        field: getattr(contact, field)
        for field in ("name", "title", "email", "phone", "reports_to", "buying_role", "communication_style")
    }
    form = ContactForm(request.POST or None, client=client, contact=contact, initial=initial)
    context = {"form": form, "client": client, "contact": contact}
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_update(actor=request.user, contact=contact, **_contact_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _contacts_changed(request, client, gettext("%(name)s saved.") % {"name": contact.name})
    return _contact_form_response(request, context)


@require_http_methods(["GET", "POST"])
def contact_delete_view(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    client = _get_client(request, pk)
    contact = _get_contact(request, client, contact_pk)
    _ensure_writer(request)
    if request.method == "POST":
        contact_delete(actor=request.user, contact=contact)
        message = gettext("%(name)s removed from the organisation chart.") % {"name": contact.name}
        return _contacts_changed(request, client, message)
    reports = list(contact.direct_reports.all())
    context = {
        "client": client,
        "contact": contact,
        "reports": reports,
        "report_names": ", ".join(person.name for person in reports),
    }
    return render_page_or_fragment(
        request, "clients/contact_delete.html", "clients/contact_delete.html#contact-delete", context
    )


# --- The brief -------------------------------------------------------------------------
def _brief_initial(brief: ClientBrief, confidential_visible: bool) -> dict[str, Any]:
    fields = ClientBrief.EDITABLE_FIELDS if confidential_visible else ClientBrief.PUBLIC_FIELDS
    return {"version": brief.version, **{field: getattr(brief, field) for field in fields}}


@require_GET
def brief_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The brief in view mode: the fragment for htmx (Cancel), the client page otherwise."""
    if not is_fragment(request):
        return redirect(_detail_url(pk, "#brief"))
    return render(request, "clients/_brief.html", _detail_context(request, pk))


@require_http_methods(["GET", "POST"])
def brief_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The brief's edit form (GET) and its save (POST), with optimistic versioning.

    On a stale version the form comes back with the NEWER values and version, the
    user's own text shown next to each field it differs in, so nothing is lost.
    """
    context = _detail_context(request, pk)
    _ensure_writer(request)
    client, brief, visible = context["client"], context["brief"], context["confidential_visible"]
    form = BriefForm(request.POST or None, initial=_brief_initial(brief, visible), confidential_visible=visible)
    if request.method == "POST" and form.is_valid():
        try:
            brief_update(actor=request.user, client=client, version=form.cleaned_data["version"], **form.brief_values())
        except StaleVersion as stale:
            current = stale.current
            mine = form.brief_values()
            form = BriefForm(initial=_brief_initial(current, visible), confidential_visible=visible)
            context["stale"] = stale.message
            context["yours"] = {
                field: text for field, text in mine.items() if field in form.fields and text != getattr(current, field)
            }
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not is_fragment(request):
                messages.success(request, gettext("Brief saved."))
                return redirect(_detail_url(client, "#brief"))
            context = _detail_context(request, pk)
            context["notice"] = gettext("Brief saved.")
            return render(request, "clients/_brief_saved.html", context)
    context["form"] = form
    yours = context.get("yours", {})
    context["brief_fields"] = [(form[name], yours.get(name)) for name in form.fields if name != "version"]
    return render_page_or_fragment(request, "clients/brief_form.html", "clients/brief_form.html#brief-form", context)
