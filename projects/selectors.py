"""Reads of projects (every signed-in user may read projects, SPEC §2) with their related rows in few queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from accounts.roles import Role
from clients.models import Client
from projects.models import Meeting, Project, ProjectHealth, ProjectRisk, ProjectStatus


def projects_visible_to(user: Any) -> QuerySet[Project]:
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    return Project.objects.all()


def project_list(*, user: Any, status: str = "", health: str = "", pm: str = "", client: str = "") -> QuerySet[Project]:
    projects = projects_visible_to(user).select_related("client", "pm", "sales_liaison").order_by("-created_at", "-id")
    if status in ProjectStatus.values:
        projects = projects.filter(status=status)
    if health in ProjectHealth.values:
        projects = projects.filter(health=health)
    if str(pm).isdigit():
        projects = projects.filter(pm_id=int(pm))
    if str(client).isdigit():
        projects = projects.filter(client_id=int(client))
    return projects


def project_get(*, user: Any, pk: int) -> Project:
    return (
        projects_visible_to(user)
        .select_related("client", "pm", "sales_liaison", "snapshot", "handoff", "offer")
        .prefetch_related(
            "commitments",
            Prefetch("risks", queryset=ProjectRisk.objects.select_related("owner")),
            "deliverables",
            Prefetch(
                "meetings",
                queryset=Meeting.objects.select_related("created_by").prefetch_related("attendees", "contacts"),
            ),
        )
        .get(pk=pk)
    )


def meetings_visible_to(user: Any) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(project__in=projects_visible_to(user))
        .select_related("project", "project__client", "project__pm", "created_by")
        .prefetch_related("attendees", "contacts")
    )


def filter_choices() -> dict[str, Any]:
    return {
        "pms": list(User.objects.with_role(Role.PM).order_by("first_name", "last_name").distinct()),
        "clients": list(Client.objects.filter(projects__isnull=False).distinct().order_by("name").only("id", "name")),
    }
