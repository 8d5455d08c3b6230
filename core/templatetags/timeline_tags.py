"""Wording for the activity timeline (``templates/_timeline.html``)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from core.money import format_money

register = template.Library()

# The activity log's verbs (``log_activity(verb=...)`` in every app) as people read them. A verb not
# listed is shown from its name ("offer_sent" → "Offer sent"), untranslated: add it here. The context
# keeps "Accepted" (a handoff: angenommen) apart from a deliverable's "Accepted" (abgenommen) elsewhere.
VERB_LABELS = {
    "accepted": pgettext_lazy("activity", "Accepted"),
    "action_item_added": pgettext_lazy("activity", "Action item added"),
    "action_item_done": pgettext_lazy("activity", "Action item done"),
    "action_item_reopened": pgettext_lazy("activity", "Action item reopened"),
    "deliverable_submitted": pgettext_lazy("activity", "Deliverable submitted"),
    "kickoff_scheduled": pgettext_lazy("activity", "Kick-off scheduled"),
    "kickoff_rescheduled": pgettext_lazy("activity", "Kick-off rescheduled"),
    "project_risk_updated": pgettext_lazy("activity", "Project risk updated"),
    "pulse_recorded": pgettext_lazy("activity", "Client pulse recorded"),
    "assigned": pgettext_lazy("activity", "Assigned"),
    "brief_updated": pgettext_lazy("activity", "Brief updated"),
    "change_request_approved": pgettext_lazy("activity", "Change request approved"),
    "change_request_raised": pgettext_lazy("activity", "Change request raised"),
    "change_request_rejected": pgettext_lazy("activity", "Change request rejected"),
    "change_request_signed": pgettext_lazy("activity", "Change request signed"),
    "client_created": pgettext_lazy("activity", "Client created"),
    "client_link_issued": pgettext_lazy("activity", "Client link issued"),
    "client_link_revoked": pgettext_lazy("activity", "Client link revoked"),
    "client_updated": pgettext_lazy("activity", "Client updated"),
    "commented": pgettext_lazy("activity", "Commented"),
    "commitment_added": pgettext_lazy("activity", "Commitment added"),
    "commitment_removed": pgettext_lazy("activity", "Commitment removed"),
    "commitment_status_changed": pgettext_lazy("activity", "Commitment status changed"),
    "contact_added": pgettext_lazy("activity", "Contact added"),
    "contact_removed": pgettext_lazy("activity", "Contact removed"),
    "contact_updated": pgettext_lazy("activity", "Contact updated"),
    "created": pgettext_lazy("activity", "Created"),
    "created_from_follow_up": pgettext_lazy("activity", "Created from a follow-up opportunity"),
    "deliverable_accepted": pgettext_lazy("activity", "Deliverable accepted"),
    "deliverable_added": pgettext_lazy("activity", "Deliverable added"),
    "deliverable_edited": pgettext_lazy("activity", "Deliverable edited"),
    "deliverable_rejected": pgettext_lazy("activity", "Deliverable rejected"),
    "deliverable_resubmitted": pgettext_lazy("activity", "Deliverable resubmitted"),
    "document added": pgettext_lazy("activity", "Document added"),
    "document deleted": pgettext_lazy("activity", "Document deleted"),
    "follow_up_converted": pgettext_lazy("activity", "Follow-up opportunity converted"),
    "follow_up_dismissed": pgettext_lazy("activity", "Follow-up opportunity dismissed"),
    "follow_up_raised": pgettext_lazy("activity", "Follow-up opportunity raised"),
    "issue_logged": pgettext_lazy("activity", "Issue logged"),
    "joined": pgettext_lazy("activity", "Joined"),
    "left": pgettext_lazy("activity", "Left"),
    "lesson_added": pgettext_lazy("activity", "Lesson added"),
    "meeting_created": pgettext_lazy("activity", "Meeting created"),
    "no_risks_sign_off_cleared": pgettext_lazy("activity", "No-risks sign-off cleared"),
    "no_risks_sign_off_withdrawn": pgettext_lazy("activity", "No-risks sign-off withdrawn"),
    "no_risks_signed_off": pgettext_lazy("activity", "Signed off: no significant risks"),
    "notes_updated": pgettext_lazy("activity", "Notes updated"),
    "offer_created": pgettext_lazy("activity", "Offer created"),
    "offer_lost": pgettext_lazy("activity", "Offer lost"),
    "offer_sent": pgettext_lazy("activity", "Offer sent"),
    "offer_updated": pgettext_lazy("activity", "Offer updated"),
    "offer_withdrawn": pgettext_lazy("activity", "Offer withdrawn"),
    "project_risk_added": pgettext_lazy("activity", "Project risk added"),
    "project_risk_mitigated": pgettext_lazy("activity", "Project risk mitigated"),
    "project_risk_closed": pgettext_lazy("activity", "Project risk closed"),
    "project_risk_occurred": pgettext_lazy("activity", "Project risk occurred"),
    "project_risk_reopened": pgettext_lazy("activity", "Project risk reopened"),
    "project_risk_rescored": pgettext_lazy("activity", "Project risk rescored"),
    "pulse_answered": pgettext_lazy("activity", "Client pulse answered"),
    "reassigned": pgettext_lazy("activity", "Reassigned"),
    "resubmitted": pgettext_lazy("activity", "Resubmitted"),
    "returned": pgettext_lazy("activity", "Returned"),
    "review_cancelled": pgettext_lazy("activity", "Review cancelled"),
    "review_completed": pgettext_lazy("activity", "Review completed"),
    "review_confirmed": pgettext_lazy("activity", "Review confirmed"),
    "review_requested": pgettext_lazy("activity", "Review requested"),
    "risk_added": pgettext_lazy("activity", "Risk added"),
    "risk_removed": pgettext_lazy("activity", "Risk removed"),
    "risk_updated": pgettext_lazy("activity", "Risk updated"),
    "sla_escalated": pgettext_lazy("activity", "Escalated past the SLA"),
    "sla_reminded": pgettext_lazy("activity", "Reminded of the SLA"),
    "status_changed": pgettext_lazy("activity", "Status changed"),
    "updated": pgettext_lazy("activity", "Updated"),
    "user_created": pgettext_lazy("activity", "User created"),
    "won": pgettext_lazy("activity", "Won"),
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
