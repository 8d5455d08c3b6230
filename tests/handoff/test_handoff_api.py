"""The handoff API: /offers/{id}/win/ and /handoffs/ with accept, return, resubmit, reassign and snapshots."""

from __future__ import annotations

import pytest

from handoff.models import Handoff, HandoffStatus, Offer, OfferStatus
from handoff.services.handoffs import handoff_accept, handoff_return
from projects.models import Project
from tests.projects.factories import sent_offer, won_handoff

pytestmark = pytest.mark.django_db

# Pinned query counts: session, user with roles, count, rows (list) / row, latest snapshot (detail).
LIST_QUERIES = 4
DETAIL_QUERIES = 4


# --- Win -----------------------------------------------------------------------------------
def test_it_wins_an_offer_and_answers_with_the_handoff(api_as, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/win/", {}, format="json")

    assert response.status_code == 201
    handoff = Handoff.objects.get()
    assert response.json() == {"handoff": handoff.pk}
    assert handoff.pm == pm


def test_it_wins_with_the_chosen_pm(api_as, rep, pm, other_pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/win/", {"pm": other_pm.pk}, format="json")

    assert response.status_code == 201
    assert Handoff.objects.get().pm == other_pm


def test_it_answers_400_when_the_chosen_pm_is_not_a_pm(api_as, rep, other_rep):
    offer = sent_offer(owner=rep)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/win/", {"pm": other_rep.pk}, format="json")

    assert response.status_code == 400
    assert "pm" in response.json()
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SENT


def test_it_answers_409_when_the_offer_is_not_sent(api_as, rep):
    offer = sent_offer(owner=rep)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.DRAFT)

    response = api_as(rep).post(f"/api/v1/offers/{offer.pk}/win/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert response.json()["detail"]


@pytest.mark.parametrize("persona", ["other_rep", "pm", "manager", "outsider"])
def test_only_the_owner_may_win(persona, request, api_as, rep):
    offer = sent_offer(owner=rep)

    response = api_as(request.getfixturevalue(persona)).post(f"/api/v1/offers/{offer.pk}/win/", {}, format="json")

    assert response.status_code == 403
    assert not Handoff.objects.exists()


def test_anonymous_cannot_win(api, rep):
    offer = sent_offer(owner=rep)

    response = api.post(f"/api/v1/offers/{offer.pk}/win/", {}, format="json")

    assert response.status_code in (401, 403)


def test_it_answers_404_for_a_missing_offer(api_as, rep):
    assert api_as(rep).post("/api/v1/offers/999999/win/", {}, format="json").status_code == 404


# --- Reading ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("persona", "sees"),
    [("rep", True), ("other_rep", False), ("pm", True), ("other_pm", True), ("manager", True), ("outsider", False)],
)
def test_the_list_is_scoped_per_persona(persona, sees, request, api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(request.getfixturevalue(persona)).get("/api/v1/handoffs/")

    assert response.status_code == 200
    assert ([row["id"] for row in response.json()["results"]] == [handoff.pk]) is sees


def test_every_pm_sees_an_unassigned_handoff(api_as, rep, other_pm):
    handoff = won_handoff(owner=rep)

    response = api_as(other_pm).get("/api/v1/handoffs/")

    assert [row["id"] for row in response.json()["results"]] == [handoff.pk]


def test_a_handoff_someone_may_not_see_is_404(api_as, rep, pm, other_rep):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert api_as(other_rep).get(f"/api/v1/handoffs/{handoff.pk}/").status_code == 404
    assert api_as(other_rep).post(f"/api/v1/handoffs/{handoff.pk}/accept/").status_code == 404


def test_another_pm_reads_an_assigned_handoff_but_may_not_decide_it(api_as, rep, pm, other_pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    assert api_as(other_pm).get(f"/api/v1/handoffs/{handoff.pk}/").status_code == 200
    assert api_as(other_pm).post(f"/api/v1/handoffs/{handoff.pk}/accept/").status_code == 403
    handoff.refresh_from_db()
    assert handoff.status == "pending"


def test_the_pm_who_loses_the_race_for_an_unassigned_handoff_gets_409(api_as, rep, pm, other_pm):
    handoff = won_handoff(owner=rep)
    assert api_as(pm).post(f"/api/v1/handoffs/{handoff.pk}/accept/").status_code == 201

    response = api_as(other_pm).post(f"/api/v1/handoffs/{handoff.pk}/accept/")

    assert response.status_code == 409
    assert response.json()["code"]


def test_the_detail_carries_the_latest_snapshot_and_sla(api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    body = api_as(pm).get(f"/api/v1/handoffs/{handoff.pk}/").json()

    assert body["status"] == "pending"
    assert body["pm"] == pm.pk
    assert body["rep"] == rep.pk
    assert body["snapshot"]["version"] == 1
    assert body["snapshot"]["data"]["offer"]["value"] == "48000.00"
    assert "confidential_notes" not in body["snapshot"]["data"]["brief"]
    assert body["sla"]["limit_working_days"] == 2
    assert body["sla"]["overdue"] is False


def test_the_list_filters_by_status_and_pm(api_as, rep, pm, other_pm, manager):
    mine = won_handoff(owner=rep, reviewer=pm, title="One")
    theirs = won_handoff(owner=rep, reviewer=other_pm, title="Two")
    handoff_return(handoff=theirs, actor=other_pm, reason="Fix it")
    client = api_as(manager)

    assert [row["id"] for row in client.get(f"/api/v1/handoffs/?pm={pm.pk}").json()["results"]] == [mine.pk]
    assert [row["id"] for row in client.get("/api/v1/handoffs/?status=returned").json()["results"]] == [theirs.pk]
    assert client.get("/api/v1/handoffs/?status=nonsense").status_code == 400


def test_the_list_query_count_is_pinned_and_does_not_grow(api_as, rep, pm, manager, django_assert_num_queries):
    won_handoff(owner=rep, reviewer=pm, title="First")
    client = api_as(manager)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get("/api/v1/handoffs/").status_code == 200
    for index in range(20):
        won_handoff(owner=rep, reviewer=pm, title=f"More {index}", with_contacts=False)

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/api/v1/handoffs/")

    assert response.json()["count"] == 21


def test_the_detail_query_count_is_pinned(api_as, rep, pm, django_assert_num_queries):
    handoff = won_handoff(owner=rep, reviewer=pm)
    client = api_as(pm)

    with django_assert_num_queries(DETAIL_QUERIES):
        assert client.get(f"/api/v1/handoffs/{handoff.pk}/").status_code == 200


# --- Accept ----------------------------------------------------------------------------------
def test_it_accepts_and_answers_with_the_project(api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(pm).post(f"/api/v1/handoffs/{handoff.pk}/accept/")

    assert response.status_code == 201
    assert response.json() == {"project": Project.objects.get().pk}


def test_a_second_accept_is_409_and_makes_no_second_project(api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    client = api_as(pm)
    client.post(f"/api/v1/handoffs/{handoff.pk}/accept/")

    response = client.post(f"/api/v1/handoffs/{handoff.pk}/accept/")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert Project.objects.count() == 1


@pytest.mark.parametrize("persona", ["rep", "manager"])
def test_who_sees_but_may_not_accept_gets_403(persona, request, api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(request.getfixturevalue(persona)).post(f"/api/v1/handoffs/{handoff.pk}/accept/")

    assert response.status_code == 403
    assert not Project.objects.exists()


# --- Return, resubmit, reassign ------------------------------------------------------------------------
def test_it_returns_with_a_reason(api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(pm).post(f"/api/v1/handoffs/{handoff.pk}/return/", {"reason": "Dates"}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert response.json()["return_reason"] == "Dates"


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}])
def test_a_return_without_a_reason_is_400(body, api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(pm).post(f"/api/v1/handoffs/{handoff.pk}/return/", body, format="json")

    assert response.status_code == 400
    assert "reason" in response.json()
    assert Handoff.objects.get().status == HandoffStatus.PENDING


def test_it_resubmits_and_lists_the_versions_with_their_diff(api_as, rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Value")
    fixed = api_as(rep).patch(
        f"/api/v1/offers/{handoff.offer_id}/", {"value": "50000.00", "version": handoff.offer.version}, format="json"
    )
    assert fixed.status_code == 200

    response = api_as(rep).post(f"/api/v1/handoffs/{handoff.pk}/resubmit/")

    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    versions = api_as(pm).get(f"/api/v1/handoffs/{handoff.pk}/snapshots/").json()
    assert [item["version"] for item in versions] == [1, 2]
    assert versions[0]["changes_from_previous"] == []
    change = versions[1]["changes_from_previous"][0]
    assert (change["field"], change["old"], change["new"]) == ("value", "48000.00", "50000.00")
    only = api_as(pm).get(f"/api/v1/handoffs/{handoff.pk}/snapshots/?version=2").json()
    assert [item["version"] for item in only] == [2]


def test_it_reassigns(api_as, rep, pm, other_pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(manager).post(f"/api/v1/handoffs/{handoff.pk}/reassign/", {"pm": other_pm.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["pm"] == other_pm.pk


def test_reassigning_to_a_non_pm_is_400(api_as, rep, pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(manager).post(f"/api/v1/handoffs/{handoff.pk}/reassign/", {"pm": rep.pk}, format="json")

    assert response.status_code == 400
    assert Handoff.objects.get().pm == pm


@pytest.mark.parametrize(
    ("setup", "actor", "action", "body"),
    [
        ("accepted", "pm", "accept", {}),
        ("accepted", "pm", "return", {"reason": "late"}),
        ("accepted", "rep", "resubmit", {}),
        ("accepted", "manager", "reassign", {"pm": "other_pm"}),
        ("returned", "pm", "accept", {}),
        ("returned", "pm", "return", {"reason": "again"}),
        ("pending", "rep", "resubmit", {}),
    ],
)
def test_every_illegal_transition_is_409(setup, actor, action, body, request, api_as, rep, pm, other_pm, manager):
    handoff = won_handoff(owner=rep, reviewer=pm)
    if setup == "accepted":
        handoff_accept(handoff=handoff, actor=pm)
    elif setup == "returned":
        handoff_return(handoff=handoff, actor=pm, reason="Fix it")
    if body.get("pm") == "other_pm":
        body = {"pm": other_pm.pk}

    response = api_as(request.getfixturevalue(actor)).post(
        f"/api/v1/handoffs/{handoff.pk}/{action}/", body, format="json"
    )

    assert response.status_code == 409, response.content
    assert set(response.json()) >= {"detail", "code"}
    assert Project.objects.count() == (1 if setup == "accepted" else 0)


def test_the_schema_describes_the_handoff_and_project_endpoints():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator
    from rest_framework.routers import SimpleRouter

    from handoff.api.views import HandoffViewSet, OfferWinView
    from projects.api.views.meetings import MeetingViewSet
    from projects.api.views.projects import ProjectViewSet

    router = SimpleRouter()
    router.register("handoffs", HandoffViewSet, basename="handoff")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("meetings", MeetingViewSet, basename="meeting")
    patterns = [
        path("api/v1/offers/<int:pk>/win/", OfferWinView.as_view()),
        path("api/v1/", include(router.urls)),
    ]

    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    paths = schema["paths"]
    assert "201" in paths["/api/v1/offers/{id}/win/"]["post"]["responses"]
    assert "409" in paths["/api/v1/handoffs/{id}/accept/"]["post"]["responses"]
    for path_name in (
        "/api/v1/handoffs/{id}/return/",
        "/api/v1/handoffs/{id}/snapshots/",
        "/api/v1/meetings/{id}/ics/",
    ):
        assert path_name in paths
    assert "patch" in paths["/api/v1/projects/{id}/"]
