"""Admin views of projects: read-mostly. State changes go through projects.services, never the admin form."""

from django.contrib import admin

from projects.models import Deliverable, Meeting, Project, ProjectCommitment, ProjectRisk


class ProjectCommitmentInline(admin.TabularInline):
    model = ProjectCommitment
    extra = 0
    fields = ["text", "due", "feasibility", "status"]
    readonly_fields = ["feasibility"]


class ProjectRiskInline(admin.TabularInline):
    model = ProjectRisk
    extra = 0
    fields = ["title", "category", "probability", "impact", "status", "owner"]
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
