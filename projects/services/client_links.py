"""Client links (SPEC §7.5): a contact of the project's client sees the project and acts on it, without an account.

The token has 256 random bits from ``secrets`` and is shown once; the database keeps a
keyed hash only (HMAC with the ``SECRET_KEY``), so a copy of it gives no working link.
The client's actions go through the same domain services as the staff's, with a
``ClientActor`` as the actor: the deliverable decision, the pulse and the issue report
notify the PM and the sales liaison and write the activity log like any other.
"""

from __future__ import annotations

import base64
import datetime
import hmac
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import Role
from clients.models import Contact
from core.activity import log_activity
from core.errors import TransitionNotAllowed
from core.i18n import deferred, deferred_date
from notifications.events import Event
from notifications.services import notify_address
from projects.actors import ClientActor
from projects.models import (
    CLIENT_LINK_DAYS_DEFAULT,
    CLIENT_LINK_DAYS_MAX,
    CLIENT_LINK_DAYS_MIN,
    ClientIssue,
    ClientLink,
    ClientLinkState,
    ClientPulse,
    Deliverable,
    Project,
    ReportedThrough,
)
from projects.services.deliverables import deliverable_decide
from projects.services.issues import issue_create
from projects.services.projects import CLOSED_STATUSES, in_sentence
from projects.services.pulses import pulse_record

TOKEN_BYTES = 32
# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# last_used_at is written at most this often (one write per page view would be noise).
TOUCH_EVERY = datetime.timedelta(minutes=1)


class InvalidClientLink(Exception):
    """Unknown, malformed, expired or revoked: the caller says only "this link is no longer valid"."""


