from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.versioning import VersionedModel


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    SENT = "sent", _("Sent")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_OFFER_STATUSES = (OfferStatus.DRAFT, OfferStatus.REVIEW, OfferStatus.SENT)

# The offer status machine (SPEC §3). Services refuse every move not listed.
OFFER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    OfferStatus.DRAFT: (OfferStatus.REVIEW, OfferStatus.SENT, OfferStatus.LOST, OfferStatus.WITHDRAWN),
    OfferStatus.REVIEW: (OfferStatus.DRAFT, OfferStatus.LOST, OfferStatus.WITHDRAWN),
    OfferStatus.SENT: (OfferStatus.WON, OfferStatus.LOST, OfferStatus.WITHDRAWN),
    OfferStatus.WON: (),
    OfferStatus.LOST: (),
    OfferStatus.WITHDRAWN: (),
}


class Offer(VersionedModel):
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="offers")
    title = models.CharField(max_length=200)
    summary = models.TextField(_("scope summary"), max_length=10000, blank=True)
    value = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    probability = models.PositiveSmallIntegerField(
        _("win probability (%)"), default=50, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    expected_close = models.DateField(null=True, blank=True)
    desired_start = models.DateField(null=True, blank=True)
    desired_end = models.DateField(null=True, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="offers")
    status = models.CharField(max_length=16, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    # The explicit "no significant risks" assessment, instead of a risk register.
    no_risks_signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_risks_signed_off_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    EDITABLE_FIELDS = ("title", "summary", "value", "probability", "expected_close", "desired_start", "desired_end")

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0) | Q(value__isnull=True), name="offer_value_non_negative"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="offer_probability_range"),
            models.CheckConstraint(
                condition=Q(desired_start__isnull=True)
                | Q(desired_end__isnull=True)
                | Q(desired_start__lte=F("desired_end")),
                name="offer_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(status__in=OfferStatus.values), name="offer_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="offer_status_created_idx"),
            models.Index(fields=["owner", "status"], name="offer_owner_status_idx"),
            models.Index(fields=["client", "status"], name="offer_client_status_idx"),
            models.Index(fields=["expected_close"], name="offer_expected_close_idx"),
            # The offer list's and the admin's default order (newest first) at 100 000 offers.
            models.Index(fields=["-created_at", "-id"], name="offer_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("handoff:offer_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_OFFER_STATUSES

    @property
    def weighted_value(self) -> Decimal:
        return (self.value or Decimal("0")) * self.probability / 100


class Feasibility(models.TextChoices):
    FEASIBLE = "feasible", _("Feasible")
    RISKY = "risky", _("Risky")
    INFEASIBLE = "infeasible", _("Infeasible")


class Commitment(models.Model):
    """An explicit promise made to the client during the sale."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="commitments")
    text = models.CharField(max_length=500)
    due = models.DateField(null=True, blank=True)
    # Set by the PM during the feasibility review.
    feasibility = models.CharField(max_length=16, choices=Feasibility.choices, blank=True)
    feasibility_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return self.offer.get_absolute_url()


class RiskCategory(models.TextChoices):
    TECHNICAL = "technical", _("Technical")
    SCHEDULE = "schedule", _("Schedule")
    BUDGET = "budget", _("Budget")
    RESOURCE = "resource", _("Resource")
    CLIENT = "client", _("Client")
    LEGAL = "legal", _("Legal")
    OTHER = "other", _("Other")


RISK_LEVEL_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]


class Risk(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=RiskCategory.choices, default=RiskCategory.OTHER)
    probability = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    impact = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    mitigation = models.TextField(max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(probability__gte=1, probability__lte=5), name="risk_probability_range"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_range"),
            models.CheckConstraint(condition=Q(category__in=RiskCategory.values), name="risk_category_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return self.offer.get_absolute_url()

    @property
    def score(self) -> int:
        return self.probability * self.impact


class ReviewStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Verdict(models.TextChoices):
    FEASIBLE = "feasible", _("Feasible")
    FEASIBLE_WITH_CONDITIONS = "feasible_with_conditions", _("Feasible with conditions")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class FeasibilityReview(models.Model):
    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.REQUESTED)
    verdict = models.CharField(max_length=32, choices=Verdict.choices, blank=True)
    effort_days = models.DecimalField(
        "estimated effort (person-days)",
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    duration_weeks = models.DecimalField(
        "estimated duration (weeks)",
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    notes = models.TextField(_("conditions and notes"), max_length=10000, blank=True)
    # Initial milestones: [{"name": str, "due": "YYYY-MM-DD" | null}], copied into the project on accept.
    milestones = models.JSONField(default=list, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # What the completed review covered (SPEC §7.1, ``handoff.coverage.coverage_of``): value,
    # scope summary, desired dates, commitments and risks, and the commitments the PM marked.
    # Set on completion and re-bound by the PM's re-confirmation.
    covered = models.JSONField(null=True, blank=True, editable=False)
    covered_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the PM was told the offer changed since ``covered_at``: once per coverage.
    change_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("feasibility review")
        verbose_name_plural = _("feasibility reviews")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open review request per offer at a time.
            models.UniqueConstraint(
                fields=["offer"], condition=Q(status="requested"), name="review_one_open_per_offer"
            ),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="review_status_valid"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="review_reviewer_status_idx"),
            # The review list's default order (newest request first).
            models.Index(fields=["-requested_at", "-id"], name="review_requested_idx"),
        ]

    def __str__(self) -> str:
        return f"Review of {self.offer} by {self.reviewer}"

    def get_absolute_url(self) -> str:
        return self.offer.get_absolute_url()


class HandoffStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


HANDOFF_TRANSITIONS: dict[str, tuple[str, ...]] = {
    HandoffStatus.PENDING: (HandoffStatus.ACCEPTED, HandoffStatus.RETURNED),
    HandoffStatus.RETURNED: (HandoffStatus.PENDING,),
    HandoffStatus.ACCEPTED: (),
}


class Handoff(models.Model):
    """Responsibility for a won offer moving from sales to a PM."""

    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="handoff")
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="handoffs"
    )
    status = models.CharField(max_length=16, choices=HandoffStatus.choices, default=HandoffStatus.PENDING)
    return_reason = models.TextField(max_length=2000, blank=True)
    return_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    # When it last became pending (creation or resubmit): the SLA clock.
    pending_since = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("handoff")
        verbose_name_plural = _("handoffs")
        ordering = ["-pending_since", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=HandoffStatus.values), name="handoff_status_valid")
        ]
        indexes = [models.Index(fields=["status", "pending_since"], name="handoff_status_pending_idx")]

    def __str__(self) -> str:
        return f"Handoff of {self.offer}"

    def get_absolute_url(self) -> str:
        return reverse("handoff:handoff_detail", args=[self.pk])


class HandoffSnapshot(models.Model):
    """An immutable record of what was sold, one version per (re)submission."""

    handoff = models.ForeignKey(Handoff, on_delete=models.PROTECT, related_name="snapshots")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handoff snapshot")
        verbose_name_plural = _("handoff snapshots")
        ordering = ["handoff", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["handoff", "version"], name="snapshot_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.handoff} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise TypeError("Handoff snapshots are immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return self.handoff.get_absolute_url()


# A status or verdict inside a sentence ("A sent offer cannot be sent."): lower case in English,
# while a translation picks its own form (German keeps the capital of its nouns).
IN_SENTENCE = {
    OfferStatus.DRAFT: pgettext_lazy("status in a sentence", "draft"),
    OfferStatus.REVIEW: pgettext_lazy("status in a sentence", "in review"),
    OfferStatus.SENT: pgettext_lazy("status in a sentence", "sent"),
    OfferStatus.WON: pgettext_lazy("status in a sentence", "won"),
    OfferStatus.LOST: pgettext_lazy("status in a sentence", "lost"),
    OfferStatus.WITHDRAWN: pgettext_lazy("status in a sentence", "withdrawn"),
    ReviewStatus.REQUESTED: pgettext_lazy("status in a sentence", "requested"),
    ReviewStatus.COMPLETED: pgettext_lazy("status in a sentence", "completed"),
    ReviewStatus.CANCELLED: pgettext_lazy("status in a sentence", "cancelled"),
    HandoffStatus.PENDING: pgettext_lazy("status in a sentence", "pending"),
    HandoffStatus.ACCEPTED: pgettext_lazy("status in a sentence", "accepted"),
    HandoffStatus.RETURNED: pgettext_lazy("status in a sentence", "returned"),
    Verdict.FEASIBLE: pgettext_lazy("verdict in a sentence", "feasible"),
    Verdict.FEASIBLE_WITH_CONDITIONS: pgettext_lazy("verdict in a sentence", "feasible with conditions"),
    Verdict.NOT_FEASIBLE: pgettext_lazy("verdict in a sentence", "not feasible"),
}


def in_sentence(value: str) -> str:
    """``IN_SENTENCE`` for a status or verdict value (the value itself when it has none)."""
    return str(IN_SENTENCE.get(value, value))
