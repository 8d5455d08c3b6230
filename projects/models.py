from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.versioning import VersionedModel
from handoff.models import RISK_LEVEL_VALIDATORS, RiskCategory


class ProjectStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    ACTIVE = "active", _("Active")
    ON_HOLD = "on_hold", _("On hold")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


PROJECT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ProjectStatus.PLANNING: (ProjectStatus.ACTIVE, ProjectStatus.ON_HOLD, ProjectStatus.CANCELLED),
    ProjectStatus.ACTIVE: (ProjectStatus.ON_HOLD, ProjectStatus.COMPLETED, ProjectStatus.CANCELLED),
    ProjectStatus.ON_HOLD: (ProjectStatus.ACTIVE, ProjectStatus.CANCELLED),
    ProjectStatus.COMPLETED: (),
    ProjectStatus.CANCELLED: (),
}


class ProjectHealth(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


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
    # The PM says the actual effort is not known. Without it, a completed project needs an actual effort
    # above zero; with it, the project stays out of the estimate accuracy (a zero would read as "done in no time").
    effort_not_tracked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    EDITABLE_FIELDS = ("status", "health", "actual_effort_days", "effort_not_tracked")

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
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
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept")
    AT_RISK = "at_risk", _("At risk")
    RENEGOTIATED = "renegotiated", _("Renegotiated")
    BROKEN = "broken", _("Broken")


class ProjectCommitment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="commitments")
    source = models.ForeignKey("handoff.Commitment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.CharField(max_length=500)
    due = models.DateField(null=True, blank=True)
    feasibility = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project commitment")
        verbose_name_plural = _("project commitments")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CommitmentStatus.values), name="project_commitment_status_valid"
            )
        ]

    def __str__(self) -> str:
        return self.text


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    OCCURRED = "occurred", _("Occurred")
    CLOSED = "closed", _("Closed")


# SPEC §7.3: open → mitigated | occurred | closed. A mitigation can fail (mitigated → open or occurred);
# an occurred risk is dealt with and closed; closed is final.
RISK_TRANSITIONS: dict[str, tuple[str, ...]] = {
    RiskStatus.OPEN: (RiskStatus.MITIGATED, RiskStatus.OCCURRED, RiskStatus.CLOSED),
    RiskStatus.MITIGATED: (RiskStatus.OPEN, RiskStatus.OCCURRED, RiskStatus.CLOSED),
    RiskStatus.OCCURRED: (RiskStatus.CLOSED,),
    RiskStatus.CLOSED: (),
}


