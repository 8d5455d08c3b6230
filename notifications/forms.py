from django import forms

from notifications.events import EXTERNAL_EVENTS, Event


class EmailPreferencesForm(forms.Form):
    """The event types the user wants e-mail for; unchecked ones are turned off."""

    email = forms.MultipleChoiceField(
        label="E-mail me about",
        choices=[(value, label) for value, label in Event.choices if value not in EXTERNAL_EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def email_enabled(self) -> dict[str, bool]:
        chosen = set(self.cleaned_data["email"])
        return {event.value: event.value in chosen for event in Event if event not in EXTERNAL_EVENTS}
