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
from projects.models import ProjectHealth, ProjectStatus
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
        label="Actual effort (person-days)", min_value=Decimal("0"), max_value=EFFORT_MAX, decimal_places=1
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
