from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from clients.models import Contact
from core.forms import PersonPickerField
from handoff.models import RiskCategory
from projects.models import (
    CLIENT_LINK_DAYS_MAX,
    CLIENT_LINK_DAYS_MIN,
    IssueSeverity,
    ProjectHealth,
    ProjectStatus,
)
from projects.services import EFFORT_MAX, allowed_statuses


class PersonChoiceField(PersonPickerField):
    pass


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return getattr(obj, "full_name", None) or str(obj)


class ContactsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.title})" if obj.title else obj.name


class ProjectStateForm(forms.Form):
    status = forms.ChoiceField(choices=ProjectStatus.choices)
    health = forms.ChoiceField(choices=ProjectHealth.choices)
    actual_effort_days = forms.DecimalField(
        label="Actual effort (person-days)",
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
        queryset=User.objects.with_role(Role.PM).distinct(), label="New project manager", empty_label=None
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
    title = forms.CharField(max_length=200, required=False, help_text="Default: Kickoff: <project name>")
    starts_at = forms.DateTimeField(
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=5, max_value=24 * 60, initial=60)
    location = forms.CharField(max_length=200, required=False, help_text="A room or a video call link")
    attendees = PeopleField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Colleagues",
    )
    contacts = ContactsField(
        queryset=Contact.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Client contacts"
    )
    notes = forms.CharField(label="Agenda", max_length=20000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

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
    choices = [(str(value), f"{value} · {word}") for value, word in enumerate(CLIENT_SCALE_WORDS[field], start=1)]
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
