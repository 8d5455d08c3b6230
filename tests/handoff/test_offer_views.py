"""Offer pages (issue 3): list with filters and sorting, forms with inline errors, the detail page and its inline parts.

Every bad input in a form shows its error and changes nothing; every page's
query count is pinned and does not grow with the rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.models import Activity
from handoff.models import Commitment, FeasibilityReview, Offer, OfferStatus, ReviewStatus, Risk
from tests.factories import ClientFactory, CommitmentFactory, OfferFactory, RiskFactory, UserFactory
from tests.handoff.offer_factories import completed_review, offer_in_review, ready_offer

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail_url(offer):
    return reverse("handoff:offer_detail", args=[offer.pk])


def offer_form_data(client=None, **overrides):
    data = {
        "title": "ERP roll-out",
        "summary": "Three plants.",
        "value": "12500.00",
        "probability": "60",
        "expected_close": "2030-03-01",
        "desired_start": "2030-04-01",
        "desired_end": "2030-06-30",
    }
    if client is not None:
        data["client"] = str(client.pk)
    data.update(overrides)
    return data


# --- List ------------------------------------------------------------------------------------------
def test_it_lists_offers_with_client_owner_and_status(client_as, rep):
    OfferFactory(title="Plant ERP", owner=rep)

    response = client_as(rep).get(reverse("handoff:offer_list"))

    assert response.status_code == 200
    assert b"Plant ERP" in response.content
    assert b"<title>Offers" in response.content


def test_it_shows_an_empty_state(client_as, rep):
    response = client_as(rep).get(reverse("handoff:offer_list"))

    assert b"No offers yet" in response.content


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=sent", {"Sent one"}),
        ("status=open", {"Draft one", "Sent one"}),
        ("q=sent", {"Sent one"}),
        ("expected_close_after=2030-02-01", {"Sent one", "Lost one"}),
        ("expected_close_before=2030-01-31", {"Draft one"}),
        ("expected_close_after=2030-02-01&expected_close_before=2030-02-28", {"Sent one"}),
    ],
)
def test_it_filters_the_list(client_as, rep, query, expected):
    OfferFactory(title="Draft one", expected_close=datetime.date(2030, 1, 15))
    OfferFactory(title="Sent one", status=OfferStatus.SENT, expected_close=datetime.date(2030, 2, 15))
    OfferFactory(title="Lost one", status=OfferStatus.LOST, expected_close=datetime.date(2030, 3, 15))

    response = client_as(rep).get(reverse("handoff:offer_list") + "?" + query, **HTMX)

    assert {offer.title for offer in response.context["page"].object_list} == expected


def test_it_filters_by_owner_and_client(client_as, rep, other_rep):
    mine = OfferFactory(owner=rep)
    OfferFactory(owner=other_rep)
    OfferFactory(owner=rep)

    response = client_as(rep).get(reverse("handoff:offer_list"), {"owner": rep.pk, "client": mine.client_id}, **HTMX)

    assert [offer.pk for offer in response.context["page"].object_list] == [mine.pk]


def test_it_names_the_client_it_filters_by(client_as, rep):
    offer = OfferFactory(client=ClientFactory(name="Kessler KG"))

    response = client_as(rep).get(reverse("handoff:offer_list"), {"client": offer.client_id})

    assert b'class="filter-chip">Kessler KG' in response.content


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("value", ["Small", "Big", "Unknown"]),
        ("-value", ["Big", "Small", "Unknown"]),
        ("title", ["Big", "Small", "Unknown"]),
        ("expected_close", ["Unknown", "Small", "Big"]),
        ("created", ["Small", "Big", "Unknown"]),
        ("-created", ["Unknown", "Big", "Small"]),
    ],
)
def test_it_sorts_the_list(client_as, rep, sort, expected):
    OfferFactory(title="Small", value=Decimal("10"), expected_close=datetime.date(2030, 2, 1))
    OfferFactory(title="Big", value=Decimal("1000"), expected_close=datetime.date(2030, 3, 1))
    OfferFactory(title="Unknown", value=None, expected_close=datetime.date(2030, 1, 1))

    response = client_as(rep).get(reverse("handoff:offer_list"), {"sort": sort}, **HTMX)

    assert [offer.title for offer in response.context["page"].object_list] == expected


def test_it_answers_htmx_with_the_results_fragment_only(client_as, rep):
    OfferFactory(title="Plant ERP")

    response = client_as(rep).get(reverse("handoff:offer_list"), {"status": "draft"}, **HTMX)

    assert b'id="offer-results"' in response.content
    assert b"<html" not in response.content


def test_it_shows_a_bad_filter_and_applies_the_others(client_as, rep):
    OfferFactory(title="Sent one", status=OfferStatus.SENT)
    OfferFactory(title="Draft one")

    response = client_as(rep).get(reverse("handoff:offer_list"), {"status": "sent", "expected_close_after": "soon"})

    assert response.status_code == 200
    assert "expected_close_after" in response.context["form"].errors
    assert [offer.title for offer in response.context["page"].object_list] == ["Sent one"]


def test_it_paginates_the_list(client_as, rep):
    OfferFactory.create_batch(30)

    first = client_as(rep).get(reverse("handoff:offer_list"))
    second = client_as(rep).get(reverse("handoff:offer_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5


def test_it_counts_only_up_to_a_cap_and_says_so(client_as, rep, monkeypatch):
    from handoff.views import offers as views

    monkeypatch.setattr(views, "COUNT_CAP", 30)
    OfferFactory.create_batch(31)

    response = client_as(rep).get(reverse("handoff:offer_list"), {"page": 2})

    assert response.context["page"].paginator.capped
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 5
    assert b"More than 30 offers" in response.content


def test_it_pins_the_list_page_queries_whatever_the_rows(client_as, rep, django_assert_num_queries):
    client = client_as(rep)
    OfferFactory()
    # session, user (with roles and the inbox badge's count), the owner choices, one bounded COUNT, the page
    with django_assert_num_queries(5):
        client.get(reverse("handoff:offer_list"))
    OfferFactory.create_batch(20)
    with django_assert_num_queries(5):
        response = client.get(reverse("handoff:offer_list"))
    assert len(response.context["page"].object_list) == 21


# --- Create --------------------------------------------------------------------------------------------
def test_it_creates_an_offer_from_the_form(client_as, rep):
    customer = ClientFactory()

    response = client_as(rep).post(reverse("handoff:offer_create"), offer_form_data(customer))

    offer = Offer.objects.get()
    assert response.status_code == 302
    assert response.url == detail_url(offer)
    assert (offer.owner, offer.client, offer.value) == (rep, customer, Decimal("12500.00"))


def test_it_preselects_the_client_from_the_query(client_as, rep):
    customer = ClientFactory()

    response = client_as(rep).get(reverse("handoff:offer_create"), {"client": customer.pk})

    assert response.context["form"].initial["client"] == customer


def test_it_redirects_an_htmx_create_with_hx_redirect(client_as, rep):
    response = client_as(rep).post(reverse("handoff:offer_create"), offer_form_data(ClientFactory()), **HTMX)

    assert response.headers["HX-Redirect"] == detail_url(Offer.objects.get())


def test_it_refuses_the_create_form_to_a_pm(client_as, pm):
    assert client_as(pm).get(reverse("handoff:offer_create")).status_code == 403
    assert client_as(pm).post(reverse("handoff:offer_create"), offer_form_data(ClientFactory())).status_code == 403
    assert not Offer.objects.exists()


BAD_FORM_INPUT = [
    ("value", {"value": "-5"}),
    ("value", {"value": "99999999999999"}),
    ("value", {"value": "lots"}),
    ("probability", {"probability": "101"}),
    ("probability", {"probability": "-1"}),
    ("desired_end", {"desired_end": "2030-03-31"}),
    ("title", {"title": "x" * 201}),
    ("title", {"title": ""}),
    ("summary", {"summary": "x" * 10001}),
    ("expected_close", {"expected_close": "1900-01-01"}),
    ("expected_close", {"expected_close": "31/02/2030"}),
]


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_FORM_INPUT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_FORM_INPUT)]
)
def test_it_shows_bad_input_inline_and_creates_nothing(client_as, rep, field, overrides):
    response = client_as(rep).post(
        reverse("handoff:offer_create"), offer_form_data(ClientFactory(), **overrides), **HTMX
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b"field-error" in response.content
    assert not Offer.objects.exists()


def test_it_refuses_an_unknown_client(client_as, rep):
    response = client_as(rep).post(reverse("handoff:offer_create"), offer_form_data() | {"client": "999999"})

    assert "client" in response.context["form"].errors
    assert not Offer.objects.exists()


# --- Edit ------------------------------------------------------------------------------------------------
def test_it_saves_the_edit_form(client_as, rep):
    offer = OfferFactory(owner=rep, title="Old")

    response = client_as(rep).post(
        reverse("handoff:offer_edit", args=[offer.pk]), offer_form_data(title="New", version="1")
    )

    offer.refresh_from_db()
    assert response.status_code == 302
    assert (offer.title, offer.version) == ("New", 2)


def test_it_shows_the_newer_values_when_the_version_is_stale(client_as, rep):
    offer = OfferFactory(owner=rep, title="Old")
    Offer.objects.filter(pk=offer.pk).update(title="Saved by a colleague", version=2)

    response = client_as(rep).post(
        reverse("handoff:offer_edit", args=[offer.pk]), offer_form_data(title="Mine", version="1"), **HTMX
    )

    offer.refresh_from_db()
    assert response.status_code == 200
    assert offer.title == "Saved by a colleague"
    assert response.context["form"].initial["title"] == "Saved by a colleague"
    assert response.context["form"].initial["version"] == 2
    assert b"changed by someone else" in response.content
    assert ("Title", "Mine") in response.context["stale"]["yours"]


def test_it_refuses_the_edit_form_of_another_reps_offer(client_as, rep, other_rep):
    offer = OfferFactory(owner=rep, title="Old")

    get = client_as(other_rep).get(reverse("handoff:offer_edit", args=[offer.pk]))
    post = client_as(other_rep).post(
        reverse("handoff:offer_edit", args=[offer.pk]), offer_form_data(title="Hijacked", version="1")
    )

    offer.refresh_from_db()
    assert (get.status_code, post.status_code) == (403, 403)
    assert offer.title == "Old"


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_FORM_INPUT, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_FORM_INPUT)]
)
def test_it_shows_bad_edit_input_inline_and_changes_nothing(client_as, rep, field, overrides):
    offer = OfferFactory(owner=rep, title="Old")
    before = Offer.objects.values().get(pk=offer.pk)

    response = client_as(rep).post(
        reverse("handoff:offer_edit", args=[offer.pk]), offer_form_data(version="1", **overrides)
    )

    assert field in response.context["form"].errors
    assert Offer.objects.values().get(pk=offer.pk) == before


def test_it_sends_the_edit_of_a_sent_offer_back_to_the_offer(client_as, rep):
    offer = OfferFactory(owner=rep, status=OfferStatus.SENT, title="Old")

    response = client_as(rep).post(
        reverse("handoff:offer_edit", args=[offer.pk]), offer_form_data(title="New", version="1")
    )

    offer.refresh_from_db()
    assert response.status_code == 302
    assert offer.title == "Old"


# --- Detail -------------------------------------------------------------------------------------------------
def test_it_shows_the_offer_with_its_parts(client_as, rep, pm):
    offer = ready_offer(rep, pm, title="Plant ERP")
    CommitmentFactory(offer=offer, text="Go-live before March", feasibility="risky")

    response = client_as(rep).get(detail_url(offer))

    content = response.content.decode()
    assert response.status_code == 200
    for part in ('id="commitments"', 'id="risks"', 'id="review"', 'id="readiness"', 'id="offer-timeline"'):
        assert part in content
    assert "Go-live before March" in content
    assert "Risky" in content
    assert 'class="heatmap"' in content
    assert "€12,500.00" in content


def test_it_shows_the_owner_the_actions_and_others_none(client_as, rep, other_rep):
    offer = OfferFactory(owner=rep)

    mine = client_as(rep).get(detail_url(offer)).content.decode()
    theirs = client_as(other_rep).get(detail_url(offer)).content.decode()

    for action in ('data-testid="send"', 'data-testid="request-review"', 'data-testid="lose"', ">Edit<"):
        assert action in mine
        assert action not in theirs
    assert 'id="id_commitment_text"' in mine
    assert 'id="id_commitment_text"' not in theirs


def test_it_shows_the_reviewer_the_answer_button(client_as, rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    assert b'data-testid="complete-review"' in client_as(pm).get(detail_url(offer)).content
    assert b'data-testid="complete-review"' not in client_as(other_pm).get(detail_url(offer)).content


def test_it_answers_404_for_an_unknown_offer(client_as, rep):
    assert client_as(rep).get(reverse("handoff:offer_detail", args=[999999])).status_code == 404


def test_it_pins_the_detail_page_queries_whatever_the_rows(client_as, rep, pm, django_assert_num_queries):
    offer = ready_offer(rep, pm)
    client = client_as(rep)
    # session, user (with roles and the inbox badge's count), the offer with its joins (handoff and
    # the follow-up it came from included), commitments, risks, reviews, decision makers, the
    # activity log, the risk owner choices, the client's lessons learned
    client.get(detail_url(offer))  # warm the content type cache
    with django_assert_num_queries(10):
        client.get(detail_url(offer))
    for _ in range(10):
        CommitmentFactory(offer=offer, feasibility="feasible")
        RiskFactory(offer=offer, owner=UserFactory())
        completed_review(offer, UserFactory(roles=["pm"]))
        Activity.objects.create(actor=rep, verb="offer_updated", target_type_id=_offer_type_id(), target_id=offer.pk)
    with django_assert_num_queries(10):
        client.get(detail_url(offer))


def _offer_type_id():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Offer).pk


# --- Inline parts ------------------------------------------------------------------------------------------------
def test_it_adds_a_commitment_inline(client_as, rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(
        reverse("handoff:commitment_add", args=[offer.pk]), {"text": "Training for 10", "due": "2030-05-01"}, **HTMX
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<section id="commitments"')
    assert "Training for 10" in content
    assert 'id="readiness" class="card" aria-labelledby="readiness-title" hx-swap-oob="true"' in content
    assert 'id="offer-timeline" hx-swap-oob="true"' in content
    assert Commitment.objects.get().due == datetime.date(2030, 5, 1)


def test_it_redirects_a_commitment_added_without_javascript(client_as, rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse("handoff:commitment_add", args=[offer.pk]), {"text": "Training"})

    assert response.status_code == 302
    assert response.url == detail_url(offer) + "#commitments"


@pytest.mark.parametrize("data", [{"text": ""}, {"text": "x" * 501}, {"text": "Ok", "due": "someday"}])
def test_it_shows_a_bad_commitment_inline_and_adds_nothing(client_as, rep, data):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse("handoff:commitment_add", args=[offer.pk]), data, **HTMX)

    assert response.status_code == 200
    assert response.context["commitment_form"].errors
    assert b"field-error" in response.content
    assert not Commitment.objects.exists()


def test_it_refuses_commitment_writes_to_another_reps_offer(client_as, rep, other_rep):
    offer = OfferFactory(owner=rep)
    commitment = CommitmentFactory(offer=offer)
    client = client_as(other_rep)

    add = client.post(reverse("handoff:commitment_add", args=[offer.pk]), {"text": "Free support"}, **HTMX)
    remove = client.post(reverse("handoff:commitment_remove", args=[commitment.pk]), **HTMX)

    assert (add.status_code, remove.status_code) == (403, 403)
    assert list(Commitment.objects.all()) == [commitment]


def test_it_removes_a_commitment_inline(client_as, rep):
    commitment = CommitmentFactory(offer=OfferFactory(owner=rep))

    response = client_as(rep).post(reverse("handoff:commitment_remove", args=[commitment.pk]), **HTMX)

    assert response.status_code == 200
    assert not Commitment.objects.exists()


def risk_form_data(**overrides):
    data = {"title": "Key user leaves", "category": "resource", "probability": "2", "impact": "5", "mitigation": ""}
    data.update(overrides)
    return data


def test_it_adds_a_risk_inline_with_its_score(client_as, rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse("handoff:risk_add", args=[offer.pk]), risk_form_data(), **HTMX)

    assert response.status_code == 200
    assert Risk.objects.get().score == 10
    assert b'<span class="score heat-mid">10</span>' in response.content


BAD_RISK_FORM = [
    ("probability", {"probability": "0"}),
    ("probability", {"probability": "6"}),
    ("impact", {"impact": "9"}),
    ("category", {"category": "weather"}),
    ("title", {"title": ""}),
    ("title", {"title": "x" * 201}),
    ("mitigation", {"mitigation": "x" * 5001}),
]


@pytest.mark.parametrize(
    ("field", "overrides"), BAD_RISK_FORM, ids=[f"{f}-{i}" for i, (f, _) in enumerate(BAD_RISK_FORM)]
)
def test_it_shows_a_bad_risk_inline_and_records_nothing(client_as, rep, field, overrides):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse("handoff:risk_add", args=[offer.pk]), risk_form_data(**overrides), **HTMX)

    assert field in response.context["risk_form"].errors
    assert not Risk.objects.exists()


def test_it_lets_the_reviewing_pm_add_a_risk_but_not_another_pm(client_as, rep, pm, other_pm):
    offer, _review = offer_in_review(rep, pm)

    refused = client_as(other_pm).post(reverse("handoff:risk_add", args=[offer.pk]), risk_form_data(), **HTMX)
    assert refused.status_code == 403
    assert not Risk.objects.exists()

    allowed = client_as(pm).post(reverse("handoff:risk_add", args=[offer.pk]), risk_form_data(), **HTMX)
    assert allowed.status_code == 200
    assert Risk.objects.get().created_by == pm


def test_it_edits_a_risk_in_the_modal(client_as, rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep), probability=1, impact=1)
    client = client_as(rep)

    form = client.get(reverse("handoff:risk_edit", args=[risk.pk]), **HTMX)
    saved = client.post(reverse("handoff:risk_edit", args=[risk.pk]), risk_form_data(probability="5"), **HTMX)

    risk.refresh_from_db()
    assert b'id="action-form"' in form.content
    assert "closeModal" in saved.headers["HX-Trigger"]
    assert (risk.probability, risk.impact) == (5, 5)


def test_it_keeps_an_invalid_risk_edit_in_the_modal(client_as, rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep), probability=1)

    response = client_as(rep).post(
        reverse("handoff:risk_edit", args=[risk.pk]), risk_form_data(probability="7"), **HTMX
    )

    risk.refresh_from_db()
    assert response.headers["HX-Retarget"] == "#modal-body"
    assert response.headers["HX-Reselect"] == "#action-form"
    assert risk.probability == 1


def test_it_refuses_risk_edits_to_another_rep(client_as, rep, other_rep):
    risk = RiskFactory(offer=OfferFactory(owner=rep), probability=1)
    client = client_as(other_rep)

    assert client.get(reverse("handoff:risk_edit", args=[risk.pk]), **HTMX).status_code == 403
    assert client.post(reverse("handoff:risk_edit", args=[risk.pk]), risk_form_data(), **HTMX).status_code == 403
    assert client.post(reverse("handoff:risk_remove", args=[risk.pk]), **HTMX).status_code == 403
    risk.refresh_from_db()
    assert risk.probability == 1


def test_it_signs_off_and_withdraws_no_significant_risks(client_as, rep):
    offer = OfferFactory(owner=rep)
    client = client_as(rep)

    signed = client.post(reverse("handoff:offer_sign_off", args=[offer.pk]), **HTMX)
    offer.refresh_from_db()
    assert offer.no_risks_signed_off_by == rep
    assert b"signed off by Rita Rep" in signed.content

    client.post(reverse("handoff:offer_sign_off_withdraw", args=[offer.pk]), **HTMX)
    offer.refresh_from_db()
    assert offer.no_risks_signed_off_at is None


def test_it_shows_why_the_sign_off_is_refused(client_as, rep):
    offer = RiskFactory(offer=OfferFactory(owner=rep)).offer

    response = client_as(rep).post(reverse("handoff:offer_sign_off", args=[offer.pk]), **HTMX)

    offer.refresh_from_db()
    assert b"recorded risks" in response.content
    assert offer.no_risks_signed_off_at is None


# --- Status actions -------------------------------------------------------------------------------------------------
def test_it_opens_the_review_request_in_the_modal_with_only_pms(client_as, rep, pm, other_pm, manager, other_rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).get(reverse("handoff:review_request", args=[offer.pk]), **HTMX)

    choices = {str(user) for user in response.context["form"].fields["reviewer"].queryset}
    assert choices == {str(pm), str(other_pm)}
    assert b'id="action-form"' in response.content
    assert b"<html" not in response.content


def test_it_requests_a_review_from_the_modal(client_as, rep, pm):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse("handoff:review_request", args=[offer.pk]), {"reviewer": pm.pk}, **HTMX)

    offer.refresh_from_db()
    assert offer.status == OfferStatus.REVIEW
    assert "closeModal" in response.headers["HX-Trigger"]
    assert b'id="offer-body"' in response.content
    assert b"Review requested from Paula Manager" in response.content


def test_it_refuses_a_reviewer_without_the_pm_role_in_the_form(client_as, rep, other_rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(
        reverse("handoff:review_request", args=[offer.pk]), {"reviewer": other_rep.pk}, **HTMX
    )

    offer.refresh_from_db()
    assert "reviewer" in response.context["form"].errors
    assert response.headers["HX-Retarget"] == "#modal-body"
    assert offer.status == OfferStatus.DRAFT
    assert not FeasibilityReview.objects.exists()


def test_it_refuses_the_review_request_to_another_rep(client_as, rep, other_rep, pm):
    offer = OfferFactory(owner=rep)

    response = client_as(other_rep).post(reverse("handoff:review_request", args=[offer.pk]), {"reviewer": pm.pk})

    assert response.status_code == 403
    assert not FeasibilityReview.objects.exists()


def test_it_lists_every_unmet_item_when_send_is_refused(client_as, rep):
    offer = OfferFactory(owner=rep, value=None)

    response = client_as(rep).post(reverse("handoff:offer_send", args=[offer.pk]), **HTMX)

    offer.refresh_from_db()
    content = response.content.decode()
    assert offer.status == OfferStatus.DRAFT
    assert "The offer is not ready to send" in content
    for label in ("feasibility review", "Risks assessed", "client brief", "decision maker", "Value, expected close"):
        assert label in content
    assert content.count('class="is-unmet"') == 5


def test_it_sends_a_ready_offer_from_the_page(client_as, rep, pm):
    offer = ready_offer(rep, pm)

    response = client_as(rep).post(reverse("handoff:offer_send", args=[offer.pk]))

    offer.refresh_from_db()
    assert response.status_code == 302
    assert offer.status == OfferStatus.SENT


def test_it_refuses_send_to_another_rep(client_as, rep, other_rep, pm):
    offer = ready_offer(rep, pm)

    assert client_as(other_rep).post(reverse("handoff:offer_send", args=[offer.pk])).status_code == 403
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT


@pytest.mark.parametrize("name", ["handoff:offer_lose", "handoff:offer_withdraw"])
def test_it_needs_a_reason_to_close(client_as, rep, name):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).post(reverse(name, args=[offer.pk]), {"reason": "  "}, **HTMX)

    offer.refresh_from_db()
    assert "reason" in response.context["form"].errors
    assert response.headers["HX-Retarget"] == "#modal-body"
    assert offer.status == OfferStatus.DRAFT


@pytest.mark.parametrize(
    ("name", "status"), [("handoff:offer_lose", OfferStatus.LOST), ("handoff:offer_withdraw", OfferStatus.WITHDRAWN)]
)
def test_it_closes_an_offer_with_a_reason(client_as, rep, pm, name, status):
    offer, review = offer_in_review(rep, pm)

    response = client_as(rep).post(reverse(name, args=[offer.pk]), {"reason": "Budget frozen"})

    offer.refresh_from_db()
    review.refresh_from_db()
    assert response.status_code == 302
    assert (offer.status, offer.close_reason) == (status, "Budget frozen")
    assert review.status == ReviewStatus.CANCELLED


def test_it_shows_the_close_form_as_a_page_without_javascript(client_as, rep):
    offer = OfferFactory(owner=rep)

    response = client_as(rep).get(reverse("handoff:offer_lose", args=[offer.pk]))

    assert b"<html" in response.content
    assert b'name="reason"' in response.content
    assert b"hx-post" not in response.content.split(b'id="action-form"')[1].split(b"</form>")[0]


# --- The PM's review form ---------------------------------------------------------------------------------------------
def test_it_lets_the_pm_complete_the_review_from_the_form(client_as, rep, pm):
    offer, review = offer_in_review(rep, pm)
    commitment = CommitmentFactory(offer=offer)
    data = {
        "verdict": "feasible_with_conditions",
        "effort_days": "35.5",
        "duration_weeks": "6",
        "notes": "Needs a product owner.",
        f"mark_{commitment.pk}": "risky",
        f"note_{commitment.pk}": "Tight",
        "milestones-TOTAL_FORMS": "4",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-name": "Kickoff",
        "milestones-0-due": "2030-04-01",
        "milestones-1-name": "",
        "milestones-1-due": "",
    }

    response = client_as(pm).post(reverse("handoff:review_complete", args=[review.pk]), data)

    review.refresh_from_db()
    commitment.refresh_from_db()
    offer.refresh_from_db()
    assert response.status_code == 302
    assert (review.status, review.verdict, review.effort_days) == (
        "completed",
        "feasible_with_conditions",
        Decimal("35.5"),
    )
    assert review.milestones == [{"name": "Kickoff", "due": "2030-04-01"}]
    assert (commitment.feasibility, commitment.feasibility_note) == ("risky", "Tight")
    assert offer.status == OfferStatus.DRAFT


def test_it_shows_one_mark_select_per_commitment(client_as, rep, pm):
    offer, review = offer_in_review(rep, pm)
    first, second = CommitmentFactory(offer=offer), CommitmentFactory(offer=offer)
    CommitmentFactory()  # another offer's

    response = client_as(pm).get(reverse("handoff:review_complete", args=[review.pk]))

    content = response.content.decode()
    assert content.count('<select name="mark_') == 2
    assert f'name="mark_{first.pk}"' in content and f'name="mark_{second.pk}"' in content


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("verdict", {"verdict": "maybe"}),
        ("effort_days", {"effort_days": "-3"}),
        ("duration_weeks", {"duration_weeks": "9999"}),
        ("notes", {"verdict": "not_feasible", "notes": ""}),
        ("mark", {"mark": "perhaps"}),
    ],
)
def test_it_shows_a_bad_answer_and_changes_nothing(client_as, rep, pm, field, overrides):
    offer, review = offer_in_review(rep, pm)
    commitment = CommitmentFactory(offer=offer)
    data = {
        "verdict": "feasible",
        "effort_days": "10",
        "duration_weeks": "2",
        "notes": "",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
    }
    mark = overrides.pop("mark", None)
    data.update(overrides)
    if mark:
        data[f"mark_{commitment.pk}"] = mark

    response = client_as(pm).post(reverse("handoff:review_complete", args=[review.pk]), data)

    review.refresh_from_db()
    expected_field = f"mark_{commitment.pk}" if field == "mark" else field
    assert response.status_code == 200
    assert expected_field in response.context["form"].errors
    assert review.status == ReviewStatus.REQUESTED
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.REVIEW


def test_it_refuses_the_review_form_to_anyone_but_the_reviewer(client_as, rep, pm, other_pm):
    _offer, review = offer_in_review(rep, pm)

    for user in (rep, other_pm):
        assert client_as(user).get(reverse("handoff:review_complete", args=[review.pk])).status_code == 403


def test_it_sends_a_completed_review_back_to_the_offer(client_as, rep, pm):
    offer = OfferFactory(owner=rep)
    review = completed_review(offer, pm)

    response = client_as(pm).get(reverse("handoff:review_complete", args=[review.pk]))

    assert response.status_code == 302
    assert response.url == detail_url(offer)
