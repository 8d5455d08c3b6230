"""Forms of the dashboards: the filter form that reads the query string of the page, the CSV export and the API."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from clients.models import Client
from dashboards.filters import DashboardFilters

# Long enough for any review of the business, short enough that the monthly chart stays readable.
MAX_PERIOD_DAYS = 5 * 366


class DashboardFilterForm(forms.Form):
    """Validates the dashboard's query string (page, CSV export and API alike)."""

    start = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    rep = forms.IntegerField(required=False, min_value=1, label=_("Sales rep"))
    pm = forms.IntegerField(required=False, min_value=1, label=_("Project manager"))
    client = forms.IntegerField(required=False, min_value=1, label=_("Client"))
    # The page's client box sends a name (client names are unique, case-insensitively).
    client_name = forms.CharField(required=False, max_length=200, strip=True, label=_("Client"))

    def __init__(self, *args: Any, scoped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A rep's or PM's own dashboard: who it is about is not theirs to choose.
        if scoped:
            del self.fields["rep"]
            del self.fields["pm"]

    def clean_rep(self) -> int | None:
        return self._existing_user(self.cleaned_data.get("rep"), gettext("No such sales rep."))

    def clean_pm(self) -> int | None:
        return self._existing_user(self.cleaned_data.get("pm"), gettext("No such project manager."))

    def clean_client(self) -> int | None:
        client_id = self.cleaned_data.get("client")
        if client_id and not Client.objects.filter(pk=client_id).exists():
            raise ValidationError(gettext("No such client."))
        return client_id

    def clean_client_name(self) -> int | None:
        name = self.cleaned_data.get("client_name")
        if not name:
            return None
        client_id = Client.objects.filter(name__iexact=name).values_list("pk", flat=True).first()
        if client_id is None:
            raise ValidationError(gettext("No client is called “%(name)s”.") % {"name": name})
        return client_id

    @staticmethod
    def _existing_user(user_id: int | None, message: str) -> int | None:
        if user_id and not User.objects.filter(pk=user_id).exists():
            raise ValidationError(message)
        return user_id

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", gettext("The end of the period must not be before its start."))
        elif start and (end or timezone.localdate()) - start > datetime.timedelta(days=MAX_PERIOD_DAYS):
            self.add_error("start", gettext("Choose a period of at most five years."))
        by_id, by_name = data.get("client"), data.get("client_name")
        if by_id and by_name and by_id != by_name:
            self.add_error("client_name", gettext("Give the client by id or by name, not two different ones."))
        return data

    def filters(self) -> DashboardFilters:
        data = self.cleaned_data
        return DashboardFilters(
            start=data.get("start"),
            end=data.get("end"),
            rep_id=data.get("rep"),
            pm_id=data.get("pm"),
            client_id=data.get("client") or data.get("client_name"),
        )
