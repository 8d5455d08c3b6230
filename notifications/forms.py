from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.events import USER_EVENTS


class EmailPreferencesForm(forms.Form):
    """The event types the user wants e-mail for; unchecked ones are turned off."""

    email = forms.MultipleChoiceField(
        label=_("E-mail me about"),
        choices=[(event.value, event.label) for event in USER_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def email_enabled(self) -> dict[str, bool]:
        chosen = set(self.cleaned_data["email"])
        return {event.value: event.value in chosen for event in USER_EVENTS}
