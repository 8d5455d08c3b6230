"""Reads of clients, contacts and briefs, scoped by the reader, with their joins.

Every authenticated user may read every client and contact (SPEC §2); the
brief's ``confidential_notes`` only those ``brief_confidential_visible_to``
names. Every function runs a fixed number of queries, whatever the rows.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, Contact
from clients.registry import client_counts, confidential_readers
from core.activity import activity_for
from core.models import Activity


# --- Who sees the confidential notes: the ONE place that decides it ---------------------------
def _reader_of(user: Any, client_id: Any) -> Q:
    """Whether ``user`` reads the client's notes through a registered reason (handoff: reviews of its
    offers; projects: projects they lead), as one condition (false when none is registered)."""
    conditions = [Exists(rows(user, client_id)) for rows in confidential_readers()]
    return reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


def brief_confidential_visible_to(*, user: Any, client: Client) -> bool:
    """The account owner, PMs who review an offer of the client or own a project of it, and managers (SPEC §2).

    Used by the client page, the brief form, the API and the brief service alike; the reviews and
    projects are registered by handoff and projects (``clients.registry``).
    At most one query (none for the owner and managers).
    """
    if not getattr(user, "is_authenticated", False) or client is None:
        return False
    if client.account_owner_id == user.pk or user.is_manager:
        return True
    return Client.objects.filter(pk=client.pk).filter(_reader_of(user, client.pk)).exists()


def confidential_client_ids(user: Any) -> QuerySet:
    """The ids of the clients whose confidential items ``user`` sees, as a subquery (the same rule as above)."""
    if not getattr(user, "is_authenticated", False):
        return Client.objects.none().values("pk")
    if user.is_manager:
        return Client.objects.values("pk")
    return Client.objects.filter(Q(account_owner_id=user.pk) | _reader_of(user, OuterRef("pk"))).values("pk")


# --- Clients ------------------------------------------------------------------------------
def clients_visible_to(user: Any) -> QuerySet[Client]:
    if not getattr(user, "is_authenticated", False):
        return Client.objects.none()
    return Client.objects.all()


def _count(queryset: QuerySet) -> Coalesce:
    """A per-client count as a correlated subquery (several Count() joins would multiply each other)."""
    counted = queryset.filter(client=OuterRef("pk")).order_by().values("client").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_counts(queryset: QuerySet[Client]) -> QuerySet[Client]:
    """The clients with ``contact_count`` and the counts the apps above register (``clients.registry``:
    handoff's ``open_offer_count``, projects' ``project_count``)."""
    counts = {name: _count(rows()) for name, rows in client_counts().items()}
    return queryset.annotate(contact_count=_count(Contact.objects.all()), **counts)


def client_list(*, user: Any) -> QuerySet[Client]:
    """Clients with their account owner and the counts of contacts, open offers and projects, by name.

    The list page and the API narrow it with ``clients.filters``; paginate the result: one COUNT
    and one page query, whatever the page size.
    """
    return with_counts(clients_visible_to(user).select_related("account_owner")).order_by("name", "pk")


def client_names_matching(*, user: Any, text: str, limit: int = 10) -> list[str]:
    """The names of up to ``limit`` clients containing ``text`` (any case), for a filter box's suggestions."""
    return list(
        clients_visible_to(user).filter(name__icontains=text).order_by("name").values_list("name", flat=True)[:limit]
    )


def client_get(*, user: Any, pk: int) -> Client:
    """One client with its account owner and brief; ``Client.DoesNotExist`` when the user may not see it."""
    return clients_visible_to(user).select_related("account_owner", "brief", "brief__updated_by").get(pk=pk)


def account_owner_choices() -> QuerySet[User]:
    """Who can own an account: active sales reps."""
    return User.objects.with_role("sales").order_by("first_name", "last_name", "username")


