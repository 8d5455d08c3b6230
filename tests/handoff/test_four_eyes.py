"""Four eyes (SPEC §7.2): nobody checks their own work, even a person holding the sales and the pm role.

The seller below is a sales rep who is also a PM. They may never review their
own offer, be named its PM when it is won or reassigned, or accept or return
its handoff, through the services, the API or the pages: 400 on the field that
names the person (``reviewer``, ``pm``), 409 ``four_eyes`` for an action, and
nothing changes.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import FourEyes
from core.models import Activity
from handoff.models import FeasibilityReview, Handoff, HandoffStatus, OfferStatus
from handoff.selectors import pm_home
from handoff.services.handoffs import (
    handoff_accept,
    handoff_actions,
    handoff_reassign,
    handoff_return,
    offer_win,
)
from handoff.services.reviews import review_request
from projects.models import Project
from tests.factories import OfferFactory, UserFactory
from tests.handoff.offer_factories import completed_review
from tests.projects.factories import sent_offer, won_handoff

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seller(db):
    """A sales rep who also holds the pm role."""
    return UserFactory(username="seller", first_name="Sven", last_name="Seller", roles=["sales", "pm"])


@pytest.fixture
def own_handoff(seller, pm):
    """A pending handoff of the seller's own offer, not assigned to anyone yet."""
    handoff = won_handoff(owner=seller)
    assert handoff.pm is None
    return handoff


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def unchanged(handoff: Handoff, *, pm=None) -> bool:
    handoff.refresh_from_db()
    return (handoff.status, handoff.pm, handoff.return_count) == (HandoffStatus.PENDING, pm, 0) and not (
        Project.objects.exists()
    )


# --- Services ---------------------------------------------------------------------------------
def test_it_refuses_the_owner_as_the_reviewer_of_their_own_offer(seller):
    offer = OfferFactory(owner=seller)

    with pytest.raises(ValidationError) as refused:
        review_request(offer=offer, actor=seller, reviewer=seller)

    assert "nobody reviews their own offer" in refused.value.message_dict["reviewer"][0]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.DRAFT
    assert not FeasibilityReview.objects.exists()


def test_it_refuses_the_owner_as_the_pm_when_winning(seller, pm):
    offer = sent_offer(owner=seller, reviewer=pm)

    with pytest.raises(ValidationError) as refused:
        offer_win(offer=offer, actor=seller, pm=seller)

    assert "four eyes" in refused.value.message_dict["pm"][0]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT
    assert not Handoff.objects.exists()


def test_a_review_by_the_owner_never_makes_them_the_default_pm(seller):
    # A review recorded before the rule: the handoff waits for any other PM instead.
    offer = sent_offer(owner=seller)
    completed_review(offer, seller)

    handoff = offer_win(offer=offer, actor=seller)

    assert handoff.pm is None


def test_it_refuses_the_owner_accepting_their_own_unassigned_handoff(own_handoff, seller, pm):
    with pytest.raises(FourEyes) as refused:
        handoff_accept(handoff=own_handoff, actor=seller)

    assert refused.value.code == "four_eyes"
    assert unchanged(own_handoff)
    project = handoff_accept(handoff=own_handoff, actor=pm)
    assert (project.pm, project.sales_liaison) == (pm, seller)


def test_it_refuses_the_owner_accepting_a_handoff_assigned_to_them(own_handoff, seller):
    Handoff.objects.filter(pk=own_handoff.pk).update(pm=seller)  # assigned before the rule existed

    with pytest.raises(FourEyes):
        handoff_accept(handoff=own_handoff, actor=seller)

    assert unchanged(own_handoff, pm=seller)


def test_it_refuses_the_owner_returning_their_own_handoff(own_handoff, seller):
    with pytest.raises(FourEyes):
        handoff_return(handoff=own_handoff, actor=seller, reason="Not enough detail")

    assert unchanged(own_handoff)


def test_it_refuses_to_reassign_a_handoff_to_the_offers_owner(own_handoff, seller, manager):
    with pytest.raises(ValidationError) as refused:
        handoff_reassign(handoff=own_handoff, actor=manager, pm=seller)

    assert "four eyes" in refused.value.message_dict["pm"][0]
    assert unchanged(own_handoff)
    assert not Activity.objects.filter(verb="reassigned").exists()


def test_the_owner_gets_no_accept_or_return_button(own_handoff, seller, pm):
    assert handoff_actions(seller, own_handoff)["accept"] is False
    assert handoff_actions(seller, own_handoff)["return"] is False
    assert handoff_actions(pm, own_handoff)["accept"] is True


