from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from core.versioning import VersionedModel
from handoff.models import RISK_LEVEL_VALIDATORS, RiskCategory


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNING: (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.CANCELLED),
    ProjectStatus.ACTIVE: (ProjectStatus.ON_HOLD, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED),
    ProjectStatus.ON_HOLD: (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED),
    ProjectStatus.COMPLETED: (),
    ProjectStatus.CANCELLED: (),
}


class ProjectHealth(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"


class Project(VersionedModel):
    # One project per handoff, whatever the concurrency: the database says so.
    handoff = models.OneToOneField("handoff.Handoff", on_delete=models.PROTECT, related_name="project")
    snapshot = models.ForeignKey("handoff.HandoffSnapshot", on_delete=models.PROTECT, related_name="+")
    offer = models.ForeignKey("handoff.Offer", on_delete=models.PROTECT, related_name="projects")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="projects")
    name = models.CharField(max_length=200)
    pm = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="managed_projects")
    sales_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_projects"
    )
    status = models.CharField(max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.PLANNING)
    health = models.CharField(max_length=16, choices=ProjectHealth.choices, default=ProjectHealth.ON_TRACK)
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    estimated_effort_days = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    actual_effort_days = models.DecimalField(
        max_digits=8, decimal_places=1, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    EDITABLE_FIELDS = ("status", "health", "actual_effort_days")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProjectStatus.values), name="project_status_valid"),
            models.CheckConstraint(condition=Q(health__in=ProjectHealth.values), name="project_health_valid"),
            models.CheckConstraint(condition=Q(actual_effort_days__gte=0), name="project_effort_non_negative"),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_start__lte=F("planned_end")),
                name="project_dates_ordered",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "health"], name="project_status_health_idx"),
            models.Index(fields=["pm", "status"], name="project_pm_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    KEPT = "kept", "Kept"
    AT_RISK = "at_risk", "At risk"
    RENEGOTIATED = "renegotiated", "Renegotiated"
    BROKEN = "broken", "Broken"


class ProjectCommitment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    source = models.ForeignKey("handoff.Commitment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500)
    due = models.DateField(null=True, blank=True)
    feasibility = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommitmentStatus.values), name="project_commitment_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.text


class RiskStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ProjectRisk(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    source = models.ForeignKey("handoff.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=RiskCategory.choices, default=RiskCategory.OTHER)
    probability = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    impact = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    mitigation = models.TextField(max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5), name="project_risk_probability_range"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="project_risk_impact_range"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.impact


class DeliverableStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SUBMITTED = "submitted", "Submitted"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


DELIVERABLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DeliverableStatus.PLANNED: (DeliverableStatus.SUBMITTED,),
    DeliverableStatus.SUBMITTED: (DeliverableStatus.ACCEPTED, DeliverableStatus.REJECTED),
    # A rejected deliverable is reworked and submitted again.
    DeliverableStatus.REJECTED: (DeliverableStatus.SUBMITTED,),
    DeliverableStatus.ACCEPTED: (),
}


class Deliverable(models.Model):
    """A deliverable or milestone the client approves."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="deliverables")
    name = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=DeliverableStatus.choices, default=DeliverableStatus.PLANNED)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        "clients.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliverableStatus.values), name="deliverable_status_valid")
        ]
        indexes = [models.Index(fields=["status", "due"], name="deliverable_status_due_idx")]

    def __str__(self) -> str:
        return self.name


class MeetingKind(models.TextChoices):
    KICKOFF = "kickoff", "Kickoff"
    REGULAR = "regular", "Regular"


class Meeting(models.Model):
    """A project meeting with users and client contacts: the kickoff now, regular meetings later."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="meetings")
    kind = models.CharField(max_length=16, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(
        default=60, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    location = models.CharField(max_length=200, blank=True)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="meetings")
    contacts = models.ManyToManyField("clients.Contact", blank=True, related_name="meetings")
    notes = models.TextField(max_length=20000, blank=True)
    decisions = models.TextField(max_length=10000, blank=True)
    # The calendar identity of the invitation: stable across reschedules, SEQUENCE counts the updates.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=24 * 60), name="meeting_duration_range"
            ),
            # One kickoff per project; scheduling it again reschedules it.
            models.UniqueConstraint(fields=["project"], condition=Q(kind="kickoff"), name="meeting_one_kickoff"),
        ]
        indexes = [models.Index(fields=["project", "starts_at"], name="meeting_project_starts_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id])

    @property
    def ends_at(self):
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)