class ProjectRisk(models.Model):
    """A risk of the project: copied from what was sold at the handoff, or added by the PM since (SPEC §7.3)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    source = models.ForeignKey("handoff.Risk", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=16, choices=RiskCategory.choices, default=RiskCategory.OTHER)
    probability = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    impact = models.PositiveSmallIntegerField(validators=RISK_LEVEL_VALIDATORS)
    # What was sold (the snapshot's scores, copied at the accept); empty for a risk added on the project.
    sold_probability = models.PositiveSmallIntegerField(null=True, blank=True, validators=RISK_LEVEL_VALIDATORS)
    sold_impact = models.PositiveSmallIntegerField(null=True, blank=True, validators=RISK_LEVEL_VALIDATORS)
    mitigation = models.TextField(max_length=5000, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    closed_reason = models.TextField(max_length=2000, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("project risk")
        verbose_name_plural = _("project risks")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5), name="project_risk_probability_range"
            ),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="project_risk_impact_range"),
            models.CheckConstraint(
                condition=Q(sold_probability__isnull=True) | Q(sold_probability__gte=1, sold_probability__lte=5),
                name="project_risk_sold_probability_range",
            ),
            models.CheckConstraint(
                condition=Q(sold_impact__isnull=True) | Q(sold_impact__gte=1, sold_impact__lte=5),
                name="project_risk_sold_impact_range",
            ),
            models.CheckConstraint(condition=Q(status__in=RiskStatus.values), name="project_risk_status_valid"),
            # Closing needs a reason (SPEC §7.3).
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(closed_reason=""), name="project_risk_closed_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="project_risk_project_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#project-risk-{self.pk}"

    @property
    def score(self) -> int:
        return self.probability * self.impact

    @property
    def was_sold(self) -> bool:
        return self.sold_probability is not None and self.sold_impact is not None

    @property
    def sold_score(self) -> int | None:
        return self.sold_probability * self.sold_impact if self.was_sold else None


class DeliverableStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", pgettext_lazy("deliverable status", "Accepted")
    REJECTED = "rejected", _("Rejected")


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
    # The contact decided themselves, through a client link (not recorded for them by the team).
    decided_via_link = models.BooleanField(default=False)
    rejection_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deliverable")
        verbose_name_plural = _("deliverables")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliverableStatus.values), name="deliverable_status_valid")
        ]
        indexes = [models.Index(fields=["status", "due"], name="deliverable_status_due_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#deliverable-{self.pk}"


class MeetingKind(models.TextChoices):
    KICKOFF = "kickoff", _("Kickoff")
    REGULAR = "regular", _("Regular")


class MeetingRecurrence(models.TextChoices):
    NONE = "none", _("Once")
    WEEKLY = "weekly", _("Weekly")
    BIWEEKLY = "biweekly", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


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
    # A recurring project meeting (a weekly status call, say) that sales can see and join.
    recurrence = models.CharField(max_length=16, choices=MeetingRecurrence.choices, default=MeetingRecurrence.NONE)
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
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MeetingKind.values), name="meeting_kind_valid"),
            models.CheckConstraint(
                condition=Q(recurrence__in=MeetingRecurrence.values), name="meeting_recurrence_valid"
            ),
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


# --- After the handoff (SPEC §3) -------------------------------------------------------
class ChangeRequestStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


CHANGE_REQUEST_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ChangeRequestStatus.PROPOSED: (ChangeRequestStatus.APPROVED, ChangeRequestStatus.REJECTED),
    ChangeRequestStatus.APPROVED: (),
    ChangeRequestStatus.REJECTED: (),
}

# A change request's limits, written once: its columns, projects.services.changes, the page's form and the
# API serializer all read them. It costs or saves at most CHANGE_COST_LIMIT (the most a 14-digit, 2-place
# amount holds) and moves the end by at most CHANGE_SCHEDULE_LIMIT_DAYS.
CHANGE_TITLE_MAX = 200
CHANGE_DESCRIPTION_MAX = 10000
CHANGE_COMMENT_MAX = 2000
CHANGE_COST_MAX_DIGITS = 14
CHANGE_COST_DECIMAL_PLACES = 2
CHANGE_COST_LIMIT = Decimal("999999999999.99")
CHANGE_SCHEDULE_LIMIT_DAYS = 3650


class ChangeRequest(models.Model):
    """A change of scope after the signature. Approved changes roll into the project's budget and end date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    title = models.CharField(max_length=CHANGE_TITLE_MAX)
    description = models.TextField(max_length=CHANGE_DESCRIPTION_MAX, blank=True)
    # May be negative: a descoped change saves money or time.
    cost_impact = models.DecimalField(
        max_digits=CHANGE_COST_MAX_DIGITS, decimal_places=CHANGE_COST_DECIMAL_PLACES, default=Decimal("0")
    )
    schedule_impact_days = models.IntegerField(
        default=0,
        validators=[MinValueValidator(-CHANGE_SCHEDULE_LIMIT_DAYS), MaxValueValidator(CHANGE_SCHEDULE_LIMIT_DAYS)],
    )
    status = models.CharField(max_length=16, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PROPOSED)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(max_length=CHANGE_COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeRequestStatus.values), name="change_request_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(schedule_impact_days__gte=-CHANGE_SCHEDULE_LIMIT_DAYS)
                & Q(schedule_impact_days__lte=CHANGE_SCHEDULE_LIMIT_DAYS),
                name="change_request_schedule_range",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="change_request_project_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#change-request-{self.pk}"

    @property
    def needs_two_signatures(self) -> bool:
        return self.cost_impact != 0


