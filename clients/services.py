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
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact
from clients.selectors import brief_confidential_visible_to
from core.activity import apply_changes, log_activity
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


def _check_unique_name(client: Client, errors: dict[str, list[str]]) -> None:
    message = client_name_clash(client.name, exclude_pk=client.pk)
    if message:
        errors.setdefault("name", []).append(message)


def _clean_client(client: Client) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("name", "industry", "website"):
        setattr(client, field, _strip(getattr(client, field)) or "")
    if not client.name:
        errors["name"] = [gettext("Give the client a name.")]
    _check_account_owner(client.account_owner if client.account_owner_id else None, errors)
    _check_unique_name(client, errors)
    _full_clean(client, exclude=["account_owner"], errors=errors)


def _save_client(client: Client, **kwargs: Any) -> None:
    """Save, turning a lost race on the case-insensitive unique name into the same clear error."""
    try:
        with transaction.atomic():
            client.save(**kwargs)
    except IntegrityError:
        errors: dict[str, list[str]] = {}
        _check_unique_name(client, errors)
        if errors:
            raise ValidationError(errors)
        raise


# --- Clients ----------------------------------------------------------------------------
@transaction.atomic
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
    ensure_can_write(actor)
    if account_owner is None and actor.is_sales:
        account_owner = actor
    client = Client(name=name, industry=industry, website=website, account_owner=account_owner, status=status)
    _clean_client(client)
    _save_client(client)
    ClientBrief.objects.create(client=client, updated_by=actor)
    log_activity(
        actor=actor,
        verb="client_created",
        target=client,
        changes={field: (None, getattr(client, field)) for field in CLIENT_FIELDS if getattr(client, field)},
    )
    return client


@transaction.atomic
def client_update(*, actor: Any, client: Client, **data: Any) -> Client:
    """Change any of ``CLIENT_FIELDS``; account owner and status only by the account owner or a manager.

    A manager who is not also a sales rep changes only those two (SPEC §2).
    """
    if not can_write_clients(actor) and not (_authenticated(actor) and actor.is_manager):
        raise PermissionDenied(gettext(WRITERS_ONLY))
    unknown = set(data) - set(CLIENT_FIELDS)
    if unknown:
        raise ValidationError({field: [gettext(NOT_CHANGEABLE_HERE)] for field in sorted(unknown)})
    current = Client.objects.select_for_update(of=("self",)).select_related("account_owner").get(pk=client.pk)
    data = {field: _strip(value) for field, value in data.items()}
    changing = [field for field in data if data[field] != getattr(current, field)]
    if not can_write_clients(actor) and set(changing) - set(ACCOUNT_FIELDS):
        raise PermissionDenied(
            gettext("A manager changes only a client's account owner and status; the rest is for sales reps.")
        )
    changing_account = [field for field in ACCOUNT_FIELDS if field in changing]
    if changing_account and not can_manage_account(actor, current):
        raise PermissionDenied(gettext("Only the account owner or a manager changes the account owner or the status."))
    changes = apply_changes(current, data, CLIENT_FIELDS)
    if not changes:
        return current
    _clean_client(current)
    _save_client(current)
    log_activity(actor=actor, verb="client_updated", target=current, changes=changes)
    return current


# --- Contacts ---------------------------------------------------------------------------
def _lock_client(client: Client | int) -> Client:
    """Org-chart changes of one client are serialised on the client row, so two edits cannot close a cycle."""
    return Client.objects.select_for_update().get(pk=client if isinstance(client, int) else client.pk)


def check_reports_to(contact: Contact, errors: dict[str, list[str]]) -> None:
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


def _clean_contact(contact: Contact) -> None:
    errors: dict[str, list[str]] = {}
    for field in ("name", "title", "email", "phone", "communication_style"):
        setattr(contact, field, _strip(getattr(contact, field)) or "")
    if not contact.name:
        errors["name"] = [gettext("Give the contact a name.")]
    if contact.buying_role not in BuyingRole.values:
        errors["buying_role"] = [gettext("Choose one of: %(choices)s.") % {"choices": ", ".join(BuyingRole.values)}]
    check_reports_to(contact, errors)
    _full_clean(contact, exclude=["client", "reports_to"], errors=errors)


def _contact_summary(contact: Contact) -> str:
    return f"{contact.name} ({contact.get_buying_role_display().lower()})"


@transaction.atomic
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
    ensure_can_write(actor)
    client = _lock_client(client)
    contact = Contact(
        client=client,
        name=name,
        title=title,
        email=email,
        phone=phone,
        reports_to=reports_to,
        buying_role=buying_role,
        communication_style=communication_style,
    )
    _clean_contact(contact)
    contact.save()
    log_activity(
        actor=actor, verb="contact_added", target=client, changes={"contact": (None, _contact_summary(contact))}
    )
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, **data: Any) -> Contact:
    """Change any of ``CONTACT_FIELDS``; a contact stays with its client."""
    ensure_can_write(actor)
    unknown = set(data) - set(CONTACT_FIELDS)
    if unknown:
        raise ValidationError({field: [gettext(NOT_CHANGEABLE_HERE)] for field in sorted(unknown)})
    client = _lock_client(contact.client_id)
    current = Contact.objects.select_for_update(of=("self",)).select_related("reports_to").get(pk=contact.pk)
    changes = apply_changes(current, {field: _strip(value) for field, value in data.items()}, CONTACT_FIELDS)
    if not changes:
        return current
    _clean_contact(current)
    current.save()
    log_activity(
        actor=actor,
        verb="contact_updated",
        target=client,
        changes={f"{current.name}: {field.replace('_', ' ')}": change for field, change in changes.items()},
    )
    return current


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
