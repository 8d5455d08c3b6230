"""Forms of the client pages. They shape the input; the services validate and decide.

Plain forms rather than ModelForms, so one validation path (the services)
speaks for the pages and the API alike; the views copy a service's
``ValidationError`` onto the form next to the field it concerns.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact
from clients.selectors import account_owner_choices


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Unique, whatever the case."))
    industry = forms.CharField(label=_("Industry"), max_length=100, required=False)
    website = forms.URLField(
        label=_("Website"), max_length=300, required=False, assume_scheme="https", help_text="https://…"
    )
    account_owner = UserChoiceField(
        label=_("Account owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Me"),
        help_text=_("The sales rep who owns the relationship."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=ClientStatus.choices, initial=ClientStatus.PROSPECT)

    def __init__(
        self,
        *args: Any,
        actor: Any,
        can_manage_account: bool = True,
        can_write: bool = True,
        creating: bool = True,
        client_pk: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.client_pk = client_pk
        self.fields["account_owner"].queryset = account_owner_choices()
        if not creating or not actor.is_sales:
            # Someone must own the account: only a rep can leave it to default to themselves.
            self.fields["account_owner"].required = True
            self.fields["account_owner"].empty_label = None if not creating else _("Choose a sales rep")
        if not can_manage_account:
            # Shown, but only the account owner and managers change them.
            for name in ("account_owner", "status"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only the account owner or a manager changes this.")
        if not can_write:
            # A manager without the sales role changes the account owner and status only (SPEC §2).
            for name in ("name", "industry", "website"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Only sales reps change this.")

    def clean_name(self) -> str:
        # The service checks again; asking here shows the clash next to every other error at once.
        from clients.services import client_name_clash

        name = self.cleaned_data["name"]
        message = client_name_clash(name, exclude_pk=self.client_pk)
        if message:
            raise ValidationError(message)
        return name

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if not self.fields[name].disabled}


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    reports_to = forms.ModelChoiceField(
        label=_("Reports to"),
        queryset=Contact.objects.none(),
        required=False,
        empty_label=_("Nobody (top of the chart)"),
    )
    buying_role = forms.ChoiceField(label=_("Buying role"), choices=BuyingRole.choices, initial=BuyingRole.OTHER)
    communication_style = forms.CharField(
        label=_("Communication style"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How they like to be addressed, preferred channel, personality notes."),
    )

    def __init__(self, *args: Any, client: Client, contact: Contact | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any contact of the same client, the service refuses loops; the contact itself is not offered.
        candidates = Contact.objects.filter(client=client).order_by("name")
        if contact is not None:
            candidates = candidates.exclude(pk=contact.pk)
        self.fields["reports_to"].queryset = candidates
        self.fields["reports_to"].label_from_instance = lambda other: (
            f"{other.name}, {other.title}" if other.title else other.name
        )


class BriefForm(forms.Form):
    """The brief; ``confidential_notes`` only for those allowed to see them."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    background = forms.CharField(
        label=_("Background"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    goals = forms.CharField(
        label=_("Goals"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    expectations = forms.CharField(
        label=_("Expectations"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    politics = forms.CharField(
        label=_("Politics"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    dos_and_donts = forms.CharField(
        label=_("Dos and don'ts"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    confidential_notes = forms.CharField(
        label=_("Confidential notes"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen only by the account owner, the client's reviewing and project PMs, and managers."),
    )

    def __init__(self, *args: Any, confidential_visible: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.confidential_visible = confidential_visible
        if not confidential_visible:
            del self.fields["confidential_notes"]

    def brief_values(self) -> dict[str, str]:
        """The edited fields; confidential notes sent by someone not shown them go on to the service, which refuses."""
        values = {name: self.cleaned_data[name] for name in ClientBrief.EDITABLE_FIELDS if name in self.fields}
        if "confidential_notes" not in self.fields and "confidential_notes" in self.data:
            values["confidential_notes"] = self.data["confidential_notes"]
        return values
