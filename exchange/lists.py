"""What each list page exports: its rows (the page's selector, the API's FilterSet) and its columns.

A list export takes the page's own query string. The permission scope comes
from the app's selector (the rows the page would show this user); the filters
from the FilterSet the API list uses (``exchange.filtersets``), after renaming
the few page parameters that differ (``ALIASES``); the page-only filters the
FilterSets lack (the offer list's ``q`` and ``status=open``, the issue list's
``mine=1``) go to the selector, as on the page. Invalid filter values are
ignored, as the pages ignore them. Confidential fields (the brief's
confidential notes) are in no column.

Rows are read with ``.iterator(chunk_size=...)``: a list of 100 000 offers is
never in memory at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clients.models import BuyingRole, ClientStatus, Contact
from clients.selectors import clients_visible_to, contacts_visible_to, with_counts
from exchange import filtersets
from handoff import selectors as offer_selectors
from handoff.models import OPEN_OFFER_STATUSES, OfferStatus
from projects.models import IssueSeverity, IssueStatus, ProjectHealth, ProjectStatus
from projects.selectors import issue_list, projects_visible_to

CHUNK = 2000


class _Request:
    """What a FilterSet reads from ``request`` (the issue filter's ``mine`` reads the user)."""

    def __init__(self, user: Any) -> None:
        self.user = user


def _full_name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _person_fields(prefix: str) -> tuple[str, str, str]:
    """The user columns ``_person`` reads, for ``values()``."""
    return (f"{prefix}__username", f"{prefix}__first_name", f"{prefix}__last_name")


def _person(row: dict[str, Any], prefix: str, *, or_username: bool = True) -> str:
    """The user's full name from a ``values()`` row; their user name when they have none (``or_username``)."""
    username = row[f"{prefix}__username"] if or_username else None
    return _full_name(row[f"{prefix}__first_name"], row[f"{prefix}__last_name"], username)


def _labels(choices: type) -> dict[str, str]:
    """An enum's labels in the active language, looked up once per export (not once per row)."""
    return {value: str(label) for value, label in choices.choices}


def _money_label(label: Promise) -> Callable[[], str]:
    return lambda: _("%(label)s (%(currency)s)") % {"label": label, "currency": settings.CURRENCY}


@dataclass(frozen=True)
class ListExport:
    name: str
    filterset: type
    # The page's parameter -> the FilterSet's (only where they differ).
    aliases: dict[str, str]
    # (user, params) -> the permission-scoped, ordered base rows; pops the page-only parameters it applies.
    base: Callable[[Any, QueryDict], QuerySet]
    headers: tuple[Promise | Callable[[], str], ...]
    # The queryset -> the rows as lists of values, in ``headers`` order.
    rows: Callable[[QuerySet], Iterator[list[Any]]]

    def header_row(self) -> list[str]:
        return [str(header()) if callable(header) else str(header) for header in self.headers]

    def queryset(self, *, user: Any, params: QueryDict) -> QuerySet:
        params = params.copy()
        for page_name, filter_name in self.aliases.items():
            if page_name in params and filter_name not in params:
                params.setlist(filter_name, params.getlist(page_name))
            params.pop(page_name, None)
        base = self.base(user, params)
        return self.filterset(data=params, queryset=base, request=_Request(user)).qs


# --- Clients ---------------------------------------------------------------------------------
def _clients_base(user: Any, params: QueryDict) -> QuerySet:
    return with_counts(clients_visible_to(user)).order_by("name", "pk")


def _client_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    fields = (
        "name",
        "industry",
        "website",
        "status",
        *_person_fields("account_owner"),
        "contact_count",
        "open_offer_count",
        "project_count",
    )
    statuses = _labels(ClientStatus)
    for row in queryset.values(*fields).iterator(chunk_size=CHUNK):
        yield [
            row["name"],
            row["industry"],
            row["website"],
            statuses.get(row["status"], row["status"]),
            row["account_owner__username"],
            _person(row, "account_owner", or_username=False),
            row["contact_count"],
            row["open_offer_count"],
            row["project_count"],
        ]


CLIENTS = ListExport(
    name="clients",
    filterset=filtersets.ClientFilter,
    aliases={"q": "search", "owner": "account_owner"},
    base=_clients_base,
    headers=(
        _("Client"),
        _("Industry"),
        _("Website"),
        _("Status"),
        _("Account owner (user name)"),
        _("Account owner"),
        _("Contacts"),
        _("Open offers"),
        _("Projects"),
    ),
    rows=_client_rows,
)


# --- Contacts: the import's own columns, so an export imports back unchanged -------------------
# The import reads these headers too (``exchange.imports.COLUMNS`` keeps the same labels).
CONTACT_HEADERS = (
    _("Client"),
    _("Industry"),
    _("Website"),
    _("Account owner"),
    _("Name"),
    _("Title"),
    _("E-mail"),
    _("Phone"),
    _("Buying role"),
    _("Communication style"),
    _("Reports to"),
)
CLIENT_PAGE_FILTERS = ("q", "status", "owner")


def _client_page_params(params: QueryDict) -> QueryDict:
    """The client list page's filters among ``params``, under the names of the clients' FilterSet."""
    client_params = QueryDict(mutable=True)
    for name in CLIENT_PAGE_FILTERS:
        if params.get(name):
            client_params[CLIENTS.aliases.get(name, name)] = params[name]
    return client_params


def _filtered_clients(clients: QuerySet, client_params: QueryDict, user: Any) -> QuerySet:
    return CLIENTS.filterset(data=client_params, queryset=clients, request=_Request(user)).qs


def _contacts_base(user: Any, params: QueryDict) -> QuerySet:
    contacts = contacts_visible_to(user)
    # The client list's own filters (from its page) narrow the clients whose contacts are exported.
    client_params = _client_page_params(params)
    for name in CLIENT_PAGE_FILTERS:
        params.pop(name, None)
    if client_params:
        clients = _filtered_clients(clients_visible_to(user), client_params, user)
        contacts = contacts.filter(client__in=clients.values("pk"))
    # A manager is named by e-mail when it is theirs alone in the client, else by name (a shared mailbox).
    shared = Contact.objects.filter(client_id=OuterRef("client_id"), email__iexact=OuterRef("reports_to__email"))
    contacts = contacts.annotate(manager_email_shared=Exists(shared.exclude(pk=OuterRef("reports_to_id"))))
    return contacts.order_by("client__name", "client_id", "name", "pk")


CONTACT_FIELDS = (
    "client__name",
    "client__industry",
    "client__website",
    "client__account_owner__username",
    "name",
    "title",
    "email",
    "phone",
    "buying_role",
    "communication_style",
    "reports_to__email",
    "reports_to__name",
    "manager_email_shared",
)


def _manager(row: dict[str, Any]) -> str:
    """The manager's e-mail (how the import finds them), or their name when they have none or share it."""
    if row["reports_to__email"] and not row["manager_email_shared"]:
        return row["reports_to__email"]
    return row["reports_to__name"] or ""


def _contact_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    roles = _labels(BuyingRole)
    for row in queryset.values(*CONTACT_FIELDS).iterator(chunk_size=CHUNK):
        yield [
            row["client__name"],
            row["client__industry"],
            row["client__website"],
            row["client__account_owner__username"],
            row["name"],
            row["title"],
            row["email"],
            row["phone"],
            roles.get(row["buying_role"], row["buying_role"]),
            row["communication_style"],
            _manager(row),
        ]


class _ContactsExport(ListExport):
    """Contacts, then (when no contact filter narrows the list) the clients without contacts.

    A client without contacts is one row with empty contact columns, so exporting the
    clients and contacts and importing the file back restores every client (SPEC §7.7).
    """

    CONTACT_FILTERS = ("client", "buying_role", "reports_to", "search")

    def export_rows(self, *, user: Any, params: QueryDict) -> Iterator[list[Any]]:
        yield from _contact_rows(self.queryset(user=user, params=params))
        if any(params.get(name) for name in self.CONTACT_FILTERS):
            return
        clients = clients_visible_to(user).filter(contacts__isnull=True)
        clients = _filtered_clients(clients, _client_page_params(params), user)
        fields = ("name", "industry", "website", "account_owner__username")
        for row in clients.order_by("name", "pk").values(*fields).iterator(chunk_size=CHUNK):
            yield [row["name"], row["industry"], row["website"], row["account_owner__username"]] + [""] * 7


CONTACTS = _ContactsExport(
    name="contacts",
    filterset=filtersets.ContactFilter,
    aliases={},
    base=_contacts_base,
    headers=CONTACT_HEADERS,
    rows=_contact_rows,
)


# --- Offers -----------------------------------------------------------------------------------
def _offers_base(user: Any, params: QueryDict) -> QuerySet:
    status = params.get("status")
    if status == "open":
        params.pop("status")
    ordering = params.pop("sort", [None])[-1]
    ordering = ordering if (ordering or "").lstrip("-") in offer_selectors.OFFER_ORDERINGS else None
    return offer_selectors.offer_list(
        user=user,
        q=(params.pop("q", [""])[-1] or "").strip()[:100] or None,
        status=list(OPEN_OFFER_STATUSES) if status == "open" else None,
        ordering=ordering or offer_selectors.DEFAULT_OFFER_ORDERING,
    )


def _offer_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    fields = (
        "title",
        "client__name",
        "status",
        *_person_fields("owner"),
        "value",
        "probability",
        "expected_close",
        "desired_start",
        "desired_end",
        "created_at",
    )
    statuses = _labels(OfferStatus)
    for row in queryset.values(*fields).iterator(chunk_size=CHUNK):
        yield [
            row["title"],
            row["client__name"],
            statuses.get(row["status"], row["status"]),
            _person(row, "owner"),
            row["value"],
            row["probability"],
            row["expected_close"],
            row["desired_start"],
            row["desired_end"],
            row["created_at"].date() if row["created_at"] else None,
        ]


OFFERS = ListExport(
    name="offers",
    filterset=filtersets.OfferFilter,
    aliases={},
    base=_offers_base,
    headers=(
        _("Title"),
        _("Client"),
        _("Status"),
        _("Owner"),
        _money_label(_("Value")),
        _("Win probability (%)"),
        _("Expected close"),
        _("Desired start"),
        _("Desired end"),
        _("Created"),
    ),
    rows=_offer_rows,
)


# --- Projects ---------------------------------------------------------------------------------
def _projects_base(user: Any, params: QueryDict) -> QuerySet:
    return projects_visible_to(user).order_by("-created_at", "-id")


def _project_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    fields = (
        "name",
        "client__name",
        "status",
        "health",
        *_person_fields("pm"),
        *_person_fields("sales_liaison"),
        "budget",
        "planned_start",
        "planned_end",
    )
    statuses, healths = _labels(ProjectStatus), _labels(ProjectHealth)
    for row in queryset.values(*fields).iterator(chunk_size=CHUNK):
        yield [
            row["name"],
            row["client__name"],
            statuses.get(row["status"], row["status"]),
            healths.get(row["health"], row["health"]),
            _person(row, "pm"),
            _person(row, "sales_liaison"),
            row["budget"],
            row["planned_start"],
            row["planned_end"],
        ]


PROJECTS = ListExport(
    name="projects",
    filterset=filtersets.ProjectFilter,
    aliases={},
    base=_projects_base,
    headers=(
        _("Project"),
        _("Client"),
        _("Status"),
        _("Health"),
        _("Project manager"),
        _("Sales liaison"),
        _money_label(_("Budget")),
        _("Planned start"),
        _("Planned end"),
    ),
    rows=_project_rows,
)


# --- Client issues ----------------------------------------------------------------------------
def _issues_base(user: Any, params: QueryDict) -> QuerySet:
    # The page's "mine=1"; the API's "mine=true" is the FilterSet's.
    mine = params.get("mine") == "1"
    if mine:
        params.pop("mine")
    return issue_list(user=user, mine=mine)


def _issue_rows(queryset: QuerySet) -> Iterator[list[Any]]:
    severities, statuses = _labels(IssueSeverity), _labels(IssueStatus)
    for issue in queryset.iterator(chunk_size=CHUNK):
        yield [
            issue.title,
            severities.get(issue.severity, issue.severity),
            statuses.get(issue.status, issue.status),
            issue.client.name,
            issue.project.name if issue.project_id else "",
            ", ".join(person.full_name for person in issue.assignees.all()),
            issue.created_at.date() if issue.created_at else None,
        ]


ISSUES = ListExport(
    name="issues",
    filterset=filtersets.IssueFilter,
    aliases={},
    base=_issues_base,
    headers=(_("Issue"), _("Severity"), _("Status"), _("Client"), _("Project"), _("Assignees"), _("Logged")),
    rows=_issue_rows,
)


LISTS: dict[str, ListExport] = {export.name: export for export in (CLIENTS, CONTACTS, OFFERS, PROJECTS, ISSUES)}


def export_rows(export: ListExport, *, user: Any, params: QueryDict) -> Iterator[list[Any]]:
    if isinstance(export, _ContactsExport):
        return export.export_rows(user=user, params=params)
    return export.rows(export.queryset(user=user, params=params))
