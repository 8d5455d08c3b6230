from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.inspection import TITLE_MAX


class DocumentUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), allow_empty_file=True)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX, required=False)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)
