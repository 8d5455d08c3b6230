"""The handoff pages: list, one-screen detail, the Win/Accept/Return/Resubmit/Reassign buttons and their messages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from handoff.forms import OfferForm
from handoff.models import Handoff, HandoffStatus, Offer, OfferStatus
from handoff.services.handoffs import handoff_accept, handoff_resubmit, handoff_return
from handoff.services.offers import offer_update
from projects.models import Project
from tests.projects.factories import sent_offer, won_handoff

pytestmark = pytest.mark.django_db

# Pinned query counts (session, user with roles and unread count, the page's own reads).
LIST_QUERIES = 5
DETAIL_QUERIES = 5

HTMX = {"HTTP_HX_REQUEST": "true"}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def detail(handoff: Handoff) -> str:
    return reverse("handoff:handoff_detail", args=[handoff.pk])


# --- List ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees"),
    [("rep", True), ("other_rep", False), ("pm", True), ("other_pm", True), ("manager", True), ("outsider", False)],
)
def test_the_list_shows_each_persona_their_handoffs(persona, sees, request, client_as, rep, pm):
    won_handoff(owner=rep, reviewer=pm, title="Warehouse scanning")

    response = client_as(request.getfixturevalue(persona)).get(reverse("handoff:handoff_list"))

    assert response.status_code == 200
    assert ("Warehouse scanning" in response.content.decode()) is sees


def test_the_list_has_an_empty_state(client_as, rep):
    response = client_as(rep).get(reverse("handoff:handoff_list"))

    assert "No handoffs here" in response.content.decode()


def test_the_list_filters_by_status(client_as, rep, pm, manager):
    won_handoff(owner=rep, reviewer=pm, title="Still pending")
    returned = won_handoff(owner=rep, reviewer=pm, title="Sent back")
    handoff_return(handoff=returned, actor=pm, reason="Fix")

    page = client_as(manager).get(reverse("handoff:handoff_list"), {"status": "returned"}).content.decode()

    assert "Sent back" in page
    assert "Still pending" not in page


def test_the_list_answers_htmx_with_the_table_only(client_as, rep, pm):
    won_handoff(owner=rep, reviewer=pm)

    response = client_as(pm).get(reverse("handoff:handoff_list"), **HTMX)

    assert "<html" not in response.content.decode()
    assert "ERP roll-out" in response.content.decode()


def test_the_list_query_count_is_pinned_and_does_not_grow(client_as, rep, pm, manager, django_assert_num_queries):
    won_handoff(owner=rep, reviewer=pm, title="First")
    client = client_as(manager)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("handoff:handoff_list"))
    for index in range(20):
        won_handoff(owner=rep, reviewer=pm, title=f"More {index}", with_contacts=False)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(reverse("handoff:handoff_list"))

    assert "More 19" in response.content.decode()


def test_anonymous_is_sent_to_login(client, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client.get(detail(handoff))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- Detail -------------------------------------------------------------------------------------
def test_the_page_shows_everything_the_pm_needs(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    page = client_as(pm).get(detail(handoff)).content.decode()

    for text in (
        "ERP roll-out",
        "€48,000.00",
        "Go-live before 1 March",
        "Risky",
        "Legacy interfaces undocumented",
        ">12<",
        "60.0 person-days",
        "Design signed off",
        "The CFO and the plant manager disagree",
        "Carla CEO",
        "Ivan IT",
        "Within SLA",
        "2 working days",
    ):
        assert text in page, text
    assert "competitor" not in page


@pytest.mark.parametrize("persona", ["other_rep", "outsider"])
def test_the_page_is_404_for_who_may_not_see_it(persona, request, client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert client_as(request.getfixturevalue(persona)).get(detail(handoff)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "buttons"),
    [
        ("pm", {"accept", "return"}),
        ("rep", set()),
        ("manager", {"reassign"}),
    ],
)
def test_the_buttons_show_only_for_who_may_act(persona, buttons, request, client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    page = client_as(request.getfixturevalue(persona)).get(detail(handoff)).content.decode()

    shown = {name for name in ("accept", "return", "resubmit", "reassign") if f'data-testid="{name}"' in page}
    assert shown == buttons


def test_the_rep_gets_the_resubmit_button_on_a_returned_handoff(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="The dates do not work")

    page = client_as(rep).get(detail(handoff)).content.decode()

    assert 'data-testid="resubmit"' in page
    assert "The dates do not work" in page


def test_the_detail_query_count_is_pinned(client_as, rep, pm, django_assert_num_queries):
    handoff = won_handoff(owner=rep, reviewer=pm)
    client = client_as(pm)

    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(handoff))


def test_the_detail_query_count_does_not_grow_with_versions(client_as, rep, pm, django_assert_num_queries):
    handoff = won_handoff(owner=rep, reviewer=pm)
    for _ in range(5):
        handoff_return(handoff=handoff, actor=pm, reason="Again")
        handoff_resubmit(handoff=handoff, actor=rep)
    client = client_as(pm)

    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(detail(handoff))


# --- Diff ----------------------------------------------------------------------------------------
def _resubmitted(rep, pm) -> Handoff:
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Value too low")
    offer_update(offer=handoff.offer, actor=rep, version=handoff.offer.version, data={"value": Decimal("51000.00")})
    handoff_resubmit(handoff=handoff, actor=rep)
    return handoff


def test_a_resubmitted_handoff_shows_the_diff(client_as, rep, pm):
    handoff = _resubmitted(rep, pm)

    page = client_as(pm).get(detail(handoff)).content.decode()

    assert "What changed: v1 → v2" in page
    assert "€48,000.00" in page
    assert "€51,000.00" in page


def test_the_version_picker_answers_htmx_with_the_diff_only(client_as, rep, pm):
    handoff = _resubmitted(rep, pm)

    response = client_as(pm).get(detail(handoff), {"fragment": "diff", "from": "2", "to": "2"}, **HTMX)

    content = response.content.decode()
    assert "<html" not in content
    assert "Pick two different versions" in content


def test_the_page_can_show_an_older_version(client_as, rep, pm):
    handoff = _resubmitted(rep, pm)

    page = client_as(pm).get(detail(handoff), {"version": "1"}).content.decode()

    assert "Showing version 1 of 2" in page


# --- Win -----------------------------------------------------------------------------------------
def test_the_win_modal_offers_the_pms(client_as, rep, pm, other_pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    response = client_as(rep).get(reverse("handoff:offer_win", args=[offer.pk]), **HTMX)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Paula Manager" in content
    assert "Peter Planner" in content


def test_winning_redirects_to_the_handoff(client_as, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    response = client_as(rep).post(reverse("handoff:offer_win", args=[offer.pk]), {"pm": ""})

    handoff = Handoff.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(handoff)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.WON


def test_winning_from_the_modal_redirects_through_htmx(client_as, rep, pm, other_pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    response = client_as(rep).post(reverse("handoff:offer_win", args=[offer.pk]), {"pm": other_pm.pk}, **HTMX)

    assert response["HX-Redirect"] == detail(Handoff.objects.get())
    assert Handoff.objects.get().pm == other_pm


def test_winning_a_lost_offer_shows_the_refusal_in_the_modal(client_as, rep):
    offer = sent_offer(owner=rep)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.LOST)

    response = client_as(rep).post(reverse("handoff:offer_win", args=[offer.pk]), {}, **HTMX)

    assert "Only a sent offer can be won" in response.content.decode()
    assert not Handoff.objects.exists()


def test_another_rep_cannot_win(client_as, rep, other_rep):
    offer = sent_offer(owner=rep)

    response = client_as(other_rep).post(reverse("handoff:offer_win", args=[offer.pk]), {})

    assert response.status_code == 403
    assert not Handoff.objects.exists()


# --- Accept, return, resubmit, reassign ----------------------------------------------------------
def test_accepting_goes_to_the_new_project(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client_as(pm).post(reverse("handoff:handoff_accept", args=[handoff.pk]))

    project = Project.objects.get()
    assert response["Location"] == reverse("projects:detail", args=[project.pk])


def test_a_second_accept_shows_a_message_and_makes_no_project(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)

    response = client_as(pm).post(reverse("handoff:handoff_accept", args=[handoff.pk]))

    assert response.status_code == 302
    assert response["Location"] == detail(handoff)
    assert any("only a pending handoff can be accepted" in text for text in messages_of(response))
    assert Project.objects.count() == 1


def test_the_rep_cannot_accept(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert client_as(rep).post(reverse("handoff:handoff_accept", args=[handoff.pk])).status_code == 403


def test_returning_needs_a_reason_in_the_modal(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client_as(pm).post(reverse("handoff:handoff_return", args=[handoff.pk]), {"reason": "  "}, **HTMX)

    assert "This field is required" in response.content.decode()
    assert Handoff.objects.get().status == HandoffStatus.PENDING


def test_returning_with_a_reason_redirects_back(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client_as(pm).post(reverse("handoff:handoff_return", args=[handoff.pk]), {"reason": "Dates"}, **HTMX)

    assert response["HX-Redirect"] == detail(handoff)
    assert Handoff.objects.get().return_reason == "Dates"


def test_returning_an_accepted_handoff_shows_the_refusal(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_accept(handoff=handoff, actor=pm)

    response = client_as(pm).post(reverse("handoff:handoff_return", args=[handoff.pk]), {"reason": "Late"})

    assert any("only a pending handoff can be returned" in text for text in messages_of(response))


def test_resubmitting_a_pending_handoff_shows_the_refusal(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client_as(rep).post(reverse("handoff:handoff_resubmit", args=[handoff.pk]))

    assert any("only a returned handoff can be resubmitted" in text for text in messages_of(response))
    assert Handoff.objects.get().snapshots.count() == 1


def test_the_rep_resubmits(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Fix")

    response = client_as(rep).post(reverse("handoff:handoff_resubmit", args=[handoff.pk]))

    assert response["Location"] == detail(handoff)
    assert Handoff.objects.get().status == HandoffStatus.PENDING


def test_a_manager_reassigns_from_the_modal(client_as, rep, pm, other_pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)
    client = client_as(manager)

    assert (
        "Peter Planner" in client.get(reverse("handoff:handoff_reassign", args=[handoff.pk]), **HTMX).content.decode()
    )
    response = client.post(reverse("handoff:handoff_reassign", args=[handoff.pk]), {"pm": other_pm.pk}, **HTMX)

    assert response["HX-Redirect"] == detail(handoff)
    assert Handoff.objects.get().pm == other_pm


def test_a_pm_cannot_reassign(client_as, rep, pm, other_pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = client_as(pm).post(reverse("handoff:handoff_reassign", args=[handoff.pk]), {"pm": other_pm.pk})

    assert response.status_code == 403
    assert Handoff.objects.get().pm == pm


# --- The offer page's handoff slot ------------------------------------------------------------
def test_the_offer_page_gives_its_owner_the_win_button(client_as, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    page = client_as(rep).get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()

    assert 'data-testid="win"' in page
    assert reverse("handoff:offer_win", args=[offer.pk]) in page


@pytest.mark.parametrize("persona", ["other_rep", "pm", "manager"])
def test_the_offer_page_gives_nobody_else_the_win_button(persona, request, client_as, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    page = client_as(request.getfixturevalue(persona)).get(reverse("handoff:offer_detail", args=[offer.pk]))

    assert 'data-testid="win"' not in page.content.decode()


def test_a_won_offer_links_to_its_handoff(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    page = client_as(rep).get(reverse("handoff:offer_detail", args=[handoff.offer_id])).content.decode()

    assert 'data-testid="win"' not in page
    assert detail(handoff) in page


def test_a_won_offer_page_pins_its_queries_handoff_included(client_as, rep, pm, manager, django_assert_num_queries):
    handoff = won_handoff(owner=rep, reviewer=pm)
    url = reverse("handoff:offer_detail", args=[handoff.offer_id])
    for user in (rep, manager):
        client = client_as(user)
        client.get(url)  # warm the content type cache
        # session, user, the offer with its handoff, reviews, risks, decision makers, commitments,
        # the activity log: the handoff slot and "returned for fixing" read the handoff loaded with
        # the offer; the client's lessons are a projects panel loaded with hx-get
        with django_assert_num_queries(8):
            page = client.get(url).content.decode()
        assert detail(handoff) in page


def test_a_won_offer_links_its_handoff_only_for_those_who_may_open_it(
    client_as, rep, other_rep, pm, other_pm, outsider
):
    """The offer page's handoff slot reads the handoff loaded with the offer; the scope is handoffs_visible_to's."""
    handoff = won_handoff(owner=rep, reviewer=pm)
    url = reverse("handoff:offer_detail", args=[handoff.offer_id])
    for user, sees in ((rep, True), (pm, True), (other_pm, True), (other_rep, False), (outsider, False)):
        response = client_as(user).get(url)
        if response.status_code != 200:
            assert not sees
            continue
        assert (detail(handoff) in response.content.decode()) is sees, user.username


# --- Fixing a returned offer ---------------------------------------------------------------------
def _edit_data(offer: Offer, **changes) -> dict:
    data = {key: "" if value is None else value for key, value in OfferForm.initial_for(offer).items()}
    data.update(changes)
    return data


def test_the_rep_fixes_a_returned_offer_on_its_pages_and_resubmits(client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Value too low")
    offer = Offer.objects.get(pk=handoff.offer_id)
    client = client_as(rep)

    page = client.get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()
    assert reverse("handoff:offer_edit", args=[offer.pk]) in page
    assert 'id="id_commitment_text"' in page
    saved = client.post(reverse("handoff:offer_edit", args=[offer.pk]), _edit_data(offer, value="51000.00"))
    added = client.post(reverse("handoff:commitment_add", args=[offer.pk]), {"text": "Hypercare for 4 weeks"})
    resubmitted = client.post(reverse("handoff:handoff_resubmit", args=[handoff.pk]))

    assert saved.status_code == 302 and added.status_code == 302 and resubmitted.status_code == 302
    v2 = handoff.snapshots.get(version=2).data
    assert v2["offer"]["value"] == "51000.00"
    assert "Hypercare for 4 weeks" in {item["text"] for item in v2["commitments"]}


@pytest.mark.parametrize("stage", ["pending", "accepted"])
def test_the_edit_page_refuses_a_won_offer_whose_handoff_is_not_returned(stage, client_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    if stage == "accepted":
        handoff_accept(handoff=handoff, actor=pm)
    offer = Offer.objects.get(pk=handoff.offer_id)
    client = client_as(rep)

    page = client.get(reverse("handoff:offer_detail", args=[offer.pk])).content.decode()
    response = client.post(reverse("handoff:offer_edit", args=[offer.pk]), _edit_data(offer, value="1.00"))

    assert reverse("handoff:offer_edit", args=[offer.pk]) not in page
    assert response.status_code == 302
    assert "can no longer be changed" in " ".join(messages_of(response))
    assert Offer.objects.get(pk=offer.pk).value == Decimal("48000.00")
