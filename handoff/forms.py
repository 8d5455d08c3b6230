"""Forms of the offer pages. They check types and ranges for inline messages; the services decide.

Every form feeds one service function; what the service refuses comes back
with ``add_service_errors`` next to the field it concerns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from clients.models import Client
from core.forms import PersonPickerField
from handoff.models import (
    Commitment,
    Feasibility,
    FeasibilityReview,
    Handoff,
    Offer,
    RiskCategory,
    Verdict,
)
from handoff.selectors import OFFER_ORDERINGS, pm_choices, reviewer_choices
from handoff.services.handoffs import RETURN_REASON_MAX
from handoff.services.offers import MAX_OFFER_VALUE, MAX_REASON_LENGTH
from handoff.services.reviews import MAX_DURATION_WEEKS, MAX_EFFORT_DAYS, MAX_MARK_NOTE, MAX_MILESTONE_NAME

PM_REQUIRED = _("Choose a project manager (a user with the pm role).")
OWN_OFFER_REVIEW = gettext_noop("Ask another project manager: nobody reviews their own offer.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"min": "2000-01-01", "max": "2099-12-31", **(attrs or {})}, format="%Y-%m-%d")


class OfferForm(forms.Form):
    """Create (with a client) and edit (with the version the editor read)."""

    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.only("id", "name").order_by("name"))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Scope summary"), max_length=10000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    value = forms.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        min_value=Decimal("0"),
        max_value=MAX_OFFER_VALUE,
        localize=True,  # "12.500,00" in German (SPEC §7.6)
        help_text=_("Offer value; leave empty until it is known."),
    )
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100, initial=50)
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DateInput())
    desired_start = forms.DateField(label=_("Desired start"), required=False, widget=DateInput())
    desired_end = forms.DateField(label=_("Desired end"), required=False, widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, editing: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["value"].label = _("Value (%(currency)s)") % {"currency": settings.CURRENCY}
        if editing:
            del self.fields["client"]
        else:
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        start, end = data.get("desired_start"), data.get("desired_end")
        if start and end and end < start:
            self.add_error("desired_end", _("The desired end must not be before the desired start."))
        return data

    @staticmethod
    def initial_for(offer: Offer) -> dict:
        return {field: getattr(offer, field) for field in (*Offer.EDITABLE_FIELDS, "version")}


SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("-value", _("Highest value")),
    ("value", _("Lowest value")),
    ("expected_close", _("Closing soonest")),
    ("-expected_close", _("Closing latest")),
    ("title", _("Title A-Z")),
    ("-title", _("Title Z-A")),
]
assert {key.lstrip("-") for key, _label in SORT_CHOICES} == set(OFFER_ORDERINGS)


class OfferFilterForm(forms.Form):
    """The base form of ``handoff.filters.OfferListFilter``: the page's widgets, labels and option lists."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["q", "status", "owner", "client", "expected_close_after", "expected_close_before", "sort"])
        # By id, from links such as the client page's; the search box finds clients by name.
        # (No select of every client: at 100 000 offers there are thousands.)
        self.fields["client"].widget = forms.HiddenInput()
        self.fields["expected_close_after"].label = gettext_lazy("Closing from")
        self.fields["expected_close_before"].label = gettext_lazy("Closing until")
        for name in ("expected_close_after", "expected_close_before"):
            self.fields[name].widget = DateInput()
        # One query for the options (a ModelChoiceIterator in a template counts, then iterates).
        self.owner_options = [("", gettext_lazy("Any owner"))] + [
            (user.pk, user.full_name) for user in self.fields["owner"].queryset
        ]
        self.status_options = self.fields["status"].choices

    def clean(self):
        data = super().clean()
        after, before = data.get("expected_close_after"), data.get("expected_close_before")
        if after and before and before < after:
            self.add_error("expected_close_before", _("“Closing until” must not be before “Closing from”."))
        return data


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label=_("Commitment"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. go-live before 1 March")}),
    )
    due = forms.DateField(label=_("Due"), required=False, widget=DateInput())


LEVELS = [(level, str(level)) for level in range(1, 6)]


class RiskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=RiskCategory.choices, initial=RiskCategory.OTHER)
    probability = forms.TypedChoiceField(
        label=_("Probability"), choices=LEVELS, coerce=int, initial=3, help_text=_("1 (rare) to 5 (almost certain)")
    )
    impact = forms.TypedChoiceField(
        label=_("Impact"), choices=LEVELS, coerce=int, initial=3, help_text=_("1 (minor) to 5 (severe)")
    )
    mitigation = forms.CharField(
        label=_("Mitigation"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("Nobody yet")
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("first_name", "last_name")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class ReviewRequestForm(forms.Form):
    reviewer = PersonPickerField(
        queryset=User.objects.none(),
        label=_("Project manager"),
        empty_label=_("Choose a project manager"),
        error_messages={"invalid_choice": PM_REQUIRED, "required": PM_REQUIRED},
    )

    def __init__(self, *args, actor=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = reviewer_choices()
        if actor is not None:  # four eyes (SPEC §7.2): the offer's owner never reviews it
            self.fields["reviewer"].leave_out(actor.pk, gettext_lazy(OWN_OFFER_REVIEW))


class ReviewConfirmForm(forms.Form):
    """The PM re-confirms a stale review, marking the commitments added since (SPEC §7.1)."""

    commitments = forms.ModelMultipleChoiceField(
        queryset=Commitment.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Mark the commitments added since your review"),
        help_text=gettext_lazy("A commitment left unmarked stays an unmet item of the checklist."),
    )

    def __init__(self, *args, commitments=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        pks = [commitment.pk for commitment in commitments]
        if not pks:  # nothing to mark: the form is the confirm button alone
            del self.fields["commitments"]
        else:
            self.fields["commitments"].queryset = Commitment.objects.filter(pk__in=pks).order_by("id")


class ReviewCompleteForm(forms.Form):
    """The PM's answer, with one mark (and note) per commitment of the offer."""

    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    effort_days = forms.DecimalField(
        label=_("Estimated effort (person-days)"),
        min_value=Decimal("0"),
        max_value=MAX_EFFORT_DAYS,
        max_digits=8,
        decimal_places=1,
        localize=True,
    )
    duration_weeks = forms.DecimalField(
        label=_("Estimated duration (weeks)"),
        min_value=Decimal("0"),
        max_value=MAX_DURATION_WEEKS,
        max_digits=6,
        decimal_places=1,
        localize=True,
    )
    notes = forms.CharField(
        label=_("Conditions and notes"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when the verdict is not a plain “feasible”."),
    )

    def __init__(self, *args, review: FeasibilityReview, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.commitments = list(review.offer.commitments.all())
        for commitment in self.commitments:
            self.fields[f"mark_{commitment.pk}"] = forms.ChoiceField(
                label=commitment.text,
                choices=[("", _("Not marked")), *Feasibility.choices],
                required=False,
                initial=commitment.feasibility,
            )
            self.fields[f"note_{commitment.pk}"] = forms.CharField(
                label=_("Note on “%(commitment)s”") % {"commitment": commitment.text},
                max_length=MAX_MARK_NOTE,
                required=False,
                initial=commitment.feasibility_note,
            )

    def mark_rows(self):
        return [(c, self[f"mark_{c.pk}"], self[f"note_{c.pk}"]) for c in self.commitments]

    def commitment_marks(self) -> list[dict]:
        marks = []
        for commitment in self.commitments:
            mark = self.cleaned_data.get(f"mark_{commitment.pk}")
            if mark:
                marks.append(
                    {
                        "commitment": commitment.pk,
                        "mark": mark,
                        "note": self.cleaned_data.get(f"note_{commitment.pk}", ""),
                    }
                )
        return marks


class MilestoneForm(forms.Form):
    name = forms.CharField(label=_("Milestone"), max_length=MAX_MILESTONE_NAME, required=False)
    due = forms.DateField(label=_("Due"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("due") and not data.get("name"):
            self.add_error("name", _("Name the milestone (or clear its date)."))
        return data


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=4, max_num=50, validate_max=True, absolute_max=60)


def milestone_formset(data=None, *, initial: list[dict] | None = None):
    return MilestoneFormSet(data, initial=initial or None, prefix="milestones")


def milestones_from(formset) -> list[dict]:
    return [
        {"name": form.cleaned_data["name"], "due": form.cleaned_data.get("due")}
        for form in formset.forms
        if form.cleaned_data.get("name")
    ]


# --- Handoffs ------------------------------------------------------------------------------
class PmChoiceField(PersonPickerField):
    pass


OWNER_NOT_PM = gettext_lazy(
    "Choose another project manager: the person who sold the offer cannot also take it over (four eyes)."
)


class WinForm(forms.Form):
    pm = PmChoiceField(
        queryset=pm_choices(),
        required=False,
        label=_("Project manager"),
        empty_label=_("The reviewing PM (default)"),
        help_text=_("Who takes the project over. Leave the default to hand it to the PM who reviewed the offer."),
    )

    def __init__(self, *args: Any, offer: Offer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Four eyes (SPEC §7.2): the offer's owner is never offered as its PM, whatever roles they hold.
        self.fields["pm"].leave_out(offer.owner_id, OWNER_NOT_PM)


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does it go back to sales?"),
        max_length=RETURN_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The rep sees this and fixes the offer before resubmitting."),
    )


class ReassignForm(forms.Form):
    pm = PmChoiceField(queryset=pm_choices(), label=_("New project manager"), empty_label=None)

    def __init__(self, *args: Any, handoff: Handoff, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pm"].leave_out(handoff.offer.owner_id, OWNER_NOT_PM)
