"""What the project page's sections share: loading the project, the sold-vs-now table, answering one
section's htmx swap (with its out-of-band parts), and the small forms in the page's modal.

A section's swap reads what that section and the out-of-band parts show (``project_get``: the
commitments, risks, deliverables and change requests, and the timeline), never the whole page's context.
The page's lower sections (meetings, pulse, follow-ups, lessons, activity) and the sections projects owns
on the client and offer pages load after their page with hx-get (``render_panel``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_htmx.http import reswap, retarget, trigger_client_event

from core.activity import activity_for
from core.htmx import is_fragment, render_panel
from core.modals import render_modal
from core.money import format_money
from projects.models import Project
from projects.selectors import project_get, projects_visible_to
from projects.services import deliverables as deliverable_services

SectionContext = Callable[[HttpRequest, Project], dict[str, Any]]


def load_project(request: HttpRequest, pk: int) -> Project:
    """The project (with its client, people and snapshot) if the user may see it: one query, no prefetch."""
    project = (
        projects_visible_to(request.user)
        .select_related("client", "pm", "sales_liaison", "snapshot")
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise Http404(_("No such project"))
    return project


def project_crumbs(project: Project) -> list[tuple[str, str]]:
    return [(_("Projects"), reverse("projects:list")), (project.name, project.get_absolute_url())]


# --- A section loaded after its page --------------------------------------------------------------
def render_project_panel(
    request: HttpRequest, project: Project, template: str, context: dict[str, Any], *, title: str
) -> HttpResponse:
    """One of the project page's lower sections, loaded after the page (``_deferred_section.html``)."""
    context = {"project": project, **context}
    return render_panel(request, template, context, title=title, back=(project.name, project.get_absolute_url()))


# --- Sold vs now -----------------------------------------------------------------------------------
def sold_vs_now(project: Project) -> list[dict[str, Any]]:
    """The sold-vs-now table from the snapshot and the project's prefetched commitments, risks,
    deliverables and change requests (no query)."""
    sold = project.snapshot.data
    offer, review = sold.get("offer", {}), sold.get("review") or {}
    change_requests = list(project.change_requests.all())
    approved = [change for change in change_requests if change.status == "approved"]
    cost = sum((change.cost_impact for change in approved), Decimal("0"))
    days = sum(change.schedule_impact_days for change in approved)
    proposed = sum(change.status == "proposed" for change in change_requests)
    today = timezone.localdate()
    deliverables = list(project.deliverables.all())
    commitments = list(project.commitments.all())
    risks = list(project.risks.all())
    if approved and proposed:
        budget_note = ngettext(
            "%(count)d approved change: %(cost)s; %(proposed)d proposed",
            "%(count)d approved changes: %(cost)s; %(proposed)d proposed",
            len(approved),
        ) % {"count": len(approved), "cost": format_money(cost, signed=True), "proposed": proposed}
    elif approved:
        budget_note = ngettext(
            "%(count)d approved change: %(cost)s", "%(count)d approved changes: %(cost)s", len(approved)
        ) % {"count": len(approved), "cost": format_money(cost, signed=True)}
    elif proposed:
        budget_note = ngettext("%(count)d proposed", "%(count)d proposed", proposed) % {"count": proposed}
    else:
        budget_note = ""
    return [
        {"label": _("Budget"), "sold": offer.get("value"), "now": project.budget, "kind": "money", "note": budget_note},
        {"label": _("Start"), "sold": offer.get("desired_start"), "now": project.planned_start, "kind": "date"},
        {
            "label": _("End"),
            "sold": offer.get("desired_end"),
            "now": project.planned_end,
            "kind": "date",
            "end": True,
            "note": _("approved changes: %(days)s days") % {"days": f"{days:+d}"} if days else "",
        },
        {
            "label": _("Deliverables"),
            "sold": len(review.get("milestones") or []),
            "now": _("%(accepted)d accepted, %(overdue)d overdue")
            % {
                "accepted": sum(item.status == "accepted" for item in deliverables),
                "overdue": sum(deliverable_services.is_overdue(item, today) for item in deliverables),
            },
            "kind": "count",
        },
        {
            "label": _("Effort (person-days)"),
            "sold": review.get("effort_days"),
            "now": project.actual_effort_days,
            "kind": "effort",
        },
        {
            "label": _("Commitments"),
            "sold": len(sold.get("commitments", [])),
            "now": _("%(kept)d kept, %(at_risk)d at risk or broken")
            % {
                "kept": sum(item.status == "kept" for item in commitments),
                "at_risk": sum(item.status in ("at_risk", "broken") for item in commitments),
            },
            "kind": "count",
        },
        {
            "label": _("Risks"),
            "sold": len(sold.get("risks", [])),
            "now": _("%(open)d open, %(mitigated)d mitigated, %(occurred)d occurred")
            % {
                "open": sum(risk.status == "open" for risk in risks),
                "mitigated": sum(risk.status == "mitigated" for risk in risks),
                "occurred": sum(risk.status == "occurred" for risk in risks),
            },
            "kind": "count",
        },
    ]


# --- One section's swap ------------------------------------------------------------------------------
def render_section(
    request: HttpRequest,
    project_pk: int,
    template: str,
    anchor: str,
    section: SectionContext,
    **extra: Any,
) -> HttpResponse:
    """After a change: the section with its out-of-band parts (htmx), or the project page (PRG).

    ``section(request, project)`` gives what the section's template needs; the out-of-band parts
    (``projects/_change_oob.html``) get the sold-vs-now table, the budget and the timeline.
    """
    if not is_fragment(request):
        return redirect(reverse("projects:detail", args=[project_pk]) + f"#{anchor}")
    try:
        project = project_get(user=request.user, pk=project_pk)
    except Project.DoesNotExist:
        raise Http404(_("No such project"))
    context = {
        "project": project,
        **section(request, project),
        "sold_vs_now": sold_vs_now(project),
        "activities": activity_for(project),
        **extra,
        "oob": True,
    }
    return render(request, template, context)


# --- The modal -------------------------------------------------------------------------------------
def close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "closeModal")


def modal_form(
    request: HttpRequest,
    project: Project,
    form: forms.Form,
    *,
    title: str,
    submit: str,
    action: str,
    target: str,
    **extra: Any,
) -> HttpResponse:
    """A small form in the modal (htmx) or on a page of its own; an invalid htmx POST goes back into the modal."""
    fragment = is_fragment(request)
    context = {
        "project": project,
        "form": form,
        "title": title,
        "submit": submit,
        "action": action,
        "target": target,
        "in_page": not fragment,
        **extra,
    }
    if not fragment:
        return render_modal(
            request, "projects/_change_form_modal.html", context, title=title, crumbs=project_crumbs(project)
        )
    response = render(request, "projects/_change_form_modal.html", context)
    if request.method == "POST":
        response = reswap(retarget(response, "#modal-body"), "innerHTML")
    return response
