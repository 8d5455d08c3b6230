"""Project risks stay alive (SPEC §7.3): the PM re-scores, moves (closing with a reason) and adds risks; what was
sold stays beside them; every bad input gets a clear error and changes nothing, in the service, the API and the page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.errors import TransitionNotAllowed
from core.models import Activity
from projects.models import ProjectRisk, ProjectStatus, RiskStatus
from projects.services.projects import project_update
from projects.services.risks import project_risk_add, project_risk_set_status, project_risk_update
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
API = "/api/v1/project-risks/"
OTHERS = ["rep", "manager", "other_pm", "outsider"]


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


@pytest.fixture
def risk(project):
    return project.risks.get(title="Legacy interfaces undocumented")


def state(risk: ProjectRisk) -> tuple:
    risk.refresh_from_db()
    return (risk.probability, risk.impact, risk.mitigation, risk.owner_id, risk.status, risk.closed_reason)


def risk_verbs(project) -> list[str]:
    return list(
        Activity.objects.filter(target_id=project.pk, verb__startswith="project_risk").values_list("verb", flat=True)
    )


def detail(project) -> str:
    return reverse("projects:detail", args=[project.pk])


# --- The accept copies what was sold -------------------------------------------------------------------------
def test_the_accept_keeps_the_sold_scores_beside_the_current_ones(project):
    risks = {risk.title: risk for risk in project.risks.all()}

    legacy = risks["Legacy interfaces undocumented"]
    assert (legacy.sold_probability, legacy.sold_impact, legacy.sold_score) == (3, 4, 12)
    assert (legacy.probability, legacy.impact, legacy.status) == (3, 4, RiskStatus.OPEN)
    assert risks["Key user on parental leave"].sold_score == 4


def test_re_scoring_leaves_the_sold_score_and_the_snapshot_alone(project, risk, pm):
    sold_before = project.snapshot.data["risks"]

    risk = project_risk_update(risk=risk, actor=pm, data={"probability": 1, "impact": "2"})

    assert (risk.probability, risk.impact, risk.score) == (1, 2, 2)
    assert (risk.sold_probability, risk.sold_impact, risk.sold_score) == (3, 4, 12)
    project.snapshot.refresh_from_db()
    assert project.snapshot.data["risks"] == sold_before
    assert risk_verbs(project) == ["project_risk_rescored"]


# --- Services --------------------------------------------------------------------------------------------------
def test_the_pm_adds_a_risk_that_was_not_sold(project, pm, rep):
    risk = project_risk_add(
        project=project, actor=pm, title="  Supplier insolvency  ", probability="2", impact=5, owner=rep.pk
    )

    assert (risk.title, risk.score, risk.status, risk.owner, risk.created_by) == (
        "Supplier insolvency",
        10,
        RiskStatus.OPEN,
        rep,
        pm,
    )
    assert not risk.was_sold and risk.sold_score is None
    assert risk_verbs(project) == ["project_risk_added"]


def test_the_pm_changes_mitigation_and_owner(risk, pm, rep):
    risk = project_risk_update(risk=risk, actor=pm, data={"mitigation": "  Ask for the docs in week 1 ", "owner": rep})

    assert (risk.mitigation, risk.owner) == ("Ask for the docs in week 1", rep)
    assert risk_verbs(risk.project) == ["project_risk_updated"]


@pytest.mark.parametrize(
    ("moves", "final"),
    [
        ([("mitigated", "")], "mitigated"),
        ([("occurred", "It happened in week 2")], "occurred"),
        ([("mitigated", ""), ("open", "The workaround failed")], "open"),
        ([("mitigated", ""), ("occurred", "")], "occurred"),
        ([("occurred", ""), ("closed", "Dealt with: interfaces rebuilt")], "closed"),
        ([("closed", "No longer relevant")], "closed"),
    ],
)
def test_a_risk_moves_along_its_transitions(risk, pm, moves, final):
    for status, reason in moves:
        risk = project_risk_set_status(risk=risk, actor=pm, status=status, reason=reason)

    assert risk.status == final
    assert len(risk_verbs(risk.project)) == len(moves)


def test_closing_records_who_when_and_why(risk, pm):
    risk = project_risk_set_status(risk=risk, actor=pm, status="closed", reason="  The interfaces are documented. ")

    assert (risk.closed_reason, risk.closed_by) == ("The interfaces are documented.", pm)
    assert risk.closed_at is not None
    assert risk_verbs(risk.project) == ["project_risk_closed"]


def test_closing_without_a_reason_is_refused_and_changes_nothing(risk, pm):
    before = state(risk)

    with pytest.raises(ValidationError) as refused:
        project_risk_set_status(risk=risk, actor=pm, status="closed", reason="   ")

    assert refused.value.message_dict == {"reason": ["Say why the risk is closed."]}
    assert state(risk) == before
    assert risk_verbs(risk.project) == []


def test_an_unknown_status_is_refused_with_the_choices(risk, pm):
    before = state(risk)

    with pytest.raises(ValidationError) as refused:
        project_risk_set_status(risk=risk, actor=pm, status="forgotten", reason="x")

    assert "open, mitigated, occurred, closed" in refused.value.message_dict["status"][0]
    assert state(risk) == before


@pytest.mark.parametrize(("path", "target"), [(["occurred"], "mitigated"), (["occurred"], "open"), ([], "open")])
def test_an_illegal_move_is_a_transition_error(risk, pm, path, target):
    for status in path:
        risk = project_risk_set_status(risk=risk, actor=pm, status=status)
    before = state(risk)

    if target == risk.status:
        assert project_risk_set_status(risk=risk, actor=pm, status=target).status == target  # no move, no error
        return
    with pytest.raises(TransitionNotAllowed, match="cannot become"):
        project_risk_set_status(risk=risk, actor=pm, status=target)
    assert state(risk) == before


def test_a_closed_risk_no_longer_changes(risk, pm):
    risk = project_risk_set_status(risk=risk, actor=pm, status="closed", reason="Gone")
    before = state(risk)

    with pytest.raises(TransitionNotAllowed, match="closed"):
        project_risk_update(risk=risk, actor=pm, data={"probability": 1})
    with pytest.raises(TransitionNotAllowed):
        project_risk_set_status(risk=risk, actor=pm, status="open", reason="Back")
    assert state(risk) == before


@pytest.mark.parametrize("value", [0, 6, -1, "7", "x", "", None, True, 2.5, "3.0", "1000"])
def test_scores_outside_one_to_five_are_refused(risk, pm, value):
    before = state(risk)

    with pytest.raises(ValidationError) as refused:
        project_risk_update(risk=risk, actor=pm, data={"probability": 2, "impact": value})

    assert set(refused.value.message_dict) == {"impact"}
    assert "1" in refused.value.message_dict["impact"][0] and "5" in refused.value.message_dict["impact"][0]
    assert state(risk) == before


def test_a_new_risk_with_bad_input_is_refused_field_by_field(project, pm):
    before = ProjectRisk.objects.count()

    with pytest.raises(ValidationError) as refused:
        project_risk_add(project=project, actor=pm, title=" ", probability=0, impact=9, category="weather", owner=10**9)

    assert set(refused.value.message_dict) == {"title", "probability", "impact", "category", "owner"}
    assert ProjectRisk.objects.count() == before


@pytest.mark.parametrize("persona", OTHERS)
def test_only_the_projects_pm_manages_its_risks(request, persona, project, risk):
    actor = request.getfixturevalue(persona)
    before, count = state(risk), ProjectRisk.objects.count()

    with pytest.raises(PermissionDenied):
        project_risk_add(project=project, actor=actor, title="Mine", probability=1, impact=1)
    with pytest.raises(PermissionDenied):
        project_risk_update(risk=risk, actor=actor, data={"probability": 1})
    with pytest.raises(PermissionDenied):
        project_risk_set_status(risk=risk, actor=actor, status="closed", reason="Not mine to close")

    assert (state(risk), ProjectRisk.objects.count()) == (before, count)


def test_a_closed_projects_risks_no_longer_change(project, risk, pm):
    for status in ("active", "completed"):
        data = {"status": status} if status == "active" else {"status": status, "actual_effort_days": "20.0"}
        project = project_update(project=project, actor=pm, data=data, version=project.version)

    with pytest.raises(TransitionNotAllowed, match="completed"):
        project_risk_set_status(risk=risk, actor=pm, status="mitigated")
    with pytest.raises(TransitionNotAllowed):
        project_risk_add(project=project, actor=pm, title="Late", probability=1, impact=1)
    assert project.status == ProjectStatus.COMPLETED


# --- API -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["rep", "pm", "manager", "other_rep"])
def test_every_signed_in_user_reads_project_risks(persona, request, api_as, project):
    body = api_as(request.getfixturevalue(persona)).get(API, {"project": project.pk}).json()

    assert {(row["title"], row["score"], row["sold_score"]) for row in body["results"]} == {
        ("Legacy interfaces undocumented", 12, 12),
        ("Key user on parental leave", 4, 4),
    }


def test_the_api_filters_by_project_and_status(api_as, project, risk, pm, rep):
    other = accepted_project(owner=rep, pm=pm, title="Second project")
    project_risk_set_status(risk=risk, actor=pm, status="mitigated")
    client = api_as(rep)

    mitigated = client.get(API, {"project": project.pk, "status": "mitigated"}).json()
    everything = client.get(API).json()
    unknown = client.get(API, {"status": "forgotten"})

    assert [row["id"] for row in mitigated["results"]] == [risk.pk]
    assert everything["count"] == 4 and other.risks.count() == 2
    assert unknown.status_code == 400 and "status" in unknown.json()


def test_the_api_adds_re_scores_and_closes_a_risk(api_as, project, pm, rep):
    client = api_as(pm)

    created = client.post(
        API,
        {"project": project.pk, "title": "Supplier insolvency", "probability": 2, "impact": 5, "owner": rep.pk},
        format="json",
    )
    url = f"{API}{created.json()['id']}/"
    rescored = client.patch(url, {"probability": 4, "mitigation": "Second supplier"}, format="json")
    closed = client.patch(url, {"status": "closed", "reason": "The supplier was replaced."}, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "open"
    assert (created.json()["owner"], created.json()["sold_score"], created.json()["created_by"]) == (
        rep.pk,
        None,
        pm.pk,
    )
    assert (rescored.status_code, rescored.json()["score"], rescored.json()["mitigation"]) == (
        200,
        20,
        "Second supplier",
    )
    body = closed.json()
    assert (body["status"], body["closed_reason"], body["closed_by"]) == ("closed", "The supplier was replaced.", pm.pk)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "forgotten"}, "status"),
        ({"status": "closed"}, "reason"),
        ({"status": "closed", "reason": "  "}, "reason"),
        ({"probability": 0}, "probability"),
        ({"impact": 6}, "impact"),
        ({"impact": "high"}, "impact"),
        ({"owner": 10**9}, "owner"),
        ({"reason": "Why not"}, "reason"),
        ({"probability": 2, "status": "closed"}, "reason"),  # the re-score sent with it is undone too
    ],
)
def test_the_api_answers_400_to_bad_input_and_changes_nothing(api_as, risk, pm, payload, field):
    before = state(risk)

    response = api_as(pm).patch(f"{API}{risk.pk}/", payload, format="json")

    assert response.status_code == 400, response.json()
    assert field in response.json() and response.json()[field][0]
    assert state(risk) == before
    assert risk_verbs(risk.project) == []


def test_the_api_says_which_status_is_unknown(api_as, risk, pm):
    response = api_as(pm).patch(f"{API}{risk.pk}/", {"status": "forgotten"}, format="json")

    assert "forgotten" in response.json()["status"][0] and "mitigated" in response.json()["status"][0]


def test_the_api_answers_409_to_an_illegal_move(api_as, risk, pm):
    client = api_as(pm)
    client.patch(f"{API}{risk.pk}/", {"status": "occurred", "reason": "It happened."}, format="json")
    before = state(risk)

    response = client.patch(f"{API}{risk.pk}/", {"status": "mitigated", "probability": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "illegal_transition"
    assert state(risk) == before


@pytest.mark.parametrize("persona", OTHERS)
def test_the_api_refuses_others_the_pms_writes(persona, request, api_as, project, risk):
    client = api_as(request.getfixturevalue(persona))
    before, count = state(risk), ProjectRisk.objects.count()

    created = client.post(API, {"project": project.pk, "title": "Mine", "probability": 1, "impact": 1}, format="json")
    patched = client.patch(f"{API}{risk.pk}/", {"status": "closed", "reason": "Not mine"}, format="json")

    assert (created.status_code, patched.status_code) == (403, 403)
    assert (state(risk), ProjectRisk.objects.count()) == (before, count)


def test_anonymous_gets_no_risks(api, risk):
    assert api.get(API).status_code in (401, 403)


def test_the_api_list_query_count_does_not_grow(api_as, project, pm, rep, django_assert_num_queries):
    client = api_as(rep)
    client.get(API)
    with django_assert_num_queries(4):  # session, user, count, rows
        assert client.get(API).status_code == 200
    for index in range(10):
        project_risk_add(project=project, actor=pm, title=f"Risk {index}", probability=1, impact=1, owner=rep)
    with django_assert_num_queries(4):
        assert client.get(API).json()["count"] == 12


def test_the_schema_documents_project_risks(api_as, pm):
    schema = api_as(pm).get("/api/schema/").content.decode()

    assert "/api/v1/project-risks/{id}/" in schema
    assert "project-risks" in schema and "ProjectRiskUpdate" in schema


# --- The project page ----------------------------------------------------------------------------------------------
def test_the_page_shows_the_sold_score_beside_the_current_one(client_as, project, risk, pm, rep):
    project_risk_update(risk=risk, actor=pm, data={"probability": 1})

    html = client_as(rep).get(detail(project)).content.decode()

    assert 'id="project-risks"' in html
    row = html[html.index(f'id="project-risk-{risk.pk}"') :]
    times = "\u00d7"
    assert f"3 {times} 4 =" in row[: row.index("</tr>")] and f"1 {times} 4 =" in row[: row.index("</tr>")]
    assert 'data-testid="risk-rescore"' not in html  # the rep reads, the PM manages


def test_the_pm_gets_the_inline_forms(client_as, project, pm):
    html = client_as(pm).get(detail(project)).content.decode()

    for testid in ("risk-rescore", "risk-status", "risk-reason", "add-project-risk"):
        assert f'data-testid="{testid}"' in html


def test_the_page_heatmap_shows_open_risks_only(client_as, project, risk, pm):
    project_risk_set_status(risk=risk, actor=pm, status="mitigated")

    html = client_as(pm).get(detail(project)).content.decode()
    heatmap = html[html.index('class="heatmap"') : html.index("</figure>")]

    assert "Key user on parental leave" in heatmap and "Legacy interfaces undocumented" not in heatmap


def test_the_page_re_scores_inline(client_as, risk, pm):
    response = client_as(pm).post(
        reverse("projects:risk_rescore", args=[risk.pk]), {"probability": "5", "impact": "5"}, **HTMX
    )

    assert response.status_code == 200
    assert 'id="project-risks"' in response.content.decode() and "now scores 5 x 5 = 25" in response.content.decode()
    assert state(risk)[:2] == (5, 5)


@pytest.mark.parametrize(
    ("url_name", "data", "message"),
    [
        ("projects:risk_rescore", {"probability": "9", "impact": "2"}, "from 1 (lowest) to 5 (highest), not 9"),
        ("projects:risk_rescore", {"probability": "", "impact": "2"}, "whole number from 1 to 5"),
        ("projects:risk_status", {"status": "forgotten", "reason": ""}, "Unknown risk status"),
        ("projects:risk_status", {"status": "closed", "reason": ""}, "Say why the risk is closed."),
        ("projects:risk_status", {"status": "occurred"}, None),  # legal: the control case
    ],
)
def test_the_page_says_what_is_wrong_and_changes_nothing(client_as, risk, pm, url_name, data, message):
    before = state(risk)

    response = client_as(pm).post(reverse(url_name, args=[risk.pk]), data, **HTMX)

    assert response.status_code == 200
    if message is None:
        assert state(risk)[4] == "occurred"
        return
    assert message in response.content.decode()
    assert state(risk) == before


def test_the_page_closes_with_a_reason(client_as, risk, pm):
    response = client_as(pm).post(
        reverse("projects:risk_status", args=[risk.pk]), {"status": "closed", "reason": "Documented now."}
    )

    assert response.status_code == 302 and response["Location"].endswith("#project-risks")
    assert state(risk)[4:] == ("closed", "Documented now.")


def test_the_page_adds_a_risk_owned_by_the_pm(client_as, project, pm):
    data = {
        "risk-title": "Supplier insolvency",
        "risk-category": "other",
        "risk-probability": "2",
        "risk-impact": "3",
        "risk-mitigation": "",
    }

    response = client_as(pm).post(reverse("projects:risk_add", args=[project.pk]), data, **HTMX)

    assert response.status_code == 200 and "Supplier insolvency" in response.content.decode()
    added = project.risks.get(title="Supplier insolvency")
    assert (added.owner, added.created_by, added.score) == (pm, pm, 6)


def test_the_page_refuses_a_new_risk_with_a_score_outside_the_range(client_as, project, pm):
    count = ProjectRisk.objects.count()
    data = {"risk-title": "Too big", "risk-category": "other", "risk-probability": "6", "risk-impact": "3"}

    response = client_as(pm).post(reverse("projects:risk_add", args=[project.pk]), data, **HTMX)

    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert ProjectRisk.objects.count() == count


def test_the_page_edits_mitigation_and_owner_in_the_modal(client_as, risk, pm, rep):
    client = client_as(pm)
    url = reverse("projects:risk_edit", args=[risk.pk])

    assert client.get(url, **HTMX).status_code == 200
    response = client.post(url, {"probability": "2", "impact": "4", "mitigation": "Workshops", "owner": rep.pk}, **HTMX)

    assert response.status_code == 200
    assert state(risk)[:4] == (2, 4, "Workshops", rep.pk)


@pytest.mark.parametrize("persona", OTHERS)
def test_the_page_refuses_others_and_changes_nothing(client_as, request, persona, project, risk):
    client = client_as(request.getfixturevalue(persona))
    before, count = state(risk), ProjectRisk.objects.count()

    answers = [
        client.post(reverse("projects:risk_rescore", args=[risk.pk]), {"probability": "1", "impact": "1"}).status_code,
        client.post(reverse("projects:risk_status", args=[risk.pk]), {"status": "closed", "reason": "x"}).status_code,
        client.post(reverse("projects:risk_edit", args=[risk.pk]), {"probability": "1", "impact": "1"}).status_code,
        client.post(
            reverse("projects:risk_add", args=[project.pk]),
            {"risk-title": "Mine", "risk-category": "other", "risk-probability": "1", "risk-impact": "1"},
        ).status_code,
    ]

    assert answers == [403, 403, 403, 403]
    assert (state(risk), ProjectRisk.objects.count()) == (before, count)


# --- The migration's data step -------------------------------------------------------------------------------------
def test_the_migration_fills_the_sold_scores_from_the_snapshot(project, risk):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("projects.migrations.0004_project_risks_alive")
    ProjectRisk.objects.filter(project=project).update(sold_probability=None, sold_impact=None)
    ProjectRisk.objects.filter(pk=risk.pk).update(probability=1, source=None)  # changed in the admin, source gone
    unsold = ProjectRisk.objects.create(project=project, title="Typed into the admin", probability=2, impact=5)

    migration.fill_sold_scores(apps, None)

    risk.refresh_from_db()
    unsold.refresh_from_db()
    assert (risk.sold_probability, risk.sold_impact, risk.probability) == (3, 4, 1)  # matched by title
    assert project.risks.get(title="Key user on parental leave").sold_score == 4  # matched by source
    assert (unsold.sold_probability, unsold.sold_impact) == (2, 5)  # not in the snapshot: as it stands
