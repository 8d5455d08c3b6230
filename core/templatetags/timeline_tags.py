"""Wording for the activity timeline (``templates/_timeline.html``)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_money

register = template.Library()

# The activity log's verbs (``log_activity(verb=...)`` in every app) as people read them. A verb not
# listed is shown from its name ("offer_sent" → "Offer sent"), untranslated: add it here.
VERB_LABELS = {
    "accepted": gettext_lazy("Accepted"),
    "action_item_added": gettext_lazy("Action item added"),
    "action_item_done": gettext_lazy("Action item done"),
    "assigned": gettext_lazy("Assigned"),
    "brief_updated": gettext_lazy("Brief updated"),
    "change_request_approved": gettext_lazy("Change request approved"),
    "change_request_raised": gettext_lazy("Change request raised"),
    "change_request_rejected": gettext_lazy("Change request rejected"),
    "change_request_signed": gettext_lazy("Change request signed"),
    "client_created": gettext_lazy("Client created"),
    "client_link_issued": gettext_lazy("Client link issued"),
    "client_link_revoked": gettext_lazy("Client link revoked"),
    "client_updated": gettext_lazy("Client updated"),
    "commented": gettext_lazy("Commented"),
    "commitment_added": gettext_lazy("Commitment added"),
    "commitment_removed": gettext_lazy("Commitment removed"),
    "commitment_status_changed": gettext_lazy("Commitment status changed"),
    "contact_added": gettext_lazy("Contact added"),
    "contact_removed": gettext_lazy("Contact removed"),
    "contact_updated": gettext_lazy("Contact updated"),
    "created": gettext_lazy("Created"),
    "created_from_follow_up": gettext_lazy("Created from a follow-up opportunity"),
    "deliverable_accepted": gettext_lazy("Deliverable accepted"),
    "deliverable_added": gettext_lazy("Deliverable added"),
    "deliverable_edited": gettext_lazy("Deliverable edited"),
    "deliverable_rejected": gettext_lazy("Deliverable rejected"),
    "deliverable_resubmitted": gettext_lazy("Deliverable resubmitted"),
    "document added": gettext_lazy("Document added"),
    "document deleted": gettext_lazy("Document deleted"),
    "follow_up_converted": gettext_lazy("Follow-up opportunity converted"),
    "follow_up_dismissed": gettext_lazy("Follow-up opportunity dismissed"),
    "follow_up_raised": gettext_lazy("Follow-up opportunity raised"),
    "issue_logged": gettext_lazy("Issue logged"),
    "joined": gettext_lazy("Joined"),
    "left": gettext_lazy("Left"),
    "lesson_added": gettext_lazy("Lesson added"),
    "meeting_created": gettext_lazy("Meeting created"),
    "no_risks_sign_off_cleared": gettext_lazy("No-risks sign-off cleared"),
    "no_risks_sign_off_withdrawn": gettext_lazy("No-risks sign-off withdrawn"),
    "no_risks_signed_off": gettext_lazy("Signed off: no significant risks"),
    "notes_updated": gettext_lazy("Notes updated"),
    "offer_created": gettext_lazy("Offer created"),
    "offer_lost": gettext_lazy("Offer lost"),
    "offer_sent": gettext_lazy("Offer sent"),
    "offer_updated": gettext_lazy("Offer updated"),
    "offer_withdrawn": gettext_lazy("Offer withdrawn"),
    "project_risk_added": gettext_lazy("Project risk added"),
    "project_risk_mitigated": gettext_lazy("Project risk mitigated"),
    "project_risk_closed": gettext_lazy("Project risk closed"),
    "project_risk_occurred": gettext_lazy("Project risk occurred"),
    "project_risk_reopened": gettext_lazy("Project risk reopened"),
    "project_risk_rescored": gettext_lazy("Project risk rescored"),
    "pulse_answered": gettext_lazy("Client pulse answered"),
    "reassigned": gettext_lazy("Reassigned"),
    "resubmitted": gettext_lazy("Resubmitted"),
    "returned": gettext_lazy("Returned"),
    "review_cancelled": gettext_lazy("Review cancelled"),
    "review_completed": gettext_lazy("Review completed"),
    "review_confirmed": gettext_lazy("Review confirmed"),
    "review_requested": gettext_lazy("Review requested"),
    "risk_added": gettext_lazy("Risk added"),
    "risk_removed": gettext_lazy("Risk removed"),
    "risk_updated": gettext_lazy("Risk updated"),
    "sla_escalated": gettext_lazy("Escalated past the SLA"),
    "sla_reminded": gettext_lazy("Reminded of the SLA"),
    "status_changed": gettext_lazy("Status changed"),
    "updated": gettext_lazy("Updated"),
    "user_created": gettext_lazy("User created"),
    "won": gettext_lazy("Won"),
}


@register.filter
def verb_label(verb: str) -> str:
    """``offer_sent`` → "Offer sent" (translated, ``VERB_LABELS``)."""
    label = VERB_LABELS.get(verb or "")
    return str(label) if label is not None else (verb or "").replace("_", " ").capitalize()


@register.filter
def field_label(field: str) -> str:
    return (field or "").replace("_", " ").replace(".", " ")


# Fields whose logged values are amounts of money: shown like every other amount (core.money).
MONEY_FIELDS = frozenset({"value", "budget", "cost_impact", "estimated_value"})


@register.filter
def change_value(value, field: str = "") -> str:
    """A change's old or new value as a short string ("—" for nothing); ``field`` names amounts of money."""
    if value is None or value == "" or value == []:
        return "—"
    if field in MONEY_FIELDS:
        return format_money(value, empty=str(value))
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return str(value)
