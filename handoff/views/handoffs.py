"""The handoff pages: the list, the one-screen handoff page, and the win/accept/return/resubmit/reassign actions.

Thin: each action calls its service. A non-htmx POST redirects with a message
(PRG); an htmx POST from a modal answers with the form again (with its errors)
or with ``HX-Redirect`` to the page that changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.activity import activity_for
from core.errors import DomainError
from core.forms import add_service_errors
from core.htmx import is_fragment, redirect_after
from core.modals import modal_form_response, render_modal
from handoff.filters import HandoffListFilter
from handoff.forms import ReassignForm, ReturnForm, WinForm
from handoff.models import Handoff, HandoffStatus, Offer
from handoff.selectors import handoff_get, handoff_list, handoff_snapshots, pm_choices
from handoff.services.handoffs import (
    can_win,
    handoff_accept,
    handoff_actions,
    handoff_reassign,
    handoff_resubmit,
    handoff_return,
    offer_win,
)
from handoff.sla import sla_state
from handoff.snapshots import org_tree, risk_rows, snapshot_diff

PAGE_SIZE = 25


# --- Helpers ---------------------------------------------------------------------------------
def offer_url(offer: Offer) -> str:
    try:
        return reverse("handoff:offer_detail", args=[offer.pk])
    except NoReverseMatch:
        return ""


def _get_handoff(request: HttpRequest, pk: int) -> Handoff:
    try:
        return handoff_get(user=request.user, pk=pk)
    except Handoff.DoesNotExist:
        raise Http404(_("No such handoff"))


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect_after(request, url)


def _refused(request: HttpRequest, url: str, error: DomainError, template: str, context: dict) -> HttpResponse:
    if request.htmx:
        context["refusal"] = error.message
        return render(request, template, context)
    messages.error(request, error.message)
    return redirect(url)


# --- List --------------------------------------------------------------------------------------
@require_GET
def handoff_list_view(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    pm = request.GET.get("pm", "")
    # An unknown status or PM is ignored: the list shows what the valid filters select.
    handoffs = HandoffListFilter(request.GET, queryset=handoff_list(user=request.user)).qs
    page = Paginator(handoffs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "handoff": handoff,
            "sla": sla_state(handoff.pending_since) if handoff.status == HandoffStatus.PENDING else None,
        }
        for handoff in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "statuses": HandoffStatus.choices,
        "pms": list(pm_choices()),
        "filters": {"status": status, "pm": pm},
        "query": query.urlencode(),
    }
    if is_fragment(request):
        return render(request, "handoff/_handoff_table.html", context)
    return render(request, "handoff/handoff_list.html", context)


# --- Detail -----------------------------------------------------------------------------------
def _version(value: str | None, versions: dict[int, Any], default: int) -> int:
    return int(value) if value and value.isdigit() and int(value) in versions else default


@require_GET
def handoff_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    if is_fragment(request) and request.GET.get("fragment") == "diff":
        return render(request, "handoff/_handoff_diff.html", _detail_context(request, pk))
    return render(request, "handoff/handoff_detail.html", _detail_context(request, pk))


def _detail_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    handoff = _get_handoff(request, pk)
    snapshots = handoff_snapshots(handoff)
    by_version = {snapshot.version: snapshot for snapshot in snapshots}
    latest = snapshots[-1].version if snapshots else 0
    shown = by_version.get(_version(request.GET.get("version"), by_version, latest))
    compare_to = _version(request.GET.get("to"), by_version, latest)
    compare_from = _version(request.GET.get("from"), by_version, max(compare_to - 1, 1))
    diff = None
    if len(snapshots) > 1:
        diff = snapshot_diff(by_version[compare_from].data, by_version[compare_to].data)
    return {
        "handoff": handoff,
        "offer": handoff.offer,
        "offer_url": offer_url(handoff.offer),
        "snapshots": snapshots,
        "snapshot": shown,
        "sold": shown.data if shown else {},
        "org_tree": org_tree(shown.data) if shown else [],
        "sold_risks": risk_rows(shown.data) if shown else [],
        "activities": activity_for(handoff),
        "diff": diff,
        "compare_from": compare_from,
        "compare_to": compare_to,
        "sla": sla_state(handoff.pending_since) if handoff.status == HandoffStatus.PENDING else None,
        "actions": handoff_actions(request.user, handoff),
        "project": getattr(handoff, "project", None) if handoff.status == HandoffStatus.ACCEPTED else None,
    }


# --- Actions ---------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def offer_win_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The Win button's modal (GET) and the win itself (POST)."""
    offer = get_object_or_404(Offer.objects.select_related("client"), pk=pk)
    back = offer_url(offer) or reverse("handoff:handoff_list")
    template = "handoff/_handoff_win_form.html"
    if request.method == "GET":
        if not can_win(request.user, offer):
            raise Http404(_("This offer cannot be won by you"))
        return render_modal(
            request,
            template,
            {"offer": offer, "form": WinForm(offer=offer)},
            title=_("Mark as won"),
            crumbs=[(_("Offers"), reverse("handoff:offer_list")), (offer.title, back)],
        )
    form = WinForm(request.POST, offer=offer)
    context = {"offer": offer, "form": form}
    if form.is_valid():
        try:
            handoff = offer_win(offer=offer, actor=request.user, pm=form.cleaned_data["pm"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            return _refused(request, back, error, template, context)
        else:
            return _done(
                request,
                reverse("handoff:handoff_detail", args=[handoff.pk]),
                _("%(title)s is won. The handoff is waiting for %(pm)s.")
                % {"title": offer.title, "pm": handoff.pm.full_name}
                if handoff.pm
                else _("%(title)s is won. The handoff is waiting for a project manager.") % {"title": offer.title},
            )
    if request.htmx:
        return render(request, template, context)
    messages.error(request, "; ".join(error for errors in form.errors.values() for error in errors))
    return redirect(back)


@require_POST
def handoff_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = _get_handoff(request, pk)
    back = reverse("handoff:handoff_detail", args=[handoff.pk])
    try:
        project = handoff_accept(handoff=handoff, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_after(request, back)
    return _done(
        request,
        reverse("projects:detail", args=[project.pk]),
        _("Accepted. %(project)s is now your project.") % {"project": project.name},
    )


def _crumbs(handoff: Handoff) -> list[tuple[str, str]]:
    return [
        (_("Handoffs"), reverse("handoff:handoff_list")),
        (handoff.offer.title, reverse("handoff:handoff_detail", args=[handoff.pk])),
    ]


@require_http_methods(["GET", "POST"])
def handoff_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = _get_handoff(request, pk)
    back = reverse("handoff:handoff_detail", args=[handoff.pk])
    template = "handoff/_handoff_return_form.html"
    if request.method == "GET":
        return render_modal(
            request,
            template,
            {"handoff": handoff, "form": ReturnForm()},
            title=_("Return to sales"),
            crumbs=_crumbs(handoff),
        )
    form = ReturnForm(request.POST)
    context = {"handoff": handoff, "form": form}
    if form.is_valid():
        try:
            handoff_return(handoff=handoff, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            return _refused(request, back, error, template, context)
        else:
            return _done(request, back, _("Returned to sales with your reason."))
    if request.htmx:
        return render(request, template, context)
    messages.error(
        request,
        _("The handoff was not returned: %(errors)s")
        % {"errors": "; ".join(form.errors.get("reason", [_("invalid")]))},
    )
    return redirect(back)


@require_POST
def handoff_resubmit_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = _get_handoff(request, pk)
    back = reverse("handoff:handoff_detail", args=[handoff.pk])
    try:
        handoff_resubmit(handoff=handoff, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect_after(request, back)
    return _done(request, back, _("Resubmitted. The PM sees what changed since the last version."))


@require_http_methods(["GET", "POST"])
def handoff_reassign_view(request: HttpRequest, pk: int) -> HttpResponse:
    handoff = _get_handoff(request, pk)

    def save(data: dict[str, Any]) -> str:
        handoff_reassign(handoff=handoff, actor=request.user, pm=data["pm"])
        return _("Reassigned to %(pm)s.") % {"pm": data["pm"].full_name}

    data = request.POST if request.method == "POST" else None
    form = ReassignForm(data, initial={"pm": handoff.pm_id}, handoff=handoff)
    return modal_form_response(
        request,
        form,
        save=save,
        template="handoff/_handoff_reassign_form.html",
        context={"handoff": handoff, "form": form},
        title=_("Reassign"),
        crumbs=_crumbs(handoff),
        back=reverse("handoff:handoff_detail", args=[handoff.pk]),
        refused_in_form=False,
    )