# --- Contacts and the org chart -------------------------------------------------------------
def contacts_visible_to(user: Any) -> QuerySet[Contact]:
    if not getattr(user, "is_authenticated", False):
        return Contact.objects.none()
    return Contact.objects.all()


def contact_list(*, user: Any) -> QuerySet[Contact]:
    """Contacts by client and name; the API narrows it with ``clients.filters.ContactFilter``."""
    return contacts_visible_to(user).order_by("client_id", "name", "pk")


def contact_get(*, user: Any, pk: int, client: Client | None = None) -> Contact:
    queryset = contacts_visible_to(user).select_related("client", "reports_to")
    if client is not None:
        queryset = queryset.filter(client=client)
    return queryset.get(pk=pk)


@dataclass
class OrgNode:
    contact: Contact
    children: list[OrgNode] = field(default_factory=list)


def org_tree(contacts: list[Contact]) -> list[OrgNode]:
    """The organisation chart from ``reports_to``, built in Python from one list of contacts.

    Roots are the contacts who report to no one (or to someone not in the list);
    children keep the list's order. A loop (which the services refuse) would
    leave its members unreachable from a root: they are shown as roots rather
    than dropped.
    """
    nodes = {contact.pk: OrgNode(contact) for contact in contacts}
    roots: list[OrgNode] = []
    for contact in contacts:
        parent = nodes.get(contact.reports_to_id) if contact.reports_to_id else None
        if parent is None:
            roots.append(nodes[contact.pk])
        else:
            parent.children.append(nodes[contact.pk])
    reached: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        reached.add(node.contact.pk)
        stack.extend(node.children)
    for contact in contacts:
        if contact.pk not in reached:
            node = nodes[contact.pk]
            node.children = []
            roots.append(node)
            reached.add(contact.pk)
    return roots


# --- The client page ------------------------------------------------------------------------
@dataclass
class OpenItem:
    label: str
    count: int
    hint: str = ""


@dataclass
class ClientDetail:
    client: Client
    brief: ClientBrief
    contacts: list[Contact]
    org_tree: list[OrgNode]
    open_items: list[OpenItem]
    activity: list[Activity]
    confidential_visible: bool

    @property
    def decision_makers(self) -> list[Contact]:
        return [contact for contact in self.contacts if contact.buying_role == BuyingRole.DECISION_MAKER]


def _open_items(contacts: list[Contact], brief: ClientBrief) -> list[OpenItem]:
    """What is open on the client itself; its offers' and projects' open items are in their panels
    (handoff's and projects', loaded by the page with hx-get)."""
    items = []
    if not brief.is_filled:
        items.append(
            OpenItem(gettext("The client brief is empty"), 1, gettext("Fill it in before an offer can be sent."))
        )
    if contacts and not any(contact.buying_role == BuyingRole.DECISION_MAKER for contact in contacts):
        items.append(OpenItem(gettext("No decision maker among the contacts"), 1, gettext("Mark who decides.")))
    elif not contacts:
        items.append(OpenItem(gettext("No contacts yet"), 1, gettext("Add the people you deal with.")))
    return [item for item in items if item.count]


def client_detail(*, user: Any, pk: int) -> ClientDetail:
    """What the client page shows of the client itself, in a fixed number of queries (``Client.DoesNotExist`` if unseen)."""
    client = client_get(user=user, pk=pk)
    try:
        brief = client.brief
    except ClientBrief.DoesNotExist:
        # Every client gets its brief on creation; a row made outside the services is repaired on sight.
        brief, _ = ClientBrief.objects.get_or_create(client=client)
    contacts = list(Contact.objects.filter(client=client).order_by("name", "pk"))
    return ClientDetail(
        client=client,
        brief=brief,
        contacts=contacts,
        org_tree=org_tree(contacts),
        open_items=_open_items(contacts, brief),
        activity=activity_for(client, limit=30),
        confidential_visible=brief_confidential_visible_to(user=user, client=client),
    )
