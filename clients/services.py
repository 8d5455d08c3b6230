"""Every write to clients, contacts and client briefs (SPEC §2-§3).

One function per change, called alike by the pages, the API, the demo data and
anything else: ``@transaction.atomic``, the row locked, bad input refused with
Django's ``ValidationError`` (a form error in the UI, 400 in the API), a write
outside the user's role with ``PermissionDenied`` (403), a stale brief with
``StaleVersion`` (409), and one activity-log row per change.

Who may write (SPEC §2):
- sales reps create and edit clients, contacts and briefs, on any client (the
  brief is edited by many);
- only the account owner and managers change a client's account owner or status;
  that is all a manager changes (a manager "cannot act as a rep without holding
  that role": creating clients, contacts and briefs is for sales);
- PMs and users without a role only read;
- the brief's confidential notes are changed only by those allowed to see them
  (``clients.selectors.brief_confidential_visible_to``).

All edits of a client's contacts and brief are logged on the client, so the
client page shows one timeline. The confidential notes' text never reaches the
log: it records only that they changed.

Many clients or contacts at once (the import, SPEC §7.7): ``clients_create_many``,
``contacts_create_many`` and ``contacts_update_many`` run the same checks on every
item in one transaction, with a few queries whatever their number (one lock, one
INSERT or UPDATE, one INSERT of the activity rows). An item refused raises
``ManyInvalid`` with each refused item's ``ValidationError`` and writes nothing.
``client_create``, ``contact_create`` and ``contact_update`` are these for one item.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact
from clients.selectors import brief_confidential_visible_to
from core.activity import apply_changes, log_activities, log_activity
from core.versioning import bump_version, lock_for_edit

CLIENT_FIELDS = ("name", "industry", "website", "account_owner", "status")
# The account owner and managers decide these two; anyone who may edit the client, the rest.
ACCOUNT_FIELDS = ("account_owner", "status")
CONTACT_FIELDS = ("name", "title", "email", "phone", "reports_to", "buying_role", "communication_style")
CONFIDENTIAL_FIELD = "confidential_notes"
# What the activity log shows instead of the confidential notes' text.
CONFIDENTIAL_MARK = "(confidential)"

NOT_ENTITLED_TO_CONFIDENTIAL = gettext_noop(
    "Only the account owner, the client's reviewing or project PMs and managers may see or change "
    "the confidential notes; leave them out."
)
NOT_CHANGEABLE_HERE = gettext_noop("This field cannot be changed here.")


class ManyInvalid(ValidationError):
    """Some items of a many-at-once service were refused; nothing was written.

    ``errors``: the index of each refused item in the list given -> its ``ValidationError`` (or
    ``PermissionDenied``: the item is not the actor's to change).
    """

    def __init__(self, errors: dict[int, ValidationError | PermissionDenied]) -> None:
        self.errors = errors
        super().__init__([message for error in errors.values() for message in getattr(error, "messages", [str(error)])])


def _one(call: Any, **kwargs: Any) -> Any:
    """The single-item service over the many-at-once one: its own error, as if alone."""
    try:
        return call(**kwargs)[0]
    except ManyInvalid as invalid:
        raise invalid.errors[0] from None


# --- Who may do what (pages use these to show only the buttons that work) ---------------
def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_write_clients(user: Any) -> bool:
    """Sales reps create and edit clients, contacts and briefs (any client); managers do not (SPEC §2)."""
    return _authenticated(user) and user.is_sales


def can_manage_account(user: Any, client: Client) -> bool:
    """The account owner and managers change a client's account owner and status."""
    return _authenticated(user) and (user.is_manager or (client.account_owner_id == user.pk and user.is_sales))


def can_edit_client(user: Any, client: Client) -> bool:
    """The client's edit form: sales reps (every field) and whoever manages the account (owner and status)."""
    return can_write_clients(user) or can_manage_account(user, client)


WRITERS_ONLY = gettext_noop("Only sales reps create and change clients, contacts and briefs.")


def can_write_clients_of(user: Any, client: Client) -> bool:
    """Documents of a client (its brief) are attached by whoever edits briefs (SPEC §7.4)."""
    return can_write_clients(user)


def ensure_can_write(user: Any) -> None:
    if not can_write_clients(user):
        raise PermissionDenied(gettext(WRITERS_ONLY))


# --- Input checks ----------------------------------------------------------------------
def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _check_text_lengths(instance: models.Model, errors: dict[str, list[str]]) -> None:
    """Django enforces a TextField's ``max_length`` only in forms; here it holds everywhere."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.TextField) and field.max_length:
            value = getattr(instance, field.attname) or ""
            if len(value) > field.max_length:
                errors.setdefault(field.name, []).append(
                    gettext("At most %(limit)d characters, please (this one has %(length)d).")
                    % {"limit": field.max_length, "length": len(value)}
                )


def _full_clean(instance: models.Model, *, exclude: list[str], errors: dict[str, list[str]]) -> None:
    """Run the fields' validators (lengths, choices, e-mail, URL) and raise every error at once."""
    _check_text_lengths(instance, errors)
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            for message in messages:
                if message not in errors.get(field, []):
                    errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationError(errors)


def _check_account_owner(owner: Any, errors: dict[str, list[str]]) -> None:
    if owner is None:
        errors.setdefault("account_owner", []).append(gettext("Choose the account owner (a sales rep)."))
    elif not isinstance(owner, User) or not owner.is_active or not owner.is_sales:
        errors.setdefault("account_owner", []).append(gettext("The account owner must be an active sales rep."))


def client_name_clash(name: str, *, exclude_pk: int | None = None) -> str | None:
    """The error for a name another client already has (whatever the case), or None. Forms ask it early."""
    name = (name or "").strip()
    if not name:
        return None
    clash = Client.objects.filter(name__iexact=name).exclude(pk=exclude_pk).only("name").first()
    if clash is None:
        return None
    return gettext("A client named “%(name)s” already exists (names are unique whatever their case).") % {
        "name": clash.name
    }


def _names_taken(names: list[str]) -> dict[str, tuple[int, str]]:
    """The stored clients with ``names`` (whatever the case): lower-cased name -> (pk, name as stored); one query."""
    wanted = {(name or "").strip().lower() for name in names} - {""}
    if not wanted:
        return {}
    stored = Client.objects.annotate(lname=Lower("name")).filter(lname__in=wanted).values_list("pk", "name")
    return {name.lower(): (pk, name) for pk, name in stored}


def _check_unique_name(
    client: Client, errors: dict[str, list[str]], taken: dict[str, tuple[int, str]] | None = None
) -> None:
    if taken is None:
        message = client_name_clash(client.name, exclude_pk=client.pk)
    else:  # the names already taken, loaded for a whole batch
        pk, name = taken.get(client.name.lower(), (client.pk, "")) if client.name else (client.pk, "")
        message = (
            gettext("A client named “%(name)s” already exists (names are unique whatever their case).") % {"name": name}
            if pk != client.pk
            else None
        )
    if message:
        errors.setdefault("name", []).append(message)


def _clean_client(client: Client, taken: dict[str, tuple[int, str]] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("name", "industry", "website"):
        setattr(client, field, _strip(getattr(client, field)) or "")
    if not client.name:
        errors["name"] = [gettext("Give the client a name.")]
    _check_account_owner(client.account_owner if client.account_owner_id else None, errors)
    _check_unique_name(client, errors, taken)
    _full_clean(client, exclude=["account_owner"], errors=errors)


# --- Clients ----------------------------------------------------------------------------
def client_create(
    *,
    actor: Any,
    name: str,
    industry: str = "",
    website: str = "",
    account_owner: User | None = None,
    status: str = ClientStatus.PROSPECT,
) -> Client:
    """A new client and its empty brief, in one transaction. The account owner defaults to the creator."""
    client = {"name": name, "industry": industry, "website": website, "account_owner": account_owner, "status": status}
    return _one(clients_create_many, actor=actor, clients=[client])


@transaction.atomic
def clients_create_many(*, actor: Any, clients: list[dict[str, Any]]) -> list[Client]:
    """New clients (each: ``client_create``'s arguments) and their empty briefs, checked as ``client_create`` does.

    Names are unique among the stored clients and within the list. ``ManyInvalid`` when any is refused.
    """
    ensure_can_write(actor)
    built = []
    for data in clients:
        values = {"industry": "", "website": "", "account_owner": None, "status": ClientStatus.PROSPECT, **data}
        if values["account_owner"] is None and actor.is_sales:
            values["account_owner"] = actor
        built.append(Client(**values))
    taken = _names_taken([client.name for client in built])
    errors: dict[int, ValidationError] = {}
    for index, client in enumerate(built):
        try:
            _clean_client(client, taken)
        except ValidationError as error:
            errors[index] = error
        else:
            taken.setdefault(client.name.lower(), (0, client.name))  # later ones of the batch clash with it
    if errors:
        raise ManyInvalid(errors)
    try:
        with transaction.atomic():
            Client.objects.bulk_create(built, batch_size=2000)
    except IntegrityError:
        # A lost race on the case-insensitive unique name: the same clear error as the check's.
        taken = _names_taken([client.name for client in built])
        clashes = {index: client for index, client in enumerate(built) if client.name.lower() in taken}
        if not clashes:
            raise
        errors = {}
        for index, client in clashes.items():
            client_errors: dict[str, list[str]] = {}
            _check_unique_name(client, client_errors, taken)
            errors[index] = ValidationError(client_errors)
        raise ManyInvalid(errors) from None
    ClientBrief.objects.bulk_create([ClientBrief(client=client, updated_by=actor) for client in built], batch_size=2000)
    log_activities(
        actor=actor,
        entries=[
            (
                "client_created",
                client,
                {field: (None, getattr(client, field)) for field in CLIENT_FIELDS if getattr(client, field)},
            )
            for client in built
        ],
    )
    return built


@transaction.atomic
def client_update(*, actor: Any, client: Client, **data: Any) -> Client:
    """Change any of ``CLIENT_FIELDS``; account owner and status only by the account owner or a manager.

    A manager who is not also a sales rep changes only those two (SPEC §2).
    """
    return _one(clients_update_many, actor=actor, updates=[(client, data)])


@transaction.atomic
def clients_update_many(*, actor: Any, updates: list[tuple[Client, dict[str, Any]]]) -> list[Client]:
    """``client_update`` of each ``(client, data)``: the clients locked in one query, the names checked in one.

    ``ManyInvalid`` when any is refused (``PermissionDenied`` for a change that is not the actor's to make).
    """
    if not can_write_clients(actor) and not (_authenticated(actor) and actor.is_manager):
        raise PermissionDenied(gettext(WRITERS_ONLY))
    for _client, data in updates:
        unknown = set(data) - set(CLIENT_FIELDS)
        if unknown:
            raise ValidationError({field: [gettext(NOT_CHANGEABLE_HERE)] for field in sorted(unknown)})
    if not updates:
        return []
    ids = {client.pk for client, _data in updates}
    current = {
        client.pk: client
        for client in Client.objects.select_for_update(of=("self",)).select_related("account_owner").filter(pk__in=ids)
    }
    if len(current) < len(ids):
        raise Client.DoesNotExist("Client matching query does not exist.")
    taken: dict[str, tuple[int, str]] | None = None
    owners: dict[int, User] | None = None
    errors: dict[int, ValidationError | PermissionDenied] = {}
    changed: dict[int, dict[str, tuple[Any, Any]]] = {}
    for index, (client, data) in enumerate(updates):
        instance = current[client.pk]
        data = {field: _strip(value) for field, value in data.items()}
        changing = [field for field in data if data[field] != getattr(instance, field)]
        if not can_write_clients(actor) and set(changing) - set(ACCOUNT_FIELDS):
            errors[index] = PermissionDenied(
                gettext("A manager changes only a client's account owner and status; the rest is for sales reps.")
            )
            continue
        if any(field in changing for field in ACCOUNT_FIELDS) and not can_manage_account(actor, instance):
            errors[index] = PermissionDenied(
                gettext("Only the account owner or a manager changes the account owner or the status.")
            )
            continue
        changes = apply_changes(instance, data, CLIENT_FIELDS)
        if not changes:
            continue
        if taken is None:  # the names of every client of the batch, once
            names = [client.name for client in current.values()]
            taken = _names_taken(names + [str(data["name"]) for _client, data in updates if data.get("name")])
        if "account_owner" not in changes:  # the stored owner, checked again: the owners' roles, once
            if owners is None:
                owners = User.objects.with_roles().in_bulk({client.account_owner_id for client in current.values()})
            instance.account_owner = owners[instance.account_owner_id]
        old_name = changes.get("name", (instance.name,))[0]
        try:
            _clean_client(instance, taken)
        except ValidationError as error:
            errors[index] = error
            continue
        if taken.get((old_name or "").lower(), (None,))[0] == instance.pk:
            del taken[old_name.lower()]
        taken[instance.name.lower()] = (instance.pk, instance.name)
        changed.setdefault(instance.pk, {}).update(changes)
    if errors:
        raise ManyInvalid(errors)
    if changed:
        now = timezone.now()
        for pk in changed:
            current[pk].updated_at = now  # auto_now, which bulk_update leaves alone
        fields = sorted({field for changes in changed.values() for field in changes} | {"updated_at"})
        try:
            with transaction.atomic():
                Client.objects.bulk_update([current[pk] for pk in changed], fields, batch_size=1000)
        except IntegrityError:
            # A lost race on the case-insensitive unique name: the same clear error as the check's.
            taken = _names_taken([current[pk].name for pk in changed])
            for index, (client, _data) in enumerate(updates):
                client_errors: dict[str, list[str]] = {}
                _check_unique_name(current[client.pk], client_errors, taken)
                if client_errors:
                    errors[index] = ValidationError(client_errors)
            if not errors:
                raise
            raise ManyInvalid(errors) from None
        log_activities(
            actor=actor, entries=[("client_updated", current[pk], changes) for pk, changes in changed.items()]
        )
    return [current[client.pk] for client, _data in updates]


# --- Contacts ---------------------------------------------------------------------------
def _lock_client(client: Client | int) -> Client:
    """Org-chart changes of one client are serialised on the client row, so two edits cannot close a cycle."""
    return Client.objects.select_for_update().get(pk=client if isinstance(client, int) else client.pk)


def _lock_clients(ids: set[int]) -> dict[int, Client]:
    """``_lock_client`` for many clients in one query (locked in the order of their keys)."""
    locked = {client.pk: client for client in Client.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if set(ids) - set(locked):
        raise Client.DoesNotExist("Client matching query does not exist.")
    return locked


def check_reports_to(
    contact: Contact, errors: dict[str, list[str]], charts: dict[int, dict[int, int | None]] | None = None
) -> None:
    """Same client, not themselves, no loop; ``charts`` (client -> contact -> manager): the chart already loaded."""
    manager = contact.reports_to
    if manager is None:
        return
    if contact.pk is not None and manager.pk == contact.pk:
        errors["reports_to"] = [gettext("A contact cannot report to themselves.")]
        return
    if manager.client_id != contact.client_id:
        errors["reports_to"] = [gettext("Choose someone of the same client; this person works for another client.")]
        return
    if contact.pk is None:
        return
    # Walk up from the new manager over the client's current chart (one query): meeting the
    # contact again means the change would close a loop.
    if charts is not None and contact.client_id in charts:
        chart = charts[contact.client_id]
    else:
        chart = dict(Contact.objects.filter(client_id=contact.client_id).values_list("pk", "reports_to_id"))
    seen: set[int] = set()
    step: int | None = manager.pk
    while step is not None and step not in seen:
        if step == contact.pk:
            errors["reports_to"] = [
                gettext("%(manager)s already reports (directly or not) to %(contact)s; that would make a loop.")
                % {"manager": manager.name, "contact": contact.name}
            ]
            return
        seen.add(step)
        step = chart.get(step)


def _clean_contact(contact: Contact, charts: dict[int, dict[int, int | None]] | None = None) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("name", "title", "email", "phone", "communication_style"):
        setattr(contact, field, _strip(getattr(contact, field)) or "")
    if not contact.name:
        errors["name"] = [gettext("Give the contact a name.")]
    if contact.buying_role not in BuyingRole.values:
        errors["buying_role"] = [gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(BuyingRole.values)}]
    check_reports_to(contact, errors, charts)
    _full_clean(contact, exclude=["client", "reports_to"], errors=errors)


def _contact_summary(contact: Contact, roles: dict[str, str] | None = None) -> str:
    """``roles``: the buying roles' labels, translated once for a batch (``get_buying_role_display`` each time is slow)."""
    role = (
        roles.get(contact.buying_role, contact.buying_role) if roles is not None else contact.get_buying_role_display()
    )
    return f"{contact.name} ({role.lower()})"


def contact_create(
    *,
    actor: Any,
    client: Client,
    name: str,
    title: str = "",
    email: str = "",
    phone: str = "",
    reports_to: Contact | None = None,
    buying_role: str = BuyingRole.OTHER,
    communication_style: str = "",
) -> Contact:
    contact = {
        "client": client,
        "name": name,
        "title": title,
        "email": email,
        "phone": phone,
        "reports_to": reports_to,
        "buying_role": buying_role,
        "communication_style": communication_style,
    }
    return _one(contacts_create_many, actor=actor, contacts=[contact])


@transaction.atomic
def contacts_create_many(*, actor: Any, contacts: list[dict[str, Any]]) -> list[Contact]:
    """New contacts (each: ``contact_create``'s arguments), checked as ``contact_create`` does.

    Their clients are locked in one query; ``ManyInvalid`` when any is refused.
    """
    ensure_can_write(actor)
    locked = _lock_clients({data["client"].pk for data in contacts})
    built = []
    for data in contacts:
        values = {"buying_role": BuyingRole.OTHER, **data, "client": locked[data["client"].pk]}
        built.append(Contact(**values))
    errors: dict[int, ValidationError] = {}
    for index, contact in enumerate(built):
        try:
            _clean_contact(contact)
        except ValidationError as error:
            errors[index] = error
    if errors:
        raise ManyInvalid(errors)
    Contact.objects.bulk_create(built, batch_size=2000)
    roles = {value: str(label) for value, label in BuyingRole.choices}
    log_activities(
        actor=actor,
        entries=[
            ("contact_added", contact.client, {"contact": (None, _contact_summary(contact, roles))})
            for contact in built
        ],
    )
    return built


def contact_update(*, actor: Any, contact: Contact, **data: Any) -> Contact:
    """Change any of ``CONTACT_FIELDS``; a contact stays with its client."""
    return _one(contacts_update_many, actor=actor, updates=[(contact, data)])


@transaction.atomic
def contacts_update_many(*, actor: Any, updates: list[tuple[Contact, dict[str, Any]]]) -> list[Contact]:
    """``contact_update`` of each ``(contact, data)``, in their order: each checked on the chart the earlier left.

    Their clients and the contacts are locked in one query each; ``ManyInvalid`` when any is refused.
    """
    ensure_can_write(actor)
    for _contact, data in updates:
        unknown = set(data) - set(CONTACT_FIELDS)
        if unknown:
            raise ValidationError({field: [gettext(NOT_CHANGEABLE_HERE)] for field in sorted(unknown)})
    if not updates:
        return []
    locked = _lock_clients({contact.client_id for contact, _data in updates})
    current = {
        contact.pk: contact
        for contact in Contact.objects.select_for_update(of=("self",))
        .select_related("reports_to")
        .filter(pk__in={contact.pk for contact, _data in updates})
    }
    if len(current) < len({contact.pk for contact, _data in updates}):
        raise Contact.DoesNotExist("Contact matching query does not exist.")
    charts: dict[int, dict[int, int | None]] | None = None
    errors: dict[int, ValidationError] = {}
    changed: dict[int, dict[str, tuple[Any, Any]]] = {}
    for index, (contact, data) in enumerate(updates):
        instance = current[contact.pk]
        instance.client = locked[instance.client_id]  # its name is in the log, without a query
        for manager in (instance.reports_to, data.get("reports_to")):
            if manager is not None and manager.client_id in locked:
                manager.client = locked[manager.client_id]
        changes = apply_changes(instance, {field: _strip(value) for field, value in data.items()}, CONTACT_FIELDS)
        if not changes:
            continue
        manager = instance.reports_to
        if (
            charts is None
            and manager is not None
            and manager.client_id == instance.client_id
            and manager.pk != instance.pk
        ):
            # The charts of every client of the batch, once: the loop check walks them.
            charts = {client_id: {} for client_id in locked}
            rows = Contact.objects.filter(client_id__in=locked).values_list("client_id", "pk", "reports_to_id")
            for client_id, pk, reports_to_id in rows:
                charts[client_id][pk] = reports_to_id
            for pk in changed:  # the batch's earlier changes, not written yet
                charts[current[pk].client_id][pk] = current[pk].reports_to_id
        try:
            _clean_contact(instance, charts)
        except ValidationError as error:
            errors[index] = error
            continue
        if charts is not None:
            charts[instance.client_id][instance.pk] = instance.reports_to_id
        changed.setdefault(instance.pk, {}).update(changes)
    if errors:
        raise ManyInvalid(errors)
    if changed:
        fields = sorted({field for changes in changed.values() for field in changes})
        Contact.objects.bulk_update([current[pk] for pk in changed], fields, batch_size=1000)
        log_activities(
            actor=actor,
            entries=[
                (
                    "contact_updated",
                    current[pk].client,
                    {f"{current[pk].name}: {field.replace('_', ' ')}": change for field, change in changes.items()},
                )
                for pk, changes in changed.items()
            ],
        )
    return [current[contact.pk] for contact, _data in updates]


@transaction.atomic
def contact_delete(*, actor: Any, contact: Contact) -> None:
    """Remove a contact; the people who reported to them move up to the contact's own manager."""
    ensure_can_write(actor)
    client = _lock_client(contact.client_id)
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    moved = Contact.objects.filter(reports_to=current).update(reports_to=current.reports_to_id)
    summary = _contact_summary(current)
    current.delete()
    log_activity(
        actor=actor,
        verb="contact_removed",
        target=client,
        changes={"contact": (summary, None)},
        message=ngettext(
            "%(count)d direct report moved up the chart.", "%(count)d direct reports moved up the chart.", moved
        )
        % {"count": moved}
        if moved
        else "",
    )


# --- The brief ----------------------------------------------------------------------------
@transaction.atomic
def brief_update(*, actor: Any, client: Client, version: int | None, **data: Any) -> ClientBrief:
    """Save the brief the actor edited at ``version``; ``StaleVersion`` when someone saved in between.

    Fields left out keep their value. ``confidential_notes`` from someone not
    entitled to them is refused (nothing changes), not silently dropped.
    """
    ensure_can_write(actor)
    unknown = set(data) - set(ClientBrief.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: [gettext(NOT_CHANGEABLE_HERE)] for field in sorted(unknown)})
    if CONFIDENTIAL_FIELD in data and not brief_confidential_visible_to(user=actor, client=client):
        raise ValidationError({CONFIDENTIAL_FIELD: [gettext(NOT_ENTITLED_TO_CONFIDENTIAL)]})
    brief, _ = ClientBrief.objects.get_or_create(client_id=client.pk)
    brief = lock_for_edit(ClientBrief.objects.all(), pk=brief.pk, expected_version=version)
    data = {field: "" if value is None else str(value).strip() for field, value in data.items()}
    changes = apply_changes(brief, data, ClientBrief.EDITABLE_FIELDS)
    if not changes:
        return brief
    _full_clean(brief, exclude=["client", "updated_by", "version"], errors={})
    bump_version(brief)
    brief.updated_by = actor
    brief.save()
    if CONFIDENTIAL_FIELD in changes:
        changes[CONFIDENTIAL_FIELD] = (CONFIDENTIAL_MARK, "changed")
    changes["version"] = (brief.version - 1, brief.version)
    log_activity(actor=actor, verb="brief_updated", target=client, changes=changes)
    return brief
