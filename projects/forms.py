from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from clients.models import Client, Contact
from core.forms import PersonPickerField
from handoff.forms import DateInput
from handoff.models import RiskCategory
from projects.models import (
    CHANGE_COMMENT_MAX,
    CHANGE_COST_DECIMAL_PLACES,
    CHANGE_COST_LIMIT,
    CHANGE_COST_MAX_DIGITS,
    CHANGE_DESCRIPTION_MAX,
    CHANGE_SCHEDULE_LIMIT_DAYS,
    CHANGE_TITLE_MAX,
    CLIENT_LINK_DAYS_MAX,
    CLIENT_LINK_DAYS_MIN,
    DeliverableStatus,
    IssueSeverity,
    Meeting,
    MeetingKind,
    MeetingRecurrence,
    Project,
    ProjectHealth,
    ProjectStatus,
    ReportedThrough,
)
from projects.selectors import issue_assignee_choices
from projects.services import deliverables as deliverable_services
from projects.services import followups as follow_up_services
from projects.services import issues as issue_services
from projects.services import lessons as lesson_services
from projects.services import meetings as meeting_services
from projects.services import pulses as pulse_services
from projects.services.projects import EFFORT_MAX, allowed_statuses


class PersonChoiceField(PersonPickerField):
    pass


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return getattr(obj, "full_name", None) or str(obj)


class ContactsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.title})" if obj.title else obj.name


class ProjectStateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    health = forms.ChoiceField(label=_("Health"), choices=ProjectHealth.choices)
    actual_effort_days = forms.DecimalField(
        label=_("Actual effort (person-days)"),
        min_value=Decimal("0"),
        max_value=EFFORT_MAX,
        decimal_places=1,
        localize=True,  # "12,5" in German (SPEC §7.6)
    )
    effort_not_tracked = forms.BooleanField(
        label=_("Effort not tracked"),
        required=False,
        help_text=_("Completing the project asks for its actual effort, or tick this when nobody recorded it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ProjectStatus.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in allowed_statuses(project)]


class ProjectReassignForm(forms.Form):
    pm = PersonChoiceField(
        queryset=User.objects.with_role(Role.PM).distinct(), label=_("New project manager"), empty_label=None
    )

    def __init__(self, *args: Any, project: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if project is not None:
            # Four eyes (SPEC §7.2): the project's sales liaison is never offered as its PM.
            self.fields["pm"].leave_out(
                project.sales_liaison_id,
                _("Choose another project manager: the project's sales liaison cannot also be its PM (four eyes)."),
            )


class KickoffForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Default: Kickoff: <project name>")
    )
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=24 * 60, initial=60)
    location = forms.CharField(
        label=_("Location"), max_length=200, required=False, help_text=_("A room or a video call link")
    )
    attendees = PeopleField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Colleagues"),
    )
    contacts = ContactsField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Client contacts")
    )
    notes = forms.CharField(
        label=_("Agenda"), max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = Contact.objects.filter(client_id=project.client_id).order_by("name")


# --- Project risks (SPEC §7.3) ------------------------------------------------------------------
RISK_LEVELS = [(level, str(level)) for level in range(1, 6)]


class ProjectRiskEditForm(forms.Form):
    """The PM's edit of a project risk: re-score, mitigation, owner (the status has its own inline form)."""

    probability = forms.TypedChoiceField(
        label=_("Probability"), choices=RISK_LEVELS, coerce=int, help_text=_("1 (rare) to 5 (almost certain)")
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=RISK_LEVELS, coerce=int, help_text=_("1 (minor) to 5 (severe)")
    )
    mitigation = forms.CharField(
        label=_("Mitigation"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = PersonChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
        required=False,
        empty_label=_("Nobody yet"),
    )


class ProjectRiskAddForm(forms.Form):
    """A risk found after the sale. Its owner is the PM who adds it (changed in the edit), so the project page
    needs no list of people."""

    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices, initial=RiskCategory.OTHER)
    probability = forms.TypedChoiceField(
        label=_("Probability"),
        choices=RISK_LEVELS,
        coerce=int,
        initial=3,
        help_text=_("1 (rare) to 5 (almost certain)"),
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=RISK_LEVELS, coerce=int, initial=3, help_text=_("1 (minor) to 5 (severe)")
    )
    mitigation = forms.CharField(
        label=_("Mitigation"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# --- The client page (SPEC §7.5) --------------------------------------------------------------
# Plain text fields on purpose where the services own the rule (1-5, reason on a rejection):
# one wording of each error for the page and the JSON door.
CLIENT_SCALE_WORDS = {
    "mood": (_("very unhappy"), _("unhappy"), _("neutral"), _("happy"), _("very happy")),
    "urgency": (_("relaxed"), _("calm"), _("normal"), _("pressing"), _("very urgent")),
    "satisfaction": (
        _("very dissatisfied"),
        _("dissatisfied"),
        _("neutral"),
        _("satisfied"),
        _("very satisfied"),
    ),
}


def _scale(field: str, label: str) -> forms.CharField:
    # format_lazy: the words are translated when the page is rendered, in the reader's language.
    choices = [
        (str(value), format_lazy("{} · {}", value, word))
        for value, word in enumerate(CLIENT_SCALE_WORDS[field], start=1)
    ]
    return forms.CharField(label=label, required=False, widget=forms.RadioSelect(choices=choices))


class ClientDecisionForm(forms.Form):
    decision = forms.CharField(required=False)
    reason = forms.CharField(
        label=_("Reason (required when you reject)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2000}),
    )


class ClientPulseForm(forms.Form):
    mood = _scale("mood", _("How do you feel about the project?"))
    urgency = _scale("urgency", _("How urgent are your open points?"))
    satisfaction = _scale("satisfaction", _("How satisfied are you with our work?"))
    note = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )


class ClientIssueForm(forms.Form):
    title = forms.CharField(
        label=_("What is the problem?"), required=False, widget=forms.TextInput(attrs={"maxlength": 200})
    )
    description = forms.CharField(
        label=_("Details (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 10000})
    )
    severity = forms.ChoiceField(label=_("How serious is it?"), choices=IssueSeverity.choices, initial="medium")


class ClientLinkForm(forms.Form):
    """The PM or the sales liaison invites a contact of the project's client."""

    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label=_("Contact"))
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=CLIENT_LINK_DAYS_MIN, max_value=CLIENT_LINK_DAYS_MAX, initial=30
    )
    send_email = forms.BooleanField(label=_("Also e-mail the link to the contact"), required=False)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(client_id=project.client_id).order_by("name")
        self.fields["contact"].label_from_instance = lambda obj: f"{obj.name} <{obj.email}>" if obj.email else obj.name


# --- Change requests --------------------------------------------------------------------------------
class ChangeRequestForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=CHANGE_TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        max_length=CHANGE_DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cost_impact = forms.DecimalField(
        label=_("Cost impact"),
        max_digits=CHANGE_COST_MAX_DIGITS,
        decimal_places=CHANGE_COST_DECIMAL_PLACES,
        min_value=-CHANGE_COST_LIMIT,
        max_value=CHANGE_COST_LIMIT,
        initial=Decimal("0"),
        help_text=_(
            "Negative when the change saves money. Any cost needs both the PM's and the sales liaison's signature."
        ),
    )
    schedule_impact_days = forms.IntegerField(
        label=_("Schedule impact (days)"),
        min_value=-CHANGE_SCHEDULE_LIMIT_DAYS,
        max_value=CHANGE_SCHEDULE_LIMIT_DAYS,
        initial=0,
        help_text=_("Days the planned end moves (negative: earlier)."),
    )


class SignForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        max_length=CHANGE_COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Why is it rejected?"), max_length=CHANGE_COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Deliverables -----------------------------------------------------------------------------------
class DeliverableForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=deliverable_services.NAME_MAX)
    due = forms.DateField(label=_("Due date"), required=False, widget=DateInput())


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.title})" if obj.title else obj.name


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("The client's decision"),
        choices=[(DeliverableStatus.ACCEPTED, _("Accepted")), (DeliverableStatus.REJECTED, _("Rejected"))],
        widget=forms.RadioSelect,
    )
    contact = ContactChoiceField(queryset=Contact.objects.none(), label=_("Who decided (client contact)"))
    decided_on = forms.DateField(
        label=_("Decided on"), required=False, widget=DateInput(), help_text=_("Leave empty for today.")
    )
    reason = forms.CharField(
        label=_("Reason (required on a rejection)"),
        max_length=deliverable_services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(client_id=project.client_id).order_by("name")

    def decided_at(self) -> datetime.datetime | None:
        day = self.cleaned_data.get("decided_on")
        if day is None or day == timezone.localdate():
            return None  # now
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))


