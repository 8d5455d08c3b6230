from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from clients.models import Contact
from projects.models import ProjectHealth, ProjectStatus
from projects.services import EFFORT_MAX, allowed_statuses


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name


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