class SignatureCapacity(models.TextChoices):
    PM = "pm", _("Project manager")
    SALES_LIAISON = "sales_liaison", _("Sales liaison")
    MANAGER = "manager", _("Manager")


class ChangeRequestApproval(models.Model):
    """One signature on a change request. The same person never signs twice, nor one capacity twice."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    capacity = models.CharField(max_length=16, choices=SignatureCapacity.choices)
    comment = models.TextField(max_length=CHANGE_COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change request approval")
        verbose_name_plural = _("change request approvals")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "user"], name="change_request_approval_once_per_user"),
            models.UniqueConstraint(
                fields=["change_request", "capacity"], name="change_request_approval_once_per_capacity"
            ),
            models.CheckConstraint(
                condition=Q(capacity__in=SignatureCapacity.values), name="change_request_approval_capacity_valid"
            ),
        ]

    def __str__(self) -> str:
        return _("%(user)s (%(capacity)s)") % {"user": self.user, "capacity": self.get_capacity_display()}


class IssueSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


ISSUE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    IssueStatus.OPEN: (IssueStatus.IN_PROGRESS, IssueStatus.RESOLVED),
    IssueStatus.IN_PROGRESS: (IssueStatus.RESOLVED,),
    # A resolution the client does not confirm goes back to work.
    IssueStatus.RESOLVED: (IssueStatus.CLOSED, IssueStatus.IN_PROGRESS),
    IssueStatus.CLOSED: (),
}


class ReportedThrough(models.TextChoices):
    SALES = "sales", _("Sales")
    PM = "pm", _("PM")
    CLIENT = "client", _("Client")


class ClientIssue(models.Model):
    """The shared client-issue tracker: the client explains a problem once, the whole account sees it."""

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="issues")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="issues")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000, blank=True)
    severity = models.CharField(max_length=16, choices=IssueSeverity.choices, default=IssueSeverity.MEDIUM)
    reported_through = models.CharField(max_length=16, choices=ReportedThrough.choices, default=ReportedThrough.CLIENT)
    status = models.CharField(max_length=16, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="assigned_issues")
    # A team member logs the issue, or the client reports it through a client link (then the contact).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reported_by_contact = models.ForeignKey(
        "clients.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("client issue")
        verbose_name_plural = _("client issues")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=IssueSeverity.values), name="issue_severity_valid"),
            models.CheckConstraint(condition=Q(status__in=IssueStatus.values), name="issue_status_valid"),
            models.CheckConstraint(
                condition=Q(reported_through__in=ReportedThrough.values), name="issue_reported_through_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "status"], name="issue_client_status_idx"),
            models.Index(fields=["status", "severity"], name="issue_status_severity_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:issue_detail", args=[self.pk])

    @property
    def created_by_name(self) -> str:
        if self.created_by_id:
            return self.created_by.full_name
        if self.reported_by_contact_id:
            return _("%(name)s (client, through the link)") % {"name": self.reported_by_contact.name}
        return ""


class IssueComment(models.Model):
    issue = models.ForeignKey(ClientIssue, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("issue comment")
        verbose_name_plural = _("issue comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return _("Comment by %(author)s on %(issue)s") % {"author": self.author, "issue": self.issue}


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONVERTED = "converted", _("Converted")
    DISMISSED = "dismissed", _("Dismissed")


FOLLOW_UP_TRANSITIONS: dict[str, tuple[str, ...]] = {
    FollowUpStatus.OPEN: (FollowUpStatus.CONVERTED, FollowUpStatus.DISMISSED),
    FollowUpStatus.CONVERTED: (),
    FollowUpStatus.DISMISSED: (),
}


class FollowUp(models.Model):
    """Follow-up business the project team heard of; the account owner converts it into an offer or dismisses it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=10000, blank=True)
    estimated_value = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    status = models.CharField(max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(auto_now_add=True)
    # The draft offer it became: one offer per follow-up, linked both ways (offer.follow_up).
    offer = models.OneToOneField(
        "handoff.Offer", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_up"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.TextField(max_length=2000, blank=True)

    class Meta:
        verbose_name = _("follow-up opportunity")
        verbose_name_plural = _("follow-up opportunities")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=FollowUpStatus.values), name="follow_up_status_valid"),
            models.CheckConstraint(condition=Q(estimated_value__gte=0), name="follow_up_value_non_negative"),
        ]
        indexes = [models.Index(fields=["project", "status"], name="follow_up_project_status_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + f"#follow-up-{self.pk}"


PULSE_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
# A pulse with mood at or below this alerts the sales liaison and managers.
LOW_MOOD = 2


class ClientPulse(models.Model):
    """How the client feels about the project, logged by anyone working on it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pulses")
    mood = models.PositiveSmallIntegerField(validators=PULSE_VALIDATORS)
    urgency = models.PositiveSmallIntegerField(validators=PULSE_VALIDATORS)
    satisfaction = models.PositiveSmallIntegerField(validators=PULSE_VALIDATORS)
    note = models.TextField(max_length=2000, blank=True)
    # A team member logs the pulse, or the client answers it through a client link (then the contact).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    given_by_contact = models.ForeignKey(
        "clients.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("client pulse")
        verbose_name_plural = _("client pulses")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(mood__gte=1, mood__lte=5), name="pulse_mood_range"),
            models.CheckConstraint(condition=Q(urgency__gte=1, urgency__lte=5), name="pulse_urgency_range"),
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1, satisfaction__lte=5), name="pulse_satisfaction_range"
            ),
        ]
        indexes = [models.Index(fields=["project", "recorded_at"], name="pulse_project_recorded_idx")]

    def __str__(self) -> str:
        return _("Pulse %(mood)s/%(urgency)s/%(satisfaction)s on %(project)s") % {
            "mood": self.mood,
            "urgency": self.urgency,
            "satisfaction": self.satisfaction,
            "project": self.project,
        }

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#pulse"

    @property
    def is_low(self) -> bool:
        return self.mood <= LOW_MOOD

    @property
    def recorded_by_name(self) -> str:
        if self.recorded_by_id:
            return self.recorded_by.full_name
        if self.given_by_contact_id:
            return _("%(name)s (client, through the link)") % {"name": self.given_by_contact.name}
        return ""


class ActionItem(models.Model):
    """An action agreed in a meeting, with an owner and a due date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="action_items")
    text = models.CharField(max_length=500)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    due = models.DateField(null=True, blank=True)
    done = models.BooleanField(default=False)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["done", "due", "id"]

    def __str__(self) -> str:
        return self.text


class LessonLearned(models.Model):
    """What sales should know next time: written when a project completes, shown on the client and its new offers."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="lessons")
    # Denormalised from the project: the client page and every new offer read lessons by client.
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(max_length=5000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "created_at"], name="lesson_client_created_idx")]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#lessons"


# --- The client takes part (SPEC §7.5) -------------------------------------------------------
CLIENT_LINK_DAYS_MIN, CLIENT_LINK_DAYS_MAX, CLIENT_LINK_DAYS_DEFAULT = 1, 90, 30


class ClientLinkState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ClientLink(models.Model):
    """A link that lets one contact of the project's client see the project and act on it, without an account.

    Only a keyed hash of the token is stored (``projects.services.client_links.hash_token``):
    a copy of the database gives no working link.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="client_links")
    contact = models.ForeignKey("clients.Contact", on_delete=models.PROTECT, related_name="client_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    # The language of the invite (SPEC §7.6): the client's pages and the invite e-mail speak it.
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        verbose_name = _("client link")
        verbose_name_plural = _("client links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="client_link_project_idx")]

    def __str__(self) -> str:
        return _("Client link for %(contact)s on %(project)s") % {"contact": self.contact.name, "project": self.project}

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.project_id]) + "#client-links"

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return ClientLinkState.REVOKED
        if self.expires_at <= timezone.now():
            return ClientLinkState.EXPIRED
        return ClientLinkState.ACTIVE

    def get_state_display(self) -> str:
        return ClientLinkState(self.state).label

    @property
    def is_active(self) -> bool:
        return self.state == ClientLinkState.ACTIVE
