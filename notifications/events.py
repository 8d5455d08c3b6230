"""Every event that notifies people (SPEC §3 "Notifications"), with who receives it.

Services call ``notifications.services.notify(event=Event.X, ...)``; the
recipients are chosen by the calling service, which knows the object.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    REVIEW_REQUESTED = "review_requested", _("Feasibility review requested")
    REVIEW_COMPLETED = "review_completed", _("Feasibility review completed")
    # To the reviewing PM, once per coverage (SPEC §7.1).
    REVIEWED_OFFER_CHANGED = "reviewed_offer_changed", _("Reviewed offer changed")
    HANDOFF_PENDING = "handoff_pending", _("Offer won, handoff waiting for a PM")
    HANDOFF_ACCEPTED = "handoff_accepted", _("Handoff accepted")
    HANDOFF_RETURNED = "handoff_returned", _("Handoff returned")
    HANDOFF_RESUBMITTED = "handoff_resubmitted", _("Handoff resubmitted")
    HANDOFF_REASSIGNED = "handoff_reassigned", _("Handoff reassigned to you")
    HANDOFF_SLA_REMINDER = "handoff_sla_reminder", _("Handoff waiting longer than the SLA")
    HANDOFF_SLA_ESCALATION = "handoff_sla_escalation", _("Handoff escalated past the SLA")
    PROJECT_REASSIGNED = "project_reassigned", _("Project reassigned to you")
    KICKOFF_SCHEDULED = "kickoff_scheduled", _("Kickoff meeting scheduled")
    CHANGE_REQUEST_RAISED = "change_request_raised", _("Change request raised")
    CHANGE_REQUEST_DECIDED = "change_request_decided", _("Change request decided")
    DELIVERABLE_DECIDED = "deliverable_decided", _("Deliverable accepted or rejected by the client")
    ISSUE_CREATED = "issue_created", _("Client issue created")
    ISSUE_ASSIGNED = "issue_assigned", _("Client issue assigned to you")
    FOLLOW_UP_RAISED = "follow_up_raised", _("Follow-up opportunity raised")
    LOW_PULSE = "low_pulse", _("Client pulse with low mood")
    # To a client contact's e-mail address, not a user: no preference applies.
    CLIENT_LINK_INVITE = "client_link_invite", _("Client link sent to a contact")


# Events addressed to people outside the portal: users have no preference for them.
EXTERNAL_EVENTS = frozenset({Event.CLIENT_LINK_INVITE})
# The events a user gets, and may turn e-mail off for.
USER_EVENTS = tuple(event for event in Event if event not in EXTERNAL_EVENTS)
