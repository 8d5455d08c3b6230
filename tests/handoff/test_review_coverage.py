"""The reviewed offer is the offer that is sent (SPEC §7.1): stale reviews, re-confirmation, marks."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.errors import NotReady, TransitionNotAllowed
from core.models import Activity
from handoff.coverage import ReviewState, review_status
from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Verdict
from handoff.selectors import offer_detail
from handoff.services.offers import commitment_add, commitment_remove, offer_readiness, offer_send, offer_update
from handoff.services.reviews import review_complete, review_confirm, review_request
from handoff.services.risks import risk_add, risk_remove, risk_update
from notifications.events import Event
from notifications.models import Channel, Notification
from tests.factories import CommitmentFactory, OfferFactory, RiskFactory, UserFactory
from tests.handoff.offer_factories import completed_review, prepared_client, ready_offer

pytestmark = pytest.mark.django_db


def reviewed(rep, pm, **kwargs) -> Offer:
    """A ready draft worth 10,000, reviewed by ``pm``, with one commitment the PM saw."""
    offer = OfferFactory(client=prepared_client(), owner=rep, value=Decimal("10000"), **kwargs)
    RiskFactory(offer=offer)
    CommitmentFactory(offer=offer, text="Weekly status call")
    completed_review(offer, pm)
    return offer


def state(offer: Offer):
    return review_status(offer_detail(user=offer.owner, pk=offer.pk))


def edit(offer: Offer, actor, **data) -> Offer:
    offer.refresh_from_db()
    return offer_update(offer=offer, actor=actor, version=offer.version, data=data)


def changed_notices(pm) -> int:
    return Notification.objects.filter(recipient=pm, event=Event.REVIEWED_OFFER_CHANGED, channel=Channel.IN_APP).count()


def snapshot(offer: Offer) -> tuple:
    offer.refresh_from_db()
    review = FeasibilityReview.objects.filter(offer=offer).order_by("-pk").first()
    return (
        offer.status,
        offer.version,
        review.covered,
        review.covered_at,
        list(Commitment.objects.filter(offer=offer).values_list("pk", "feasibility")),
        Activity.objects.filter(target_id=offer.pk, verb="review_confirmed").count(),
    )


# --- Coverage and staleness --------------------------------------------------------------------
def test_it_records_what_the_completed_review_covered(rep, pm):
    offer = OfferFactory(owner=rep, value=Decimal("12500.50"), summary="CRM rollout", status=OfferStatus.REVIEW)
    commitment = CommitmentFactory(offer=offer, text="Go-live before Easter")
    review = FeasibilityReview.objects.create(offer=offer, reviewer=pm, requested_by=rep)

    review_complete(review=review, actor=pm, verdict=Verdict.FEASIBLE, effort_days=10, duration_weeks=4)

    review.refresh_from_db()
    assert review.covered["value"] == "12500.50"
    assert review.covered["summary"] == "CRM rollout"
    assert review.covered["commitments"] == [{"id": commitment.pk, "text": "Go-live before Easter", "due": None}]
    assert review.covered["marked"] == [commitment.pk]
    assert review.covered_at == review.completed_at
    assert state(offer).state == ReviewState.CURRENT


def test_it_reports_none_and_requested(rep, pm):
    offer = OfferFactory(owner=rep)
    assert state(offer).state == ReviewState.NONE

    review_request(offer=offer, actor=rep, reviewer=pm)

    assert state(offer).state == ReviewState.REQUESTED


def test_a_change_of_probability_or_expected_close_keeps_the_review_current(rep, pm):
    offer = reviewed(rep, pm)

    edit(offer, rep, probability=90, expected_close=datetime.date(2031, 1, 31))

    assert state(offer).state == ReviewState.CURRENT
    assert offer_send(offer=offer, actor=rep).status == OfferStatus.SENT
    assert changed_notices(pm) == 0


def test_review_change_value_send_refused_pm_confirms_send_succeeds(rep, pm):
    offer = reviewed(rep, pm)

    edit(offer, rep, value=Decimal("30000"))

    with pytest.raises(NotReady) as raised:
        offer_send(offer=offer, actor=rep)
    error = raised.value.as_dict()
    assert error["unmet"] == ["review"]
    assert error["review_state"] == ReviewState.STALE
    assert error["review_changes"] == ["value €10,000.00 → €30,000.00"]
    assert error["review_change_details"] == [
        {
            "kind": "field",
            "field": "value",
            "change": "changed",
            "id": None,
            "before": "10000.00",
            "after": "30000.00",
            "text": "value €10,000.00 → €30,000.00",
        }
    ]
    assert "value €10,000.00 → €30,000.00" in error["detail"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT

    review = FeasibilityReview.objects.get(offer=offer)
    review_confirm(review=review, actor=pm, commitments=[])

    assert state(offer).state == ReviewState.CURRENT
    assert offer_send(offer=offer, actor=rep).status == OfferStatus.SENT
    assert Activity.objects.filter(verb="review_confirmed", target_id=offer.pk).exists()


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ({"summary": "Twice the scope"}, "scope summary"),
        ({"desired_start": timezone.localdate() + datetime.timedelta(days=50)}, "desired start"),
        ({"desired_end": datetime.date(2031, 12, 1)}, "desired end"),
    ],
)
def test_a_change_of_a_covered_field_makes_the_review_stale(rep, pm, data, text):
    offer = reviewed(rep, pm)

    edit(offer, rep, **data)

    coverage = state(offer)
    assert coverage.state == ReviewState.STALE
    assert [change.field for change in coverage.changes] == list(data)
    assert coverage.change_texts[0].startswith(text)


def test_a_change_of_the_title_keeps_the_review_current(rep, pm):
    offer = reviewed(rep, pm)

    edit(offer, rep, title="A better title")

    assert state(offer).state == ReviewState.CURRENT


def test_risk_changes_make_the_review_stale_item_by_item(rep, pm):
    offer = reviewed(rep, pm)
    risk = offer.risks.get()

    risk_update(risk=risk, actor=rep, data={"probability": 5})
    added = risk_add(offer=offer, actor=rep, title="Key user on leave", category="resource", probability=2, impact=3)

    changes = state(offer).changes
    assert [(c.kind, c.change, c.id) for c in changes] == [("risk", "changed", risk.pk), ("risk", "added", added.pk)]
    assert "probability 3 → 5" in changes[0].text
    assert changes[1].text == "risk added: “Key user on leave” (probability 2, impact 3)"

    risk_remove(risk=added, actor=rep)
    risk_update(risk=risk, actor=rep, data={"probability": 3})

    assert state(offer).state == ReviewState.CURRENT


def test_a_removed_commitment_makes_the_review_stale(rep, pm):
    offer = reviewed(rep, pm)

    commitment_remove(commitment=offer.commitments.get(), actor=rep)

    assert state(offer).change_texts == ["commitment removed: “Weekly status call”"]


# --- Commitments added after the review -------------------------------------------------------
def test_a_commitment_added_after_the_review_is_unmet_until_the_pm_marks_it(rep, pm):
    offer = reviewed(rep, pm)
    added = commitment_add(offer=offer, actor=rep, text="Training for 40 users")

    unmet = [item for item in offer_readiness(offer=offer_detail(user=rep, pk=offer.pk)) if not item.met]
    assert [(item.key, item.commitment) for item in unmet] == [("review", None), ("commitment", added.pk)]
    assert state(offer).change_texts == ["commitment added: “Training for 40 users”"]

    # Confirmed without the mark: the review is current, the commitment still waits.
    review = FeasibilityReview.objects.get(offer=offer)
    review_confirm(review=review, actor=pm, commitments=[])
    with pytest.raises(NotReady) as raised:
        offer_send(offer=offer, actor=rep)
    assert raised.value.unmet == ["commitment"]
    assert raised.value.as_dict()["unmarked_commitments"] == [added.pk]
    assert state(offer).state == ReviewState.CURRENT

    review_confirm(review=review, actor=pm, commitments=[added.pk])

    assert offer_send(offer=offer, actor=rep).status == OfferStatus.SENT


def test_a_new_review_marks_every_commitment(rep, pm):
    offer = reviewed(rep, pm)
    commitment_add(offer=offer, actor=rep, text="Training for 40 users")

    review = review_request(offer=offer, actor=rep, reviewer=pm)
    assert state(offer).state == ReviewState.REQUESTED
    review_complete(review=review, actor=pm, verdict=Verdict.FEASIBLE, effort_days=10, duration_weeks=4)

    assert state(offer).state == ReviewState.CURRENT
    assert offer_send(offer=offer, actor=rep).status == OfferStatus.SENT


# --- The PM hears it once per coverage ------------------------------------------------------------
def test_the_reviewing_pm_is_notified_once_per_coverage(rep, pm, django_capture_on_commit_callbacks):
    offer = reviewed(rep, pm)

    with django_capture_on_commit_callbacks():
        edit(offer, rep, value=Decimal("20000"))
        edit(offer, rep, value=Decimal("30000"))
        commitment_add(offer=offer, actor=rep, text="Training for 40 users")

    assert changed_notices(pm) == 1
    notice = Notification.objects.get(recipient=pm, event=Event.REVIEWED_OFFER_CHANGED, channel=Channel.IN_APP)
    assert "value €10,000.00 → €20,000.00" in notice.body
    assert notice.url == reverse("handoff:offer_detail", args=[offer.pk]) + "#review"

    review_confirm(review=FeasibilityReview.objects.get(offer=offer), actor=pm, commitments=[])
    with django_capture_on_commit_callbacks():
        edit(offer, rep, value=Decimal("40000"))

    assert changed_notices(pm) == 2


def test_a_forecast_change_notifies_nobody(rep, pm):
    offer = reviewed(rep, pm)

    edit(offer, rep, probability=10)

    assert changed_notices(pm) == 0


# --- Bad input: a clear error, nothing changes ---------------------------------------------------------
@pytest.mark.parametrize("who", ["other_pm", "rep", "manager"])
def test_only_the_reviewing_pm_confirms(request, rep, pm, who):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))
    before = snapshot(offer)

    with pytest.raises(PermissionDenied, match="who reviewed the offer"):
        review_confirm(review=FeasibilityReview.objects.get(offer=offer), actor=request.getfixturevalue(who))

    assert snapshot(offer) == before


def test_it_refuses_to_confirm_a_current_review(rep, pm):
    offer = reviewed(rep, pm)
    before = snapshot(offer)

    with pytest.raises(TransitionNotAllowed) as raised:
        review_confirm(review=FeasibilityReview.objects.get(offer=offer), actor=pm, commitments=[])

    assert raised.value.code == "review_current"
    assert "nothing to confirm" in raised.value.message
    assert snapshot(offer) == before


@pytest.mark.parametrize("marks", ["foreign", [True], ["1"], "not a list", "twice"])
def test_it_refuses_marks_that_are_not_this_offers_commitments(rep, pm, marks):
    offer = reviewed(rep, pm)
    added = commitment_add(offer=offer, actor=rep, text="Training for 40 users")
    if marks == "foreign":
        marks = [CommitmentFactory().pk]
    elif marks == "twice":
        marks = [added.pk, added.pk]
    before = snapshot(offer)

    with pytest.raises(ValidationError) as raised:
        review_confirm(review=FeasibilityReview.objects.get(offer=offer), actor=pm, commitments=marks)

    assert "commitments" in raised.value.message_dict
    assert snapshot(offer) == before


def test_it_refuses_to_confirm_an_older_review(rep, pm, other_pm):
    offer = reviewed(rep, pm)
    older = FeasibilityReview.objects.get(offer=offer)
    completed_review(offer, other_pm)
    edit(offer, rep, value=Decimal("30000"))
    before = snapshot(offer)

    with pytest.raises(TransitionNotAllowed, match="latest completed review"):
        review_confirm(review=older, actor=pm)

    assert snapshot(offer) == before


def test_it_refuses_to_confirm_while_a_new_review_is_requested(rep, pm):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))
    review = FeasibilityReview.objects.get(offer=offer)
    review_request(offer=offer, actor=rep, reviewer=pm)

    with pytest.raises(TransitionNotAllowed):
        review_confirm(review=review, actor=pm)

    review.refresh_from_db()
    assert review.covered["value"] == "10000.00"


def test_a_dual_role_owner_cannot_confirm_the_review_of_their_own_offer(rep):
    both = UserFactory(username="both", roles=["sales", "pm"])
    offer = reviewed(both, both)
    edit(offer, both, value=Decimal("30000"))
    before = snapshot(offer)

    with pytest.raises(TransitionNotAllowed) as raised:
        review_confirm(review=FeasibilityReview.objects.get(offer=offer), actor=both)

    assert raised.value.code == "four_eyes"
    assert snapshot(offer) == before


def test_a_stale_review_without_coverage_counts_as_current(rep, pm):
    """Bulk seeds write reviews without ``covered``: they are not made stale by guesswork."""
    offer = ready_offer(rep, pm)
    FeasibilityReview.objects.filter(offer=offer).update(covered=None)
    edit(offer, rep, value=Decimal("99"))

    assert state(offer).state == ReviewState.CURRENT
    assert FeasibilityReview.objects.get(offer=offer).status == ReviewStatus.COMPLETED


# --- API ---------------------------------------------------------------------------------------------
def offer_url(offer) -> str:
    return f"/api/v1/offers/{offer.pk}/"


def confirm_url(offer) -> str:
    return f"/api/v1/reviews/{FeasibilityReview.objects.get(offer=offer).pk}/confirm/"


def test_api_review_then_change_then_send_refused_then_confirm_then_send(api_as, rep, pm):
    offer = reviewed(rep, pm)
    api = api_as(rep)
    assert api.get(offer_url(offer)).json()["review_state"] == "current"

    version = api.get(offer_url(offer)).json()["version"]
    assert api.patch(offer_url(offer), {"version": version, "value": "30000.00"}, format="json").status_code == 200
    body = api.get(offer_url(offer)).json()
    assert (body["review_state"], body["review_changes"]) == ("stale", ["value €10,000.00 → €30,000.00"])
    assert body["review_change_details"][0]["before"] == "10000.00"

    refused = api.post(offer_url(offer) + "send/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "not_ready"
    assert refused.json()["review_changes"] == ["value €10,000.00 → €30,000.00"]

    confirmed = api_as(pm).post(confirm_url(offer), {"commitments": []}, format="json")
    assert confirmed.status_code == 200, confirmed.json()
    assert confirmed.json()["covered_at"]

    api = api_as(rep)
    assert api.get(offer_url(offer)).json()["review_state"] == "current"
    assert api.post(offer_url(offer) + "send/").status_code == 200


def test_api_marks_a_new_commitment(api_as, rep, pm):
    offer = reviewed(rep, pm)
    added = commitment_add(offer=offer, actor=rep, text="Training for 40 users")
    body = api_as(rep).get(offer_url(offer)).json()
    assert [item["commitment"] for item in body["readiness"] if item["key"] == "commitment"] == [added.pk]

    response = api_as(pm).post(confirm_url(offer), {"commitments": [added.pk]}, format="json")

    assert response.status_code == 200
    body = api_as(rep).get(offer_url(offer)).json()
    assert body["ready"] is True
    assert body["review_changes"] == []


@pytest.mark.parametrize(
    ("who", "payload", "status", "key"),
    [
        ("other_pm", {"commitments": []}, 403, None),
        ("rep", {"commitments": []}, 403, None),
        ("pm", {"commitments": "foreign"}, 400, "commitments"),
        ("pm", {"commitments": "nope"}, 400, "commitments"),
        ("pm", {"commitments": [0]}, 400, "commitments"),
    ],
)
def test_api_refuses_a_bad_confirm_and_changes_nothing(request, api_as, rep, pm, who, payload, status, key):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))
    if payload["commitments"] == "foreign":
        payload = {"commitments": [CommitmentFactory().pk]}
    before = snapshot(offer)

    response = api_as(request.getfixturevalue(who)).post(confirm_url(offer), payload, format="json")

    assert response.status_code == status, response.json()
    if key:
        assert key in response.json()
    assert snapshot(offer) == before


def test_api_refuses_to_confirm_a_current_review(api_as, rep, pm):
    offer = reviewed(rep, pm)

    response = api_as(pm).post(confirm_url(offer), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "review_current"


def test_api_confirm_needs_a_login_and_an_existing_review(api, api_as, rep, pm):
    offer = reviewed(rep, pm)
    assert api.post(confirm_url(offer), {}, format="json").status_code in (401, 403)
    assert api_as(pm).post("/api/v1/reviews/999999/confirm/", {}, format="json").status_code == 404


# --- Pages --------------------------------------------------------------------------------------------
def page_url(offer) -> str:
    return reverse("handoff:offer_detail", args=[offer.pk])


def page_confirm_url(offer) -> str:
    return reverse("handoff:review_confirm", args=[FeasibilityReview.objects.get(offer=offer).pk])


def test_the_offer_page_shows_the_stale_review_with_its_changes(client_as, rep, pm):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))

    html = client_as(rep).get(page_url(offer)).content.decode()

    assert 'data-testid="review-stale"' in html
    assert "changed since:" in html
    assert "value €10,000.00 → €30,000.00" in html
    assert 'data-testid="confirm-review"' not in html  # the rep asks for a new review instead
    assert reverse("handoff:review_request", args=[offer.pk]) in html

    html = client_as(pm).get(page_url(offer)).content.decode()
    assert 'data-testid="confirm-review"' in html


def test_the_offer_page_says_a_current_review_covers_the_offer(client_as, rep, pm):
    offer = reviewed(rep, pm)

    html = client_as(rep).get(page_url(offer)).content.decode()

    assert 'data-testid="review-current"' in html
    assert 'data-testid="review-stale"' not in html


def test_the_pm_confirms_on_the_page_marking_the_new_commitment(client_as, rep, pm):
    offer = reviewed(rep, pm)
    added = commitment_add(offer=offer, actor=rep, text="Training for 40 users")
    client = client_as(pm)

    form = client.get(page_confirm_url(offer)).content.decode()
    assert "commitment added: “Training for 40 users”" in form
    assert f'value="{added.pk}"' in form

    response = client.post(page_confirm_url(offer), {"commitments": [added.pk]})

    assert response.status_code == 302
    assert state(offer).state == ReviewState.CURRENT
    assert all(item.met for item in offer_readiness(offer=offer_detail(user=rep, pk=offer.pk)))


def test_the_page_send_of_a_stale_offer_lists_the_change(client_as, rep, pm):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))

    response = client_as(rep).post(reverse("handoff:offer_send", args=[offer.pk]), follow=True)

    assert "value €10,000.00 → €30,000.00" in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_the_page_refuses_a_confirm_by_another_pm(client_as, rep, pm, other_pm):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))
    before = snapshot(offer)

    assert client_as(other_pm).post(page_confirm_url(offer), {}).status_code == 403
    assert snapshot(offer) == before


def test_the_page_refuses_to_confirm_a_current_review(client_as, rep, pm):
    offer = reviewed(rep, pm)
    before = snapshot(offer)

    response = client_as(pm).post(page_confirm_url(offer), {}, follow=True)

    assert "nothing to confirm" in response.content.decode()
    assert snapshot(offer) == before


def test_the_page_refuses_marks_of_another_offers_commitment(client_as, rep, pm):
    offer = reviewed(rep, pm)
    commitment_add(offer=offer, actor=rep, text="Training for 40 users")
    before = snapshot(offer)

    response = client_as(pm).post(page_confirm_url(offer), {"commitments": [CommitmentFactory().pk]})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert snapshot(offer) == before


def test_the_confirm_form_opens_in_the_modal_with_htmx(client_as, rep, pm):
    offer = reviewed(rep, pm)
    edit(offer, rep, value=Decimal("30000"))

    response = client_as(pm).get(page_confirm_url(offer), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="action-form"')
    assert "value €10,000.00 → €30,000.00" in html


# --- Migration ----------------------------------------------------------------------------------------
def test_the_migration_backfills_completed_reviews_so_they_stay_current(rep, pm):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("handoff.migrations.0003_review_coverage")
    offer = reviewed(rep, pm)
    requested = FeasibilityReview.objects.create(offer=OfferFactory(owner=rep), reviewer=pm, requested_by=rep)
    FeasibilityReview.objects.update(covered=None, covered_at=None)

    migration.backfill_coverage(apps, None)

    review = FeasibilityReview.objects.get(offer=offer)
    assert review.covered["value"] == "10000.00"
    assert review.covered_at == review.completed_at
    assert state(offer).state == ReviewState.CURRENT
    requested.refresh_from_db()
    assert requested.covered is None


def test_it_words_every_kind_of_change():
    from handoff.coverage import coverage_changes

    before = {
        "value": None,
        "summary": "CRM",
        "desired_start": "2030-01-01",
        "desired_end": None,
        "commitments": [{"id": 1, "text": "Training", "due": None}],
        "risks": [{"id": 7, "title": "Vendor", "category": "other", "probability": 2, "impact": 2, "mitigation": ""}],
    }
    after = {
        **before,
        "value": "1234.50",
        "summary": "CRM and ERP",
        "desired_start": None,
        "commitments": [{"id": 1, "text": "Training", "due": "2030-02-01"}],
        "risks": [{**before["risks"][0], "impact": 5, "mitigation": "Second vendor"}],
    }

    assert [change.text for change in coverage_changes(before, after)] == [
        "value not set → €1,234.50",
        "scope summary “CRM” → “CRM and ERP”",
        "desired start 1 Jan 2030 → not set",
        "commitment changed: “Training”, due not set → 2030-02-01",
        "risk changed: “Vendor” (probability 2, impact 2), impact 2 → 5, mitigation not set → “Second vendor”",
    ]
    assert coverage_changes(before, {**before, "marked": [1]}) == []
