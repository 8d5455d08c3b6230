"""Offer pages: list, create, edit, detail with its inline parts, the status actions, the PM's review form.

Thin: every write is one service call. One view serves the page and its
htmx fragment; a non-htmx POST redirects (PRG) with a message, an htmx POST
answers with the part of the page that changed.

- Inline parts of the offer page (commitments, risks, sign-off) answer with
  ``offer_section.html``: the part, plus the readiness checklist, the timeline
  and the messages swapped out of band.
- Status actions (request review, send, lose, withdraw) answer with the whole
  page; the button or modal form selects ``#offer-body`` and ``#messages``.
  Their forms open in ``#modal``; an invalid form comes back into the modal.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from clients.models import Client
from core.activity import activity_for
from core.errors import DomainError, NotReady, StaleVersion
from core.forms import add_service_errors
from core.htmx import is_fragment, redirect_after
from handoff import selectors
from handoff.coverage import review_status
from handoff.filters import OfferListFilter
from handoff.forms import (
    SORT_CHOICES,
    CommitmentForm,
    OfferForm,
    ReasonForm,
    ReviewCompleteForm,
    ReviewConfirmForm,
    ReviewRequestForm,
    RiskForm,
    milestone_formset,
    milestones_from,
)
from handoff.models import OFFER_TRANSITIONS, Commitment, Offer, OfferStatus, ReviewStatus, Risk, in_sentence
from handoff.services import offers as offer_services
from handoff.services import reviews as review_services
from handoff.services import risks as risk_services

PAGE_SIZE = 25
# The list counts at most this many matches: an exact COUNT scans every offer (100 000 at
# volume) on each page view, a bounded one stops here. Past it the page says "10,000+"
# and asks for a filter; the API's ``count`` stays exact.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    @cached_property
    def _bounded_count(self) -> int:
        # Unordered: which COUNT_CAP + 1 rows are counted does not matter, and no sort is needed.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._bounded_count > COUNT_CAP


# --- List ----------------------------------------------------------------------------
@require_GET
def offer_list(request: HttpRequest) -> HttpResponse:
    if is_fragment(request):
        return render(request, "handoff/_offer_list_results.html", _list_context(request))
    return render(request, "handoff/offer_list.html", _list_context(request))


def _list_context(request: HttpRequest) -> dict[str, Any]:
    filterset = OfferListFilter(request.GET or None, queryset=selectors.offer_list(user=request.user))
    form = filterset.form
    filters: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # a bad filter shows its error; the valid ones still apply
        filters = {key: value for key, value in form.cleaned_data.items() if value not in (None, "")}
    sort = filters.pop("sort", None) or selectors.DEFAULT_OFFER_ORDERING
    status = filters.pop("status", None)
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = {}
    for key in selectors.OFFER_ORDERINGS:
        # A click sorts by the column (newest and highest first); a second click reverses it.
        first = "-" + key if key in ("created", "value") else key
        reverse_of_first = first[1:] if first.startswith("-") else "-" + first
        columns[key] = {
            "next": reverse_of_first if sort == first else first,
            "active": sort.lstrip("-") == key,
            "descending": sort.startswith("-"),
        }
    client_name = None
    if filters.get("client"):
        client_name = Client.objects.filter(pk=filters["client"]).values_list("name", flat=True).first()
    return {
        "form": form,
        "client_name": client_name,
        "page": page,
        "sort": sort,
        "columns": columns,
        "sort_choices": SORT_CHOICES,
        "count_cap": COUNT_CAP,
        "filtered": any(value not in (None, "") for key, value in filters.items()) or bool(status),
    }


# --- Create and edit -------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def offer_create(request: HttpRequest) -> HttpResponse:
    if not request.user.is_sales:
        raise PermissionDenied(_("Only sales reps create offers."))
    initial: dict[str, Any] = {}
    client_id = request.GET.get("client", "")
    if client_id.isdigit():
        client = Client.objects.filter(pk=client_id).only("id").first()
        if client is not None:
            initial["client"] = client
    form = OfferForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            offer = offer_services.offer_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Offer “%(title)s” created.") % {"title": offer.title})
            return redirect_after(request, reverse("handoff:offer_detail", args=[offer.pk]))
    return render(request, "handoff/offer_form.html", {"form": form, "offer": None})


@require_http_methods(["GET", "POST"])
def offer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_visible_to(request.user).select_related("client", "owner"), pk=pk)
    offer_services.ensure_offer_owner(request.user, offer, doing="edit it")
    detail_url = reverse("handoff:offer_detail", args=[offer.pk])
    if not offer_services.offer_is_editable(offer):
        messages.error(
            request, _("A %(status)s offer can no longer be changed.") % {"status": in_sentence(offer.status)}
        )
        return redirect_after(request, detail_url)
    stale: dict[str, Any] | None = None
    if request.method == "POST":
        form = OfferForm(request.POST, editing=True)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                offer = offer_services.offer_update(offer=offer, actor=request.user, version=version, data=data)
            except StaleVersion as error:
                current = error.current
                yours = [
                    (form.fields[field].label or field.replace("_", " ").capitalize(), data[field])
                    for field in Offer.EDITABLE_FIELDS
                    if data.get(field) != getattr(current, field)
                ]
                stale = {"message": error.message, "yours": yours, "by_version": current.version}
                offer = current
                form = OfferForm(initial=OfferForm.initial_for(current), editing=True)
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect_after(request, detail_url)
            else:
                messages.success(request, _("Offer saved."))
                return redirect_after(request, detail_url)
    else:
        form = OfferForm(initial=OfferForm.initial_for(offer), editing=True)
    return render(request, "handoff/offer_form.html", {"form": form, "offer": offer, "stale": stale})


# --- Detail ----------------------------------------------------------------------------
def _permissions(user: Any, offer: Offer) -> dict[str, Any]:
    open_review = next((r for r in offer.reviews.all() if r.status == ReviewStatus.REQUESTED), None)
    owner = offer_services.is_offer_owner(user, offer)
    return {
        "is_owner": owner,
        "edit": offer_services.can_edit_offer(user, offer),
        "request_review": offer_services.can_move_offer(user, offer, OfferStatus.REVIEW),
        "send": offer_services.can_move_offer(user, offer, OfferStatus.SENT),
        "lose": offer_services.can_move_offer(user, offer, OfferStatus.LOST),
        "withdraw": offer_services.can_move_offer(user, offer, OfferStatus.WITHDRAWN),
        "commitments": owner and offer_services.offer_is_editable(offer),
        "risks": risk_services.can_manage_risks(user, offer),
        "sign_off": risk_services.can_sign_off_no_risks(user, offer),
        "complete_review": open_review is not None and open_review.reviewer_id == user.pk and user.is_pm,
        "confirm_review": _may_confirm(user, offer),
    }


def _may_confirm(user: Any, offer: Offer) -> bool:
    """The reviewing PM, on a draft whose review is stale or has commitments waiting for a mark."""
    coverage = review_status(offer)
    return (
        coverage.confirmable
        and offer.status == OfferStatus.DRAFT
        and coverage.review.reviewer_id == user.pk
        and bool(getattr(user, "is_pm", False))
        and offer.owner_id != user.pk
    )


def _detail_context(request: HttpRequest, offer: Offer, **overrides: Any) -> dict[str, Any]:
    reviews = sorted(offer.reviews.all(), key=lambda r: (r.requested_at, r.pk), reverse=True)
    perms = _permissions(request.user, offer)
    context = {
        "offer": offer,
        "perms": perms,
        "commitments": list(offer.commitments.all()),
        "risks": sorted(offer.risks.all(), key=lambda r: (-r.score, -r.pk)),
        "reviews": reviews,
        "open_review": next((r for r in reviews if r.status == ReviewStatus.REQUESTED), None),
        "latest_review": next((r for r in reviews if r.status == ReviewStatus.COMPLETED), None),
        "review_coverage": review_status(offer),
        "readiness": offer_services.offer_readiness(offer=offer),
        "show_readiness": offer.status in offer_services.EDITABLE_STATUSES,
        "activities": activity_for(offer),
        "commitment_form": CommitmentForm() if perms["commitments"] else None,
        "risk_form": RiskForm() if perms["risks"] else None,
    }
    context["ready"] = all(item.met for item in context["readiness"])
    context.update(overrides)
    return context


def _render_detail(request: HttpRequest, pk: int, **overrides: Any) -> HttpResponse:
    offer = selectors.offer_detail(user=request.user, pk=pk)
    return render(request, "handoff/offer_detail.html", _detail_context(request, offer, **overrides))


@require_GET
def offer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, pk)


def _render_section(request: HttpRequest, pk: int, section: str, **overrides: Any) -> HttpResponse:
    """An inline part of the offer page after a change (htmx), or the page after PRG."""
    if not is_fragment(request):
        if overrides:  # an invalid inline form without JavaScript: the page with the form's errors
            return _render_detail(request, pk, **overrides)
        return redirect(reverse("handoff:offer_detail", args=[pk]) + f"#{section}")
    offer = selectors.offer_detail(user=request.user, pk=pk)
    context = _detail_context(request, offer, **overrides)
    context["section_template"] = f"handoff/_offer_{section}.html"
    return render(request, "handoff/_offer_section.html", context)


def _section_after(
    request: HttpRequest, pk: int, section: str, action: Callable[[], Any], *, success: str
) -> HttpResponse:
    """Run one service call on the offer and answer with the changed section and its message.

    A refused change (``DomainError``) changes nothing and says why, in the same place.
    """
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _render_section(request, pk, section)


# --- Commitments -----------------------------------------------------------------------
@require_POST
def commitment_add(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_visible_to(request.user), pk=pk)
    form = CommitmentForm(request.POST)
    if form.is_valid():
        try:
            offer_services.commitment_add(offer=offer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _render_section(request, pk, "commitments")
        else:
            messages.success(request, _("Commitment added."))
            return _render_section(request, pk, "commitments")
    else:
        offer_services.ensure_offer_owner(request.user, offer, doing="add commitments")
    return _render_section(request, pk, "commitments", commitment_form=form)


@require_POST
def commitment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = get_object_or_404(Commitment.objects.select_related("offer"), pk=pk)
    return _section_after(
        request,
        commitment.offer_id,
        "commitments",
        lambda: offer_services.commitment_remove(commitment=commitment, actor=request.user),
        success=_("Commitment removed."),
    )


# --- Risks -----------------------------------------------------------------------------
@require_POST
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_visible_to(request.user), pk=pk)
    form = RiskForm(request.POST)
    if form.is_valid():
        try:
            risk_services.risk_add(offer=offer, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _render_section(request, pk, "risks")
        else:
            messages.success(request, _("Risk added."))
            return _render_section(request, pk, "risks")
    elif not risk_services.can_manage_risks(request.user, offer):
        raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can change its risks."))
    return _render_section(request, pk, "risks", risk_form=form)


@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.select_related("offer", "offer__owner", "owner"), pk=pk)
    offer = risk.offer
    if not risk_services.can_manage_risks(request.user, offer):
        raise PermissionDenied(_("Only the offer's owner or a PM reviewing it can change its risks."))
    if request.method == "POST":
        form = RiskForm(request.POST)
        if form.is_valid():
            try:
                risk_services.risk_update(risk=risk, actor=request.user, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except DomainError as error:
                messages.error(request, error.message)
                return _close_modal(_render_section(request, offer.pk, "risks"))
            else:
                messages.success(request, _("Risk saved."))
                return _close_modal(_render_section(request, offer.pk, "risks"))
    else:
        form = RiskForm(initial={field: getattr(risk, field) for field in risk_services.RISK_FIELDS})
    return _action_form(
        request,
        offer,
        form,
        title=_("Edit risk “%(title)s”") % {"title": risk.title},
        submit=_("Save risk"),
        action=reverse("handoff:risk_edit", args=[risk.pk]),
        target="#risks",
    )


@require_POST
def risk_remove(request: HttpRequest, pk: int) -> HttpResponse:
    risk = get_object_or_404(Risk.objects.select_related("offer"), pk=pk)
    return _section_after(
        request,
        risk.offer_id,
        "risks",
        lambda: risk_services.risk_remove(risk=risk, actor=request.user),
        success=_("Risk removed."),
    )


@require_POST
def offer_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_visible_to(request.user), pk=pk)
    return _section_after(
        request,
        pk,
        "risks",
        lambda: risk_services.offer_sign_off_no_risks(offer=offer, actor=request.user),
        success=_("Signed off: no significant risks."),
    )


@require_POST
def offer_sign_off_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_object_or_404(selectors.offers_visible_to(request.user), pk=pk)
    return _section_after(
        request,
        pk,
        "risks",
        lambda: risk_services.offer_withdraw_no_risks_sign_off(offer=offer, actor=request.user),
        success=_("The “no significant risks” sign-off is withdrawn."),
    )


# --- Status actions --------------------------------------------------------------------
def _close_modal(response: HttpResponse) -> HttpResponse:
    return trigger_client_event(response, "closeModal")


def _after_action(request: HttpRequest, offer: Offer) -> HttpResponse:
    """The page after a status action: swapped in place (htmx) or redirected to (PRG)."""
    if is_fragment(request):
        return _close_modal(_render_detail(request, offer.pk))
    return redirect("handoff:offer_detail", pk=offer.pk)


def _action_form(
    request: HttpRequest,
    offer: Offer,
    form: Any,
    *,
    title: str,
    submit: str,
    action: str,
    intro: str = "",
    danger: bool = False,
    target: str = "#offer-body",
    changes: list[str] | None = None,
) -> HttpResponse:
    """A small form in the modal (htmx) or on its own page; an invalid POST returns into the modal."""
    context = {
        "offer": offer,
        "form": form,
        "title": title,
        "submit": submit,
        "action": action,
        "intro": intro,
        "danger": danger,
        "target": target,
        # Status actions answer with the whole page and pick the offer's body out of it.
        "select_body": target == "#offer-body",
        # What changed since a review, listed above the form that re-confirms it.
        "changes": changes or [],
    }
    if not is_fragment(request):
        return render(request, "handoff/offer_action_page.html", context)
    response = render(request, "handoff/_offer_action_form.html", context)
    if request.method == "POST":
        retarget(response, "#modal-body")
        reswap(response, "innerHTML")
        response["HX-Reselect"] = "#action-form"
    return response


def _offer_for_action(request: HttpRequest, pk: int, doing: str) -> Offer:
    offer = get_object_or_404(selectors.offers_visible_to(request.user).select_related("owner", "client"), pk=pk)
    offer_services.ensure_offer_owner(request.user, offer, doing=doing)
    return offer


@require_http_methods(["GET", "POST"])
def review_request(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_for_action(request, pk, "ask for its review")
    form = ReviewRequestForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_services.review_request(
                offer=offer, actor=request.user, reviewer=form.cleaned_data["reviewer"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _after_action(request, offer)
        else:
            messages.success(request, _("Review requested from %(reviewer)s.") % {"reviewer": review.reviewer})
            return _after_action(request, offer)
    elif request.method == "GET" and OfferStatus.REVIEW not in OFFER_TRANSITIONS[offer.status]:
        messages.error(
            request,
            _("A %(status)s offer cannot be sent for review.") % {"status": in_sentence(offer.status)},
        )
        return _after_action(request, offer)
    return _action_form(
        request,
        offer,
        form,
        title=_("Ask a PM for a feasibility review"),
        intro=_(
            "The PM answers with a verdict, effort, duration, milestones and a mark per commitment. "
            "The offer stays in review until then."
        ),
        submit=_("Request review"),
        action=reverse("handoff:review_request", args=[offer.pk]),
    )


@require_POST
def offer_send(request: HttpRequest, pk: int) -> HttpResponse:
    offer = _offer_for_action(request, pk, "send it")
    try:
        offer_services.offer_send(offer=offer, actor=request.user)
    except NotReady as error:
        messages.error(request, error.message)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Offer sent to the client."))
    return _after_action(request, offer)


def _close_action(request: HttpRequest, pk: int, *, lose: bool) -> HttpResponse:
    target = OfferStatus.LOST if lose else OfferStatus.WITHDRAWN
    offer = _offer_for_action(request, pk, "mark it lost" if lose else "withdraw it")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = offer_services.offer_lose if lose else offer_services.offer_withdraw
        try:
            service(offer=offer, actor=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _after_action(request, offer)
        else:
            messages.success(request, _("Offer marked lost.") if lose else _("Offer withdrawn."))
            return _after_action(request, offer)
    elif request.method == "GET" and target not in OFFER_TRANSITIONS[offer.status]:
        messages.error(request, _("A %(status)s offer is already closed.") % {"status": in_sentence(offer.status)})
        return _after_action(request, offer)
    return _action_form(
        request,
        offer,
        form,
        title=_("Mark the offer lost") if lose else _("Withdraw the offer"),
        intro=(
            _("Why did the client decide against it? The reason stays on the offer's timeline.")
            if lose
            else _("Why do we pull out? The reason stays on the offer's timeline.")
        ),
        submit=_("Mark lost") if lose else _("Withdraw offer"),
        action=reverse("handoff:offer_lose" if lose else "handoff:offer_withdraw", args=[offer.pk]),
        danger=True,
    )


@require_http_methods(["GET", "POST"])
def offer_lose(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_action(request, pk, lose=True)


@require_http_methods(["GET", "POST"])
def offer_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _close_action(request, pk, lose=False)


# --- The PM's answer ---------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def review_complete(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_for_completion(user=request.user, pk=pk)
    detail_url = reverse("handoff:offer_detail", args=[review.offer_id])
    if review.reviewer_id != request.user.pk or not request.user.is_pm:
        raise PermissionDenied(
            _("Only %(reviewer)s, who was asked, can complete this review.") % {"reviewer": review.reviewer}
        )
    if review.status != ReviewStatus.REQUESTED:
        messages.info(request, _("This review is already %(status)s.") % {"status": in_sentence(review.status)})
        return redirect(detail_url)
    form = ReviewCompleteForm(request.POST or None, review=review)
    formset = milestone_formset(request.POST or None)
    if request.method == "POST" and all([form.is_valid(), formset.is_valid()]):
        try:
            review_services.review_complete(
                review=review,
                actor=request.user,
                verdict=form.cleaned_data["verdict"],
                effort_days=form.cleaned_data["effort_days"],
                duration_weeks=form.cleaned_data["duration_weeks"],
                notes=form.cleaned_data["notes"],
                milestones=milestones_from(formset),
                commitment_marks=form.commitment_marks(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(detail_url)
        else:
            messages.success(
                request,
                _("Review of “%(title)s” sent to %(rep)s.") % {"title": review.offer.title, "rep": review.offer.owner},
            )
            return redirect(detail_url)
    return render(request, "handoff/review_complete.html", {"review": review, "form": form, "formset": formset})


@require_http_methods(["GET", "POST"])
def review_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewing PM sees what changed since the review and re-confirms it (SPEC §7.1)."""
    review = get_object_or_404(selectors.review_list(user=request.user), pk=pk)
    if review.reviewer_id != request.user.pk or not request.user.is_pm:
        raise PermissionDenied(
            _("Only %(reviewer)s, who reviewed the offer, can confirm the review.") % {"reviewer": review.reviewer}
        )
    offer = selectors.offer_detail(user=request.user, pk=review.offer_id)
    coverage = review_status(offer)
    if request.method == "GET" and not (coverage.confirmable and coverage.review.pk == review.pk):
        messages.info(request, _("The review covers the offer as it is: there is nothing to confirm."))
        return _after_action(request, offer)
    # Bound on every POST: with nothing to mark, an empty POST is the confirmation.
    form = ReviewConfirmForm(request.POST if request.method == "POST" else None, commitments=coverage.unmarked)
    if request.method == "POST" and form.is_valid():
        try:
            review_services.review_confirm(
                review=review, actor=request.user, commitments=[c.pk for c in form.cleaned_data.get("commitments", [])]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except DomainError as error:
            messages.error(request, error.message)
            return _after_action(request, offer)
        else:
            messages.success(request, _("Review confirmed: it covers the offer as it is now."))
            return _after_action(request, offer)
    return _action_form(
        request,
        offer,
        form,
        title=_("Confirm your review of “%(title)s”") % {"title": offer.title},
        intro=_("Changed since your review:") if coverage.changes else _("Nothing changed but new commitments."),
        changes=coverage.change_texts,
        submit=_("Confirm the review"),
        action=reverse("handoff:review_confirm", args=[review.pk]),
    )