def test_the_pm_home_leaves_out_the_handoffs_of_ones_own_offers(own_handoff, seller, pm):
    assert pm_home(user=seller).pending_handoffs == []
    assert pm_home(user=pm).pending_handoffs == [own_handoff]


# --- API --------------------------------------------------------------------------------------
def test_the_api_answers_400_on_reviewer_for_a_review_of_ones_own_offer(api_as, seller):
    offer = OfferFactory(owner=seller)

    response = api_as(seller).post(f"/api/v1/offers/{offer.pk}/request-review/", {"reviewer": seller.pk})

    assert response.status_code == 400
    assert "nobody reviews their own offer" in response.json()["reviewer"][0]
    assert not FeasibilityReview.objects.exists()


def test_the_api_answers_400_on_pm_for_a_win_naming_the_owner(api_as, seller, pm):
    offer = sent_offer(owner=seller, reviewer=pm)

    response = api_as(seller).post(f"/api/v1/offers/{offer.pk}/win/", {"pm": seller.pk}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["pm"]
    assert not Handoff.objects.exists()


@pytest.mark.parametrize("action", ["accept", "return"])
def test_the_api_answers_409_four_eyes_when_the_owner_decides(api_as, own_handoff, seller, action):
    response = api_as(seller).post(f"/api/v1/handoffs/{own_handoff.pk}/{action}/", {"reason": "Why not"})

    assert response.status_code == 409
    assert response.json()["code"] == "four_eyes"
    assert unchanged(own_handoff)


def test_the_api_answers_400_on_pm_for_a_reassignment_to_the_owner(api_as, own_handoff, seller, manager):
    response = api_as(manager).post(f"/api/v1/handoffs/{own_handoff.pk}/reassign/", {"pm": seller.pk})

    assert response.status_code == 400
    assert list(response.json()) == ["pm"]
    assert unchanged(own_handoff)


# --- Pages ------------------------------------------------------------------------------------
def option(user) -> str:
    return f'<option value="{user.pk}"'


def test_the_review_request_form_does_not_offer_the_owner(client_as, seller, pm):
    offer = OfferFactory(owner=seller)
    browser = client_as(seller)
    url = reverse("handoff:review_request", args=[offer.pk])

    page = browser.get(url).content.decode()
    refused = browser.post(url, {"reviewer": seller.pk})

    assert option(pm) in page
    assert option(seller) not in page
    assert refused.status_code == 200
    assert "nobody reviews their own offer" in refused.content.decode()
    assert not FeasibilityReview.objects.exists()


def test_the_win_form_does_not_offer_the_owner(client_as, seller, pm):
    offer = sent_offer(owner=seller, reviewer=pm)
    browser = client_as(seller)
    url = reverse("handoff:offer_win", args=[offer.pk])

    page = browser.get(url, **HTMX).content.decode()
    refused = browser.post(url, {"pm": seller.pk}, **HTMX)

    assert option(pm) in page
    assert option(seller) not in page
    assert refused.status_code == 200
    assert "four eyes" in refused.content.decode()
    assert not Handoff.objects.exists()


def test_the_accept_button_refuses_the_owner_with_a_message(client_as, own_handoff, seller):
    response = client_as(seller).post(reverse("handoff:handoff_accept", args=[own_handoff.pk]))

    assert response.status_code == 302
    assert any("four eyes" in message for message in messages_of(response))
    assert unchanged(own_handoff)


def test_the_return_form_refuses_the_owner_with_a_message(client_as, own_handoff, seller):
    response = client_as(seller).post(
        reverse("handoff:handoff_return", args=[own_handoff.pk]), {"reason": "Missing detail"}, **HTMX
    )

    assert response.status_code == 200
    assert "four eyes" in response.content.decode()
    assert unchanged(own_handoff)


def test_the_handoff_page_shows_the_owner_no_accept_button(client_as, own_handoff, seller, pm):
    url = reverse("handoff:handoff_detail", args=[own_handoff.pk])
    accept = reverse("handoff:handoff_accept", args=[own_handoff.pk])

    assert accept not in client_as(seller).get(url).content.decode()
    assert accept in client_as(pm).get(url).content.decode()


def test_the_reassign_form_does_not_offer_the_owner(client_as, own_handoff, seller, pm, manager):
    browser = client_as(manager)
    url = reverse("handoff:handoff_reassign", args=[own_handoff.pk])

    page = browser.get(url, **HTMX).content.decode()
    refused = browser.post(url, {"pm": seller.pk}, **HTMX)

    assert option(pm) in page
    assert option(seller) not in page
    assert refused.status_code == 200
    assert "four eyes" in refused.content.decode()
    assert unchanged(own_handoff)
