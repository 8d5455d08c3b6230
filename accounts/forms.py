from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class LanguageForm(forms.Form):
    """The user's own language on the profile page; empty lets the browser decide."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser says")), *Language.choices],
        required=False,
        help_text=_("The language of the pages, e-mails and notifications you receive."),
    )