# --- Meetings ---------------------------------------------------------------------------------------
def _active_people():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class MeetingForm(KickoffForm):
    """A regular meeting: the kickoff's fields, a default title of its own, and how often it repeats."""

    recurrence = forms.ChoiceField(
        label=_("Repeats"),
        choices=MeetingRecurrence.choices,
        initial=MeetingRecurrence.WEEKLY,
        help_text=_("A recurring meeting is open for any sales rep or PM to join."),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.fields["title"].help_text = _("Default: Project meeting: <project name>")


class MeetingNotesForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    attendees = PeopleField(
        queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Colleagues")
    )
    contacts = ContactsField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Client contacts")
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        max_length=meeting_services.DECISIONS_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, auto_id="id_notes_%s", **kwargs)
        self.fields["attendees"].queryset = _active_people()
        self.fields["contacts"].queryset = Contact.objects.filter(client_id=meeting.project.client_id).order_by("name")
        if meeting.kind == MeetingKind.KICKOFF:
            self.fields["starts_at"].disabled = True
            self.fields["starts_at"].help_text = _("Reschedule the kickoff from the project page.")


class ActionItemForm(forms.Form):
    text = forms.CharField(label=_("Action"), max_length=500)
    owner = PersonChoiceField(queryset=User.objects.none(), label=_("Owner"), empty_label=_("Choose the owner"))
    due = forms.DateField(
        label=_("Due (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, auto_id="id_action_%s", **kwargs)
        self.fields["owner"].queryset = _active_people()


# --- Follow-ups -------------------------------------------------------------------------------------
class FollowUpForm(forms.Form):
    title = forms.CharField(label=_("Opportunity"), max_length=follow_up_services.TITLE_MAX)
    description = forms.CharField(
        label=_("What did you hear?"),
        max_length=follow_up_services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    estimated_value = forms.DecimalField(
        label=_("Estimated value"),
        min_value=0,
        max_value=follow_up_services.VALUE_MAX,
        decimal_places=2,
        max_digits=14,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "follow_up_%s")  # unique ids beside the page's other forms
        super().__init__(*args, **kwargs)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not worth an offer?"),
        max_length=follow_up_services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Lessons ----------------------------------------------------------------------------------------
class LessonForm(forms.Form):
    text = forms.CharField(
        label=_("What should sales know next time?"),
        max_length=lesson_services.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "lesson_%s")  # unique ids beside the page's other forms
        super().__init__(*args, **kwargs)


# --- Issues -----------------------------------------------------------------------------------------
def _people_choices() -> list[tuple[int, str]]:
    return [(person.pk, person.full_name) for person in issue_assignee_choices()]


def _default_channel(user: Any) -> str:
    if user.has_role(Role.SALES):
        return ReportedThrough.SALES
    if user.has_role(Role.PM):
        return ReportedThrough.PM
    return ReportedThrough.CLIENT


class AssigneesField(forms.TypedMultipleChoiceField):
    widget = forms.SelectMultiple(attrs={"size": 6})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Assignees")
        kwargs.setdefault("help_text", "Anyone from sales, delivery or management; choose several with Ctrl or ⌘.")
        super().__init__(coerce=int, required=False, **kwargs)


class IssueForm(forms.Form):
    """Logging an issue. The client is a choice on the full page and fixed on the client page."""

    client = forms.TypedChoiceField(coerce=int, label=_("Client"))
    project = forms.TypedChoiceField(coerce=int, empty_value=None, required=False, label=_("Project"))
    title = forms.CharField(max_length=issue_services.TITLE_MAX, label=_("What is the problem?"))
    severity = forms.ChoiceField(label=_("Severity"), choices=IssueSeverity.choices, initial=IssueSeverity.MEDIUM)
    reported_through = forms.ChoiceField(choices=ReportedThrough.choices, label=_("Reported through"))
    assignees = AssigneesField()
    description = forms.CharField(
        max_length=issue_services.DESCRIPTION_MAX,
        required=False,
        label=_("Details"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the client said, where it happens, since when, who is affected."),
    )

    def __init__(self, *args, user: Any, clients: list[Client], projects: list[Project], compact: bool = False, **kw):
        super().__init__(*args, **kw)
        self.fields["client"].choices = [(client.pk, client.name) for client in clients]
        self.fields["reported_through"].initial = _default_channel(user)
        self.fields["assignees"].choices = _people_choices()
        if compact:
            self.fields["client"].widget = forms.HiddenInput()
            self.fields["project"].choices = [("", _("No particular project"))] + [
                (project.pk, project.name) for project in projects
            ]
            self.fields["description"].widget.attrs["rows"] = 2
        else:
            by_client: dict[str, list[tuple[int, str]]] = {}
            for project in projects:
                by_client.setdefault(project.client.name, []).append((project.pk, project.name))
            self.fields["project"].choices = [("", _("No particular project")), *by_client.items()]
            self.fields["project"].help_text = _("Optional: a project of the chosen client.")


class IssueEditForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=issue_services.TITLE_MAX)
    severity = forms.ChoiceField(label=_("Severity"), choices=IssueSeverity.choices)
    description = forms.CharField(
        label=_("Details"),
        max_length=issue_services.DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class IssueAssignForm(forms.Form):
    assignees = AssigneesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignees"].choices = _people_choices()


class CommentForm(forms.Form):
    body = forms.CharField(
        max_length=issue_services.COMMENT_MAX,
        label=_("Add a comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write something before posting the comment.")},
    )


# --- Client pulse -----------------------------------------------------------------------------------
SCORE_WORDS = CLIENT_SCALE_WORDS


def _choices(field: str) -> list[tuple[str, str]]:
    words = enumerate(SCORE_WORDS[field], start=1)
    return [("", "—")] + [(str(value), format_lazy("{} · {}", value, word)) for value, word in words]


class PulseForm(forms.Form):
    """Plain text fields on purpose: the service owns the 1-5 rule and words its errors once for UI and API."""

    mood = forms.CharField(label=_("Mood"), widget=forms.Select(choices=_choices("mood")), required=False)
    urgency = forms.CharField(label=_("Urgency"), widget=forms.Select(choices=_choices("urgency")), required=False)
    satisfaction = forms.CharField(
        label=_("Satisfaction"), widget=forms.Select(choices=_choices("satisfaction")), required=False
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 2, "maxlength": pulse_services.PULSE_NOTE_MAX, "placeholder": _("What did the client say?")}
        ),
        help_text=_("Optional. A mood of 2 or less alerts the sales liaison and the managers."),
    )

    def __init__(self, *args, prefix_id: str = "pulse", **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s", **kwargs)