# --- Tokens ------------------------------------------------------------------------------------
def generate_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def demo_token() -> str:
    """The demo link's token (seed_demo prints its URL every run): derived from the SECRET_KEY, like the hashes."""
    digest = salted_hmac("projects.client_link.demo", "demo", algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def hash_token(token: str) -> str:
    """A keyed hash: without the SECRET_KEY, a stored hash cannot be checked against guesses."""
    return salted_hmac("projects.client_link", token, algorithm="sha256").hexdigest()


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("client_portal:enter", args=[token])


def client_link_resolve(token: Any) -> ClientLink:
    """The active link of ``token``, with its project, client and contact; ``InvalidClientLink`` otherwise."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        raise InvalidClientLink
    digest = hash_token(token)
    link = (
        ClientLink.objects.select_related("project", "project__client", "project__pm", "project__sales_liaison")
        .select_related("contact")
        .filter(token_hash=digest)
        .first()
    )
    # The index finds the row; the comparison itself is constant-time.
    if link is None or not hmac.compare_digest(link.token_hash, digest) or not link.is_active:
        raise InvalidClientLink
    return link


def client_link_touch(link: ClientLink) -> None:
    """Remember when the link was last used (for the managers' list), at most once a minute."""
    now = timezone.now()
    if link.last_used_at is None or now - link.last_used_at >= TOUCH_EVERY:
        ClientLink.objects.filter(pk=link.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        link.last_used_at = now


# --- Who may do what -------------------------------------------------------------------------
def _active_user(user: Any) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def can_issue_client_link(user: Any, project: Project) -> bool:
    """The project's PM or its sales liaison (holding their role)."""
    if not _active_user(user):
        return False
    return (project.pm_id == user.pk and user.has_role(Role.PM)) or (
        project.sales_liaison_id == user.pk and user.has_role(Role.SALES)
    )


def can_revoke_client_link(user: Any, link: ClientLink) -> bool:
    """Whoever may issue links for the project, and managers."""
    return _active_user(user) and (can_issue_client_link(user, link.project) or user.has_role(Role.MANAGER))


def client_links_visible_to(user: Any) -> QuerySet[ClientLink]:
    """Managers see every link; a PM or a sales liaison the links of their projects."""
    links = ClientLink.objects.select_related("project", "project__client", "contact", "created_by", "revoked_by")
    if not _active_user(user):
        return links.none()
    if user.has_role(Role.MANAGER):
        return links
    return links.filter(Q(project__pm=user) | Q(project__sales_liaison=user))


def with_state(links: QuerySet[ClientLink], state: str) -> QuerySet[ClientLink]:
    """Filter by ``ClientLinkState`` in the database (the model's ``state`` says the same per row)."""
    now = timezone.now()
    if state == ClientLinkState.REVOKED:
        return links.filter(revoked_at__isnull=False)
    if state == ClientLinkState.EXPIRED:
        return links.filter(revoked_at__isnull=True, expires_at__lte=now)
    return links.filter(revoked_at__isnull=True, expires_at__gt=now)


# --- Issuing and revoking ----------------------------------------------------------------------
def _clean_days(value: Any) -> int:
    if value in (None, ""):
        return CLIENT_LINK_DAYS_DEFAULT
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"expires_in_days": _("Give the number of days as a whole number.")})
    if not CLIENT_LINK_DAYS_MIN <= value <= CLIENT_LINK_DAYS_MAX:
        raise ValidationError(
            {
                "expires_in_days": _("A link is valid for %(min)s to %(max)s days.")
                % {"min": CLIENT_LINK_DAYS_MIN, "max": CLIENT_LINK_DAYS_MAX}
            }
        )
    return value


def _clean_contact(value: Any, project: Project) -> Contact:
    pk = getattr(value, "pk", value)
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    contact = (
        Contact.objects.filter(pk=pk, client_id=project.client_id).first()
        if isinstance(pk, int) and not isinstance(pk, bool)
        else None
    )
    if contact is None:
        raise ValidationError({"contact": _("Choose a contact of %(client)s.") % {"client": project.client.name}})
    return contact


@transaction.atomic
def client_link_issue(
    *,
    actor: Any,
    project: Project,
    contact: Any,
    expires_in_days: Any = None,
    send_email: bool = False,
    token: str | None = None,
    language: str | None = None,
) -> tuple[ClientLink, str]:
    """Create a link for ``contact``; returns it and its token (shown once, never stored).

    ``send_email``: also e-mail the link to the contact, through the notification outbox.
    ``token``: the demo data's own (``demo_token``); everyone else gets a fresh random one.
    ``language``: the invite's language (default: the one active, the issuer's), kept on the link.
    """
    project = Project.objects.select_for_update(of=("self",)).select_related("client").get(pk=project.pk)
    if not can_issue_client_link(actor, project):
        raise PermissionDenied(_("Only the project's PM or its sales liaison invites the client."))
    errors: dict[str, str] = {}
    days = contact_found = None
    try:
        days = _clean_days(expires_in_days)
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
    try:
        contact_found = _clean_contact(contact, project)
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
    if contact_found is not None and send_email and not contact_found.email:
        errors["send_email"] = _("%(name)s has no e-mail address: copy the link instead.") % {
            "name": contact_found.name
        }
    if errors:
        raise ValidationError(errors)
    if project.status in CLOSED_STATUSES:
        raise TransitionNotAllowed(
            _("This project is %(status)s; the client can no longer be invited.")
            % {"status": in_sentence(project.get_status_display())},
            status=project.status,
        )
    token = token or generate_token()
    expires_at = timezone.now() + datetime.timedelta(days=days)
    link = ClientLink.objects.create(
        project=project,
        contact=contact_found,
        token_hash=hash_token(token),
        expires_at=expires_at,
        created_by=actor,
        emailed=bool(send_email),
        language=_link_language(language),
    )
    log_activity(
        actor=actor,
        verb="client_link_issued",
        target=project,
        message=_("Client link for %(name)s, valid until %(date)s")
        % {"name": contact_found.name, "date": f"{timezone.localtime(expires_at):%d %b %Y}"},
    )
    if send_email:
        # The invite is written in the link's language, whoever issues it: notify_address renders it there.
        notify_address(
            event=Event.CLIENT_LINK_INVITE,
            email=contact_found.email,
            target=link,
            actor=actor,
            title=deferred(gettext_lazy("Your project %(project)s"), project=project.name),
            body=deferred(
                gettext_lazy(
                    "%(sender)s invites you to follow %(project)s: see the deliverables waiting for your decision, "
                    "tell us how the project feels to you and report issues. The link is valid until %(date)s."
                ),
                sender=actor.full_name,
                project=project.name,
                date=deferred_date(expires_at, "d M Y"),
            ),
            url=reverse("client_portal:enter", args=[token]),
            language=link.language,
        )
    return link, token


def _link_language(language: str | None) -> str:
    """The invite's language: the one asked for, else the issuer's (active), as a code of LANGUAGES."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


@transaction.atomic
def client_link_revoke(*, actor: Any, link: ClientLink) -> ClientLink:
    """The link stops working at once; revoking twice is refused (409)."""
    link = ClientLink.objects.select_for_update().select_related("project", "contact").get(pk=link.pk)
    if not can_revoke_client_link(actor, link):
        raise PermissionDenied(_("Only the project's PM, its sales liaison and managers revoke its client links."))
    if link.revoked_at is not None:
        raise TransitionNotAllowed(_("This link was already revoked."), status="revoked")
    link.revoked_at = timezone.now()
    link.revoked_by = actor
    link.save(update_fields=["revoked_at", "revoked_by"])
    log_activity(
        actor=actor,
        verb="client_link_revoked",
        target=link.project,
        message=_("Client link for %(name)s") % {"name": link.contact.name},
    )
    return link


# --- What the client sees ---------------------------------------------------------------------
def client_portal_data(link: ClientLink) -> dict[str, Any]:
    """Everything the client page shows, and nothing else (SPEC §7.5): two queries."""
    project = link.project
    return {
        "link": link,
        "contact": link.contact,
        "project": project,
        "deliverables": list(project.deliverables.order_by("due", "id")),
        "issues": list(
            ClientIssue.objects.filter(project=project, reported_through=ReportedThrough.CLIENT).order_by(
                "-created_at", "-id"
            )[:50]
        ),
    }


# --- What the client does ----------------------------------------------------------------------
def _lock_active(link: ClientLink) -> ClientLink:
    """Re-read the link under a lock: a revocation that committed a moment ago wins."""
    locked = (
        ClientLink.objects.select_for_update(of=("self",))
        .select_related("project", "project__client", "project__pm", "project__sales_liaison", "contact")
        .filter(pk=link.pk)
        .first()
    )
    if locked is None or not locked.is_active:
        raise InvalidClientLink
    return locked


@transaction.atomic
def client_deliverable_decide(*, link: ClientLink, deliverable: Any, decision: Any, reason: Any = "") -> Deliverable:
    """The contact accepts or rejects a submitted deliverable of their project (another project's: not found)."""
    link = _lock_active(link)
    pk = getattr(deliverable, "pk", deliverable)
    if isinstance(pk, bool) or not isinstance(pk, int) or not link.project.deliverables.filter(pk=pk).exists():
        raise Deliverable.DoesNotExist("No such deliverable on this project")
    return deliverable_decide(deliverable=pk, actor=ClientActor(link), decision=decision, contact=None, reason=reason)


@transaction.atomic
def client_pulse_answer(*, link: ClientLink, mood: Any, urgency: Any, satisfaction: Any, note: Any = "") -> ClientPulse:
    link = _lock_active(link)
    return pulse_record(
        project=link.project, actor=ClientActor(link), mood=mood, urgency=urgency, satisfaction=satisfaction, note=note
    )


@transaction.atomic
def client_issue_report(*, link: ClientLink, title: Any, description: Any = "", severity: Any = None) -> ClientIssue:
    link = _lock_active(link)
    return issue_create(
        actor=ClientActor(link),
        client=link.project.client,
        data={"title": title, "description": description, "severity": severity},
    )
