"""The offers API (SPEC §4): the issue's whole flow over HTTP with token auth, bad input, permissions, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Risk
from tests.factories import DEFAULT_PASSWORD, ClientFactory, CommitmentFactory, OfferFactory, RiskFactory, UserFactory
from tests.handoff.offer_factories import completed_review, offer_in_review, ready_offer

pytestmark = pytest.mark.django_db


def token_client(username: str) -> APIClient:
    api = APIClient()
    response = api.post("/api/v1/auth/token/", {"username": username, "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def offer_payload(client_id: int, **overrides):
    payload = {
        "client": client_id,
        "title": "ERP roll-out",
        "summary": "Three plants.",
        "value": "12500.00",
        "probability": 60,
        "expected_close": "2030-03-01",
        "desired_start": "2030-04-01",
        "desired_end": "2030-06-30",
    }
    payload.update(overrides)
    return payload


# --- The whole flow, as in the "Done when" -------------------------------------------------------
def test_it_runs_the_sales_flow_over_http_with_tokens(rep, pm):
    rita = token_client("rep")
    paula = token_client("pm")
    anonymous = APIClient()

    assert anonymous.get("/api/v1/offers/").status_code in (401, 403)

    # A client with three contacts in a hierarchy and a filled brief.
    response = rita.post("/api/v1/clients/", {"name": "Kessler Maschinenbau", "industry": "Machinery"}, format="json")
    assert response.status_code == 201, response.content
    client_id = response.json()["id"]
    ceo = rita.post(
        "/api/v1/contacts/",
        {"client": client_id, "name": "Karl Kessler", "title": "CEO", "buying_role": "decision_maker"},
        format="json",
    )
    assert ceo.status_code == 201, ceo.content
    cio = rita.post(
        "/api/v1/contacts/",
        {
            "client": client_id,
            "name": "Ina Ott",
            "title": "CIO",
            "buying_role": "influencer",
            "reports_to": ceo.json()["id"],
        },
        format="json",
    )
    assert cio.status_code == 201, cio.content
    lead = rita.post(
        "/api/v1/contacts/",
        {
            "client": client_id,
            "name": "Lars Lang",
            "title": "IT lead",
            "buying_role": "champion",
            "reports_to": cio.json()["id"],
        },
        format="json",
    )
    assert lead.status_code == 201, lead.content
    brief = rita.get(f"/api/v1/clients/{client_id}/brief/")
    assert brief.status_code == 200
    response = rita.put(
        f"/api/v1/clients/{client_id}/brief/",
        {
            "background": "Family-owned machinery maker.",
            "goals": "One ERP for three plants.",
            "version": brief.json()["version"],
        },
        format="json",
    )
    assert response.status_code == 200, response.content

    # The offer, its commitments and risks.
    response = rita.post("/api/v1/offers/", offer_payload(client_id), format="json")
    assert response.status_code == 201, response.content
    offer = response.json()
    assert (offer["status"], offer["value"], offer["expected_close"], offer["version"]) == (
        "draft",
        "12500.00",
        "2030-03-01",
        1,
    )
    assert [item["key"] for item in offer["readiness"] if not item["met"]] == ["review", "risks"]
    offer_id = offer["id"]
    commitment = rita.post(
        "/api/v1/commitments/", {"offer": offer_id, "text": "Go-live before March", "due": "2030-03-01"}, format="json"
    )
    assert commitment.status_code == 201, commitment.content
    response = rita.post(
        "/api/v1/risks/",
        {
            "offer": offer_id,
            "title": "Legacy interfaces",
            "category": "technical",
            "probability": 3,
            "impact": 4,
            "mitigation": "Workshop",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 12

    # Sending too early is refused with what is missing.
    response = rita.post(f"/api/v1/offers/{offer_id}/send/")
    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"
    assert response.json()["unmet"] == ["review"]

    # The rep asks the PM, who finds the request and answers.
    response = rita.post(f"/api/v1/offers/{offer_id}/request-review/", {"reviewer": pm.pk}, format="json")
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]
    assert response.json()["status"] == "requested"
    response = paula.get("/api/v1/reviews/", {"reviewer": pm.pk, "status": "requested"})
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [review_id]
    response = paula.post(
        f"/api/v1/reviews/{review_id}/complete/",
        {
            "verdict": "feasible",
            "effort_days": "40.5",
            "duration_weeks": "8",
            "notes": "Tight but fine.",
            "milestones": [{"name": "Kickoff", "due": "2030-04-01"}],
            "commitment_marks": [{"commitment": commitment.json()["id"], "mark": "risky", "note": "Buffer needed"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["effort_days"]) == ("completed", "40.5")
    assert response.json()["commitment_marks"][0]["mark"] == "risky"

    # Back to the rep: ready, sent.
    response = rita.get(f"/api/v1/offers/{offer_id}/")
    assert response.status_code == 200
    assert response.json()["ready"] is True
    assert response.json()["status"] == "draft"
    response = rita.post(f"/api/v1/offers/{offer_id}/send/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "sent"
    assert rita.post(f"/api/v1/offers/{offer_id}/send/").status_code == 409


# --- Offers: reads ---------------------------------------------------------------------------------------------
def test_it_lists_offers_to_any_signed_in_user(api_as, outsider):
    OfferFactory(title="Plant ERP")

    response = api_as(outsider).get("/api/v1/offers/")

    assert response.status_code == 200
    assert [offer["title"] for offer in response.json()["results"]] == ["Plant ERP"]
    assert set(response.json()) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "sent"}, ["Sent"]),
        ({"expected_close_after": "2030-02-01"}, ["Lost", "Sent"]),
        ({"expected_close_before": "2030-01-31"}, ["Draft"]),
        ({"ordering": "-value"}, ["Lost", "Sent", "Draft"]),
        ({"ordering": "title"}, ["Draft", "Lost", "Sent"]),
    ],
)
def test_it_filters_and_orders_offers(api_as, rep, query, expected):
    import datetime

    OfferFactory(title="Draft", value=Decimal("1"), expected_close=datetime.date(2030, 1, 15))
    OfferFactory(title="Sent", value=Decimal("2"), status="sent", expected_close=datetime.date(2030, 2, 15))
    OfferFactory(title="Lost", value=Decimal("3"), status="lost", expected_close=datetime.date(2030, 3, 15))

    response = api_as(rep).get("/api/v1/offers/", query)

    assert [offer["title"] for offer in response.json()["results"]] == expected


def test_it_filters_offers_by_owner_and_client(api_as, rep, other_rep):
    mine = OfferFactory(owner=rep)
    OfferFactory(owner=other_rep, client=mine.client)

    response = api_as(rep).get("/api/v1/offers/", {"owner": rep.pk, "client": mine.client_id})

    assert [offer["id"] for offer in response.json()["results"]] == [mine.pk]


@pytest.mark.parametrize("query", [{"status": "maybe"}, {"ordering": "owner"}, {"expected_close_after": "soon"}])
def test_it_refuses_unknown_filter_words(api_as, rep, query):
    response = api_as(rep).get("/api/v1/offers/", query)

    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_it_includes_the_readiness_items_in_the_detail(api_as, rep, pm):
    offer = ready_offer(rep, pm)

    response = api_as(rep).get(f"/api/v1/offers/{offer.pk}/")

    body = response.json()
    assert body["ready"] is True
    assert [item["key"] for item in body["readiness"]] == ["review", "risks", "brief", "decision_maker", "commercials"]
    assert all({"label", "met", "hint", "url"} <= set(item) for item in body["readiness"])
    assert len(body["risks"]) == 1 and len(body["reviews"]) == 1


def test_it_answers_404_for_an_unknown_offer(api_as, rep):
    assert api_as(rep).get("/api/v1/offers/999999/").status_code == 404


# --- Offers: writes ------------------------------------------------------------------------------------------------
BAD_OFFERS = [
    ("value", {"value": "-1.00"}),
    ("value", {"value": "1000000000.01"}),
    ("value", {"value": "12.345"}),
    ("probability", {"probability": 101}),
    ("probability", {"probability": -1}),
    ("desired_end", {"desired_end": "2030-03-31"}),
    ("title", {"title": "x" * 201}),
    ("title", {"title": ""}),
    ("summary", {"summary": "x" * 10001}),
    ("expected_close", {"expected_close": "01.03.2030"}),
    ("expected_close", {"expected_close": "1900-01-01"}),
    ("client", {"client": 999999}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_OFFERS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_OFFERS)])
def test_it_refuses_a_bad_offer_with_400_and_creates_nothing(api_as, rep, field, overrides):
    response = api_as(rep).post("/api/v1/offers/", offer_payload(ClientFactory().pk, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Offer.objects.exists()


def test_it_refuses_an_offer_from_a_pm(api_as, pm):
    response = api_as(pm).post("/api/v1/offers/", offer_payload(ClientFactory().pk), format="json")

    assert response.status_code == 403
    assert not Offer.objects.exists()


def test_it_patches_with_the_version(api_as, rep):
    offer = OfferFactory(owner=rep, title="Old")

    response = api_as(rep).patch(f"/api/v1/offers/{offer.pk}/", {"title": "New", "version": 1}, format="json")

    assert response.status_code == 200
    assert (response.json()["title"], response.json()["version"]) == ("New", 2)


def test_it_answers_409_to_a_stale_version_and_keeps_the_newer_values(api_as, rep):
    offer = OfferFactory(owner=rep, title="Old")
    api = api_as(rep)
    api.patch(f"/api/v1/offers/{offer.pk}/", {"title": "First", "version": 1}, format="json")

    response = api.patch(f"/api/v1/offers/{offer.pk}/", {"title": "Second", "version": 1}, format="json")

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["current_version"]) == ("stale_version", 2)
    offer.refresh_from_db()
    assert offer.title == "First"


def test_it_needs_the_version_to_patch(api_as, rep):
    offer = OfferFactory(owner=rep, title="Old")

    response = api_as(rep).patch(f"/api/v1/offers/{offer.pk}/", {"title": "New"}, format="json")

    assert response.status_code == 400
    assert "version" in response.json()
    offer.refresh_from_db()
    assert offer.title == "Old"


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_OFFERS[:-1], ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_OFFERS[:-1])]
)
def test_it_refuses_a_bad_patch_with_400_and_changes_nothing(api_as, rep, field, overrides):
    import datetime

    offer = OfferFactory(owner=rep, desired_start=datetime.date(2030, 4, 1), desired_end=datetime.date(2030, 6, 30))
    before = Offer.objects.values().get(pk=offer.pk)

    response = api_as(rep).patch(f"/api/v1/offers/{offer.pk}/", {**overrides, "version": 1}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Offer.objects.values().get(pk=offer.pk) == before


def test_it_refuses_a_patch_of_another_reps_offer(api_as, rep, other_rep):
    offer = OfferFactory(owner=rep, title="Old")

    response = api_as(other_rep).patch(f"/api/v1/offers/{offer.pk}/", {"title": "Mine", "version": 1}, format="json")

    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.title == "Old"


def test_it_ignores_a_status_in_a_patch(api_as, rep):
    offer = OfferFactory(owner=rep)

    api_as(rep).patch(f"/api/v1/offers/{offer.pk}/", {"status": "won", "version": 1}, format="json")

    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_it_refuses_put_and_delete_of_an_offer(api_as, rep):
    offer = OfferFactory(owner=rep)
    api = api_as(rep)

    assert api.put(f"/api/v1/offers/{offer.pk}/", offer_payload(offer.client_id), format="json").status_code == 405
    assert api.delete(f"/api/v1/offers/{offer.pk}/").status_code == 405
    assert Offer.objects.filter(pk=offer.pk).exists()


# --- Actions ----------------------------------------------------------------------------------------------------------
def test_it_lists_every_unmet_item_when_send_is_refused(api_as, rep):
    offer = OfferFactory(owner=rep, value=None)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/send/")

    assert response.status_code == 409
    assert response.json()["unmet"] == ["review", "risks", "brief", "decision_maker", "commercials"]
    assert "detail" in response.json()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


@pytest.mark.parametrize("action", ["send", "lose", "withdraw", "request-review", "sign-off-no-risks"])
def test_it_refuses_actions_on_another_reps_offer(api_as, rep, other_rep, pm, action):
    offer = ready_offer(rep, pm)
    offer.risks.all().delete()

    response = api_as(other_rep).post(
        f"/api/v1/offers/{offer.pk}/{action}/", {"reason": "Mine now", "reviewer": pm.pk}, format="json"
    )

    assert response.status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert offer.no_risks_signed_off_at is None
    assert FeasibilityReview.objects.filter(offer=offer).count() == 1


@pytest.mark.parametrize("reviewer_roles", [["sales"], ["manager"], []])
def test_it_refuses_a_reviewer_without_the_pm_role(api_as, rep, reviewer_roles):
    offer = OfferFactory(owner=rep)
    not_a_pm = UserFactory(roles=reviewer_roles)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/request-review/", {"reviewer": not_a_pm.pk}, format="json")

    assert response.status_code == 400
    assert "reviewer" in response.json()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert not FeasibilityReview.objects.exists()


def test_it_refuses_an_unknown_reviewer(api_as, rep):
    offer = OfferFactory(owner=rep)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/request-review/", {"reviewer": 999999}, format="json")

    assert response.status_code == 400
    assert not FeasibilityReview.objects.exists()


def test_it_answers_409_to_a_second_review_request(api_as, rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/request-review/", {"reviewer": other_pm.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"


@pytest.mark.parametrize(("action", "status"), [("lose", "lost"), ("withdraw", "withdrawn")])
def test_it_closes_an_offer_with_a_reason(api_as, rep, action, status):
    offer = OfferFactory(owner=rep, status=OfferStatus.SENT)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/{action}/", {"reason": "Budget frozen"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["close_reason"]) == (status, "Budget frozen")


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "x" * 1001}])
def test_it_needs_a_reason_to_close(api_as, rep, payload):
    offer = OfferFactory(owner=rep)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/lose/", payload, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


def test_it_answers_409_to_closing_a_closed_offer(api_as, rep):
    offer = OfferFactory(owner=rep, status=OfferStatus.LOST)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/withdraw/", {"reason": "Again"}, format="json")

    assert response.status_code == 409


def test_it_signs_off_and_withdraws_no_significant_risks(api_as, rep):
    offer = OfferFactory(owner=rep)
    api = api_as(rep)

    signed = api.post(f"/api/v1/offers/{offer.pk}/sign-off-no-risks/")
    assert signed.status_code == 200
    assert signed.json()["no_risks_signed_off_by"] == rep.pk
    assert api.post(f"/api/v1/offers/{offer.pk}/sign-off-no-risks/").status_code == 409

    withdrawn = api.delete(f"/api/v1/offers/{offer.pk}/sign-off-no-risks/")
    assert withdrawn.status_code == 200
    assert withdrawn.json()["no_risks_signed_off_at"] is None


def test_it_answers_409_to_a_sign_off_with_risks_recorded(api_as, rep):
    offer = RiskFactory(offer=OfferFactory(owner=rep)).offer

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/sign-off-no-risks/")

    assert response.status_code == 409
    assert response.json()["code"] == "risks_recorded"


# --- Commitments -------------------------------------------------------------------------------------------------------
def test_it_adds_lists_and_removes_commitments(api_as, rep):
    offer = OfferFactory(owner=rep)
    CommitmentFactory()  # another offer's
    api = api_as(rep)

    created = api.post("/api/v1/commitments/", {"offer": offer.pk, "text": "Training for 10"}, format="json")
    listed = api.get("/api/v1/commitments/", {"offer": offer.pk})
    removed = api.delete(f"/api/v1/commitments/{created.json()['id']}/")

    assert (created.status_code, listed.status_code, removed.status_code) == (201, 200, 204)
    assert created.json()["due"] is None
    assert [c["text"] for c in listed.json()["results"]] == ["Training for 10"]
    assert not Commitment.objects.filter(offer=offer).exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"text": ""},
        {"text": "x" * 501},
        {"text": "Ok", "due": "soon"},
        {"text": "Ok", "due": "1999-01-01"},
        {"offer": 999999, "text": "Ok"},
    ],
)
def test_it_refuses_a_bad_commitment(api_as, rep, payload):
    offer = OfferFactory(owner=rep)

    response = api_as(rep).post("/api/v1/commitments/", {"offer": offer.pk, **payload}, format="json")

    assert response.status_code == 400
    assert not Commitment.objects.exists()


def test_it_refuses_commitment_writes_to_another_reps_offer(api_as, rep, other_rep):
    offer = OfferFactory(owner=rep)
    commitment = CommitmentFactory(offer=offer)
    api = api_as(other_rep)

    assert api.post("/api/v1/commitments/", {"offer": offer.pk, "text": "x" * 600}, format="json").status_code == 403
    assert api.delete(f"/api/v1/commitments/{commitment.pk}/").status_code == 403
    assert list(Commitment.objects.all()) == [commitment]


def test_it_answers_409_to_a_commitment_on_a_sent_offer(api_as, rep):
    offer = OfferFactory(owner=rep, status=OfferStatus.SENT)

    response = api_as(rep).post("/api/v1/commitments/", {"offer": offer.pk, "text": "One more"}, format="json")

    assert response.status_code == 409
    assert not Commitment.objects.exists()


# --- Risks ------------------------------------------------------------------------------------------------------------
def risk_payload(offer_id, **overrides):
    payload = {"offer": offer_id, "title": "Key user leaves", "category": "resource", "probability": 2, "impact": 5}
    payload.update(overrides)
    return payload


BAD_RISKS = [
    ("probability", {"probability": 0}),
    ("probability", {"probability": 6}),
    ("impact", {"impact": -1}),
    ("impact", {"impact": 10}),
    ("category", {"category": "weather"}),
    ("title", {"title": ""}),
    ("title", {"title": "x" * 201}),
    ("mitigation", {"mitigation": "x" * 5001}),
    ("owner", {"owner": 999999}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_RISKS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_RISKS)])
def test_it_refuses_a_bad_risk_with_400(api_as, rep, field, overrides):
    offer = OfferFactory(owner=rep)

    response = api_as(rep).post("/api/v1/risks/", risk_payload(offer.pk, **overrides), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Risk.objects.exists()


@pytest.mark.parametrize(("field", "overrides"), BAD_RISKS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_RISKS)])
def test_it_refuses_a_bad_risk_patch_and_changes_nothing(api_as, rep, field, overrides):
    risk = RiskFactory(offer=OfferFactory(owner=rep))
    before = Risk.objects.values().get(pk=risk.pk)

    response = api_as(rep).patch(f"/api/v1/risks/{risk.pk}/", overrides, format="json")

    assert response.status_code == 400
    assert Risk.objects.values().get(pk=risk.pk) == before


def test_it_records_a_risk_with_a_read_only_score(api_as, rep):
    offer = OfferFactory(owner=rep)
    api = api_as(rep)

    created = api.post("/api/v1/risks/", risk_payload(offer.pk, score=1, owner=rep.pk), format="json")
    patched = api.patch(f"/api/v1/risks/{created.json()['id']}/", {"probability": 5, "score": 3}, format="json")

    assert (created.status_code, created.json()["score"], created.json()["owner"]) == (201, 10, rep.pk)
    assert (patched.status_code, patched.json()["score"]) == (200, 25)


def test_it_lets_the_reviewing_pm_record_risks_but_not_another_pm(api_as, rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    assert api_as(other_pm).post("/api/v1/risks/", risk_payload(offer.pk), format="json").status_code == 403
    assert api_as(pm).post("/api/v1/risks/", risk_payload(offer.pk), format="json").status_code == 201
    assert Risk.objects.get().created_by == pm


def test_it_refuses_risk_writes_to_another_rep(api_as, rep, other_rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep), probability=1)
    api = api_as(other_rep)

    assert api.post("/api/v1/risks/", risk_payload(risk.offer_id), format="json").status_code == 403
    assert api.patch(f"/api/v1/risks/{risk.pk}/", {"probability": 5}, format="json").status_code == 403
    assert api.delete(f"/api/v1/risks/{risk.pk}/").status_code == 403
    risk.refresh_from_db()
    assert risk.probability == 1


def test_it_removes_a_risk(api_as, rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep))

    assert api_as(rep).delete(f"/api/v1/risks/{risk.pk}/").status_code == 204
    assert not Risk.objects.exists()


# --- Reviews ----------------------------------------------------------------------------------------------------------
def answer(**overrides):
    payload = {"verdict": "feasible", "effort_days": "10", "duration_weeks": "2", "notes": ""}
    payload.update(overrides)
    return payload


BAD_ANSWERS = [
    ("verdict", {"verdict": "maybe"}),
    ("effort_days", {"effort_days": "-1"}),
    ("effort_days", {"effort_days": "100000.1"}),
    ("duration_weeks", {"duration_weeks": "lots"}),
    ("notes", {"verdict": "not_feasible", "notes": ""}),
    ("notes", {"notes": "x" * 10001}),
    ("milestones", {"milestones": [{"name": "", "due": None}]}),
    ("milestones", {"milestones": [{"name": "Kickoff", "due": "next week"}]}),
    ("commitment_marks", {"commitment_marks": [{"commitment": 999999, "mark": "feasible"}]}),
    ("commitment_marks", {"commitment_marks": [{"commitment": "OWN", "mark": "perhaps"}]}),
]


@pytest.mark.parametrize(("field", "overrides"), BAD_ANSWERS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_ANSWERS)])
def test_it_refuses_a_bad_answer_with_400_and_changes_nothing(api_as, rep, pm, field, overrides):
    offer, review = offer_in_review(rep, pm)
    own = CommitmentFactory(offer=offer)
    for mark in overrides.get("commitment_marks", []):
        if mark["commitment"] == "OWN":
            mark["commitment"] = own.pk

    response = api_as(pm).post(f"/api/v1/reviews/{review.pk}/complete/", answer(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    review.refresh_from_db()
    own.refresh_from_db()
    assert (review.status, own.feasibility) == (ReviewStatus.REQUESTED, "")
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW


def test_it_refuses_marks_on_another_offers_commitments(api_as, rep, pm):
    _offer, review = offer_in_review(rep, pm)
    foreign = CommitmentFactory()

    response = api_as(pm).post(
        f"/api/v1/reviews/{review.pk}/complete/",
        answer(commitment_marks=[{"commitment": foreign.pk, "mark": "infeasible"}]),
        format="json",
    )

    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.feasibility == ""


def test_it_refuses_an_answer_from_anyone_but_the_reviewer(api_as, rep, pm, other_pm):
    _offer, review = offer_in_review(rep, pm)

    for user in (rep, other_pm):
        assert api_as(user).post(f"/api/v1/reviews/{review.pk}/complete/", answer(), format="json").status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.REQUESTED


def test_it_answers_409_to_a_second_answer(api_as, rep, pm):
    offer = OfferFactory(owner=rep)
    review = completed_review(offer, pm)

    assert api_as(pm).post(f"/api/v1/reviews/{review.pk}/complete/", answer(), format="json").status_code == 409


def test_it_filters_reviews(api_as, rep, pm, other_pm):
    offer, review = offer_in_review(rep, pm)
    completed_review(OfferFactory(owner=rep), other_pm)

    response = api_as(rep).get("/api/v1/reviews/", {"offer": offer.pk})
    by_status = api_as(rep).get("/api/v1/reviews/", {"status": "completed"})
    bad = api_as(rep).get("/api/v1/reviews/", {"status": "pending"})

    assert [r["id"] for r in response.json()["results"]] == [review.pk]
    assert [r["reviewer"] for r in by_status.json()["results"]] == [other_pm.pk]
    assert bad.status_code == 400


# --- Query counts -----------------------------------------------------------------------------------------------------
def _grow(offer, n=20):
    for _ in range(n):
        other = OfferFactory()
        CommitmentFactory(offer=other)
        RiskFactory(offer=other, owner=UserFactory())
        completed_review(other, UserFactory(roles=["pm"]))
        CommitmentFactory(offer=other)


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # session, user, COUNT, page (offers with client and owner)
        ("/api/v1/offers/", 4),
        # session, user, COUNT, page
        ("/api/v1/commitments/", 4),
        ("/api/v1/risks/", 4),
        # session, user, COUNT, page (with offer, client, reviewer, requester), the offers' commitments
        ("/api/v1/reviews/", 5),
    ],
)
def test_it_pins_the_list_queries_whatever_the_rows(api_as, rep, pm, django_assert_num_queries, url, queries):
    api = api_as(rep)
    offer = ready_offer(rep, pm)
    CommitmentFactory(offer=offer)
    with django_assert_num_queries(queries):
        assert api.get(url).status_code == 200
    _grow(offer)
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.json()["count"] > 20


def test_it_pins_the_detail_queries_whatever_the_rows(api_as, rep, pm, django_assert_num_queries):
    offer = ready_offer(rep, pm)
    api = api_as(rep)
    # session, user, the offer with its joins, reviews, risks, decision makers, commitments
    with django_assert_num_queries(7):
        api.get(f"/api/v1/offers/{offer.pk}/")
    for _ in range(10):
        CommitmentFactory(offer=offer)
        RiskFactory(offer=offer, owner=UserFactory())
        completed_review(offer, UserFactory(roles=["pm"]))
    with django_assert_num_queries(7):
        api.get(f"/api/v1/offers/{offer.pk}/")


# --- Schema -----------------------------------------------------------------------------------------------------------
def test_it_describes_the_offer_endpoints_in_the_schema(api_as, rep):
    response = api_as(rep).get("/api/schema/", HTTP_ACCEPT="application/json")

    paths = response.json()["paths"] if response["Content-Type"].startswith("application/json") else None
    if paths is None:
        import yaml

        paths = yaml.safe_load(response.content)["paths"]
    for path in (
        "/api/v1/offers/",
        "/api/v1/offers/{id}/",
        "/api/v1/offers/{id}/request-review/",
        "/api/v1/offers/{id}/send/",
        "/api/v1/offers/{id}/lose/",
        "/api/v1/offers/{id}/withdraw/",
        "/api/v1/offers/{id}/sign-off-no-risks/",
        "/api/v1/commitments/",
        "/api/v1/risks/{id}/",
        "/api/v1/reviews/",
        "/api/v1/reviews/{id}/complete/",
    ):
        assert path in paths, path
    assert "409" in paths["/api/v1/offers/{id}/send/"]["post"]["responses"]
    assert "patch" in paths["/api/v1/offers/{id}/"] and "put" not in paths["/api/v1/offers/{id}/"]
