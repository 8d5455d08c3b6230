"""Admin views of projects: read-mostly. State changes go through projects.services, never the admin form."""

from django.contrib import admin

from projects.models import (
    ActionItem,
    ChangeRequest,
    ChangeRequestApproval,
    ClientIssue,
    ClientPulse,
    Deliverable,
    FollowUp,
    IssueComment,
    LessonLearned,
    Meeting,
    Project,
    ProjectCommitment,
    ProjectRisk,
)


class ProjectCommitmentInline(admin.TabularInline):
    model = ProjectCommitment
    extra = 0
    fields = ["text", "due", "feasibility", "status"]
    # The PM moves the status through projects.services.deliverables.commitment_set_status.
    readonly_fields = ["feasibility", "status"]


class ProjectRiskInline(admin.TabularInline):
    model = ProjectRisk
    extra = 0
    fields = ["title", "category", "probability", "impact", "sold_probability", "sold_impact", "status", "owner"]
    # What was sold is history; the PM moves the status (with its reason) through projects.services.risks.
    readonly_fields = ["sold_probability", "sold_impact", "status"]
    autocomplete_fields = ["owner"]


class DeliverableInline(admin.TabularInline):
    model = Deliverable
    extra = 0
    fields = ["name", "due", "status"]
    readonly_fields = ["status"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "client", "pm", "sales_liaison", "status", "health", "budget", "created_at"]
    list_filter = ["status", "health"]
    list_select_related = ["client", "pm", "sales_liaison"]
    search_fields = ["name", "client__name"]
    date_hierarchy = "created_at"
    # Status, PM and the handoff link change only through the services (activity log, notifications).
    readonly_fields = [
        "handoff",
        "snapshot",
        "offer",
        "client",
        "pm",
        "sales_liaison",
        "status",
        "health",
        "version",
        "created_at",
        "updated_at",
        "completed_at",
    ]
    inlines = [ProjectCommitmentInline, ProjectRiskInline, DeliverableInline]

    def has_add_permission(self, request) -> bool:
        return False  # projects are created only by accepting a handoff


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "starts_at", "duration_minutes", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["project", "created_by"]
    search_fields = ["title", "project__name"]
    raw_id_fields = ["project"]
    filter_horizontal = ["attendees", "contacts"]
    readonly_fields = ["uid", "sequence", "created_by", "created_at", "updated_at"]


class IssueCommentInline(admin.TabularInline):
    model = IssueComment
    extra = 0
    fields = ["author", "body", "created_at"]
    readonly_fields = ["author", "body", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # comments are added through projects.services.issues (activity log)


@admin.register(ClientIssue)
class ClientIssueAdmin(admin.ModelAdmin):
    list_display = ["title", "client", "project", "severity", "status", "reported_through", "created_by", "created_at"]
    list_filter = ["status", "severity", "reported_through"]
    list_select_related = ["client", "project", "created_by"]
    search_fields = ["title", "client__name", "project__name"]
    date_hierarchy = "created_at"
    # Status and assignees move only through the services (activity log, notifications).
    readonly_fields = [
        "client",
        "project",
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
        "assignees",
    ]
    inlines = [IssueCommentInline]

    def has_add_permission(self, request) -> bool:
        return False  # issues are logged through the tracker, which notifies the people concerned


@admin.register(IssueComment)
class IssueCommentAdmin(admin.ModelAdmin):
    list_display = ["issue", "author", "created_at"]
    list_select_related = ["issue", "author"]
    search_fields = ["body", "issue__title"]
    raw_id_fields = ["issue"]
    readonly_fields = ["issue", "author", "created_at"]


# --- Change requests and deliverables (read-mostly: signatures and decisions go through the services) ---
class ChangeRequestApprovalInline(admin.TabularInline):
    model = ChangeRequestApproval
    extra = 0
    fields = ["user", "capacity", "comment", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # signatures go through projects.services.changes (budget roll-up, notifications)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChangeRequest)
class ChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "cost_impact", "schedule_impact_days", "raised_by", "raised_at"]
    list_filter = ["status"]
    list_select_related = ["project", "raised_by"]
    search_fields = ["title", "project__name"]
    date_hierarchy = "raised_at"
    readonly_fields = [
        "project",
        "cost_impact",
        "schedule_impact_days",
        "status",
        "raised_by",
        "raised_at",
        "decided_at",
        "decision_comment",
    ]
    inlines = [ChangeRequestApprovalInline]

    def has_add_permission(self, request) -> bool:
        return False  # raised through the project page or the API, which notify the signatories


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["name", "project", "due", "status", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["project", "decided_by"]
    search_fields = ["name", "project__name"]
    readonly_fields = [
        "project",
        "status",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # planned by the PM on the project page (activity log)


@admin.register(ClientPulse)
class ClientPulseAdmin(admin.ModelAdmin):
    list_display = ["project", "mood", "urgency", "satisfaction", "recorded_by", "recorded_at"]
    list_filter = ["mood"]
    list_select_related = ["project", "recorded_by"]
    search_fields = ["project__name", "project__client__name", "note"]
    date_hierarchy = "recorded_at"
    # A pulse is a record of what the client said: logged through projects.services.pulses (alerts), never edited.
    readonly_fields = ["project", "mood", "urgency", "satisfaction", "note", "recorded_by", "recorded_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["text", "meeting", "owner", "due", "done", "done_at"]
    list_filter = ["done"]
    list_select_related = ["meeting", "owner"]
    search_fields = ["text", "meeting__title", "meeting__project__name"]
    raw_id_fields = ["meeting"]
    autocomplete_fields = ["owner"]
    # Ticking off goes through projects.services.meetings.action_item_set_done (activity log).
    readonly_fields = ["done", "done_at"]

    def has_add_permission(self, request) -> bool:
        return False  # added on the meeting page or through the API


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    """Read-only: raise, convert and dismiss go through projects.services.followups (notifications, the offer)."""

    list_display = ["title", "project", "status", "estimated_value", "raised_by", "raised_at", "offer"]
    list_filter = ["status"]
    list_select_related = ["project", "raised_by", "offer"]
    search_fields = ["title", "project__name", "project__client__name"]
    date_hierarchy = "raised_at"
    readonly_fields = [
        "project",
        "title",
        "description",
        "estimated_value",
        "status",
        "raised_by",
        "raised_at",
        "offer",
        "decided_by",
        "decided_at",
        "dismiss_reason",
    ]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LessonLearned)
class LessonLearnedAdmin(admin.ModelAdmin):
    list_display = ["__str__", "client", "project", "author", "created_at"]
    list_select_related = ["client", "project", "author"]
    search_fields = ["text", "client__name", "project__name"]
    date_hierarchy = "created_at"
    # The text stays editable (a typo); where it belongs and who wrote it do not.
    readonly_fields = ["project", "client", "author", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # recorded on a completed project's page or through the API
