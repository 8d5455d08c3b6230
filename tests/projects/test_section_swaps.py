"""An htmx change on the project page answers with its section and the out-of-band parts (sold vs now, budget,
timeline, messages) only: it reads what those show, not the whole page's context (issue 16, part 3).

Each swap's query count is pinned (the whole request: session, user, the write, the section) and does not grow
with the rows of the other sections.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ProjectCommitment
from projects.services.followups import follow_up_raise
from projects.services.meetings import meeting_create
from projects.services.risks import project_risk_add
from tests.projects.factories import DeliverableFactory, accepted_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

# session, user (roles, unread count), the project (one row with its people and snapshot), the write's own
# queries, then the section: the project's commitments, risks, deliverables, change requests with their
# approvals, and the timeline.
# Measured after one warm-up request (content types cached). Before the swaps stopped rebuilding the whole
# page's context they were 29, 28, 28 and 28.
RAISE_CHANGE_QUERIES = 17
SUBMIT_DELIVERABLE_QUERIES = 17
COMMITMENT_STATUS_QUERIES = 17
RESCORE_RISK_QUERIES = 17


@pytest.fixture
def project(rep, pm):
    return accepted_project(owner=rep, pm=pm)


def _post(client, url: str, data: dict) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, **HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" not in content
    assert 'id="sold-vs-now-table" class="table-wrap" hx-swap-oob="true"' in content
    assert 'id="project-timeline" hx-swap-oob="true"' in content
    return len(queries), content


def _grow_the_rest(project, pm) -> None:
    """Rows in every other part of the page: meetings, follow-ups, more deliverables and commitments."""
    for index in range(5):
        meeting_create(
            project=project,
            actor=pm,
            data={
                "title": f"Weekly {index}",
                "starts_at": project.created_at,
                "duration_minutes": 30,
                "attendees": [pm],
            },
        )
        follow_up_raise(project=project, actor=pm, title=f"Idea {index}")
        DeliverableFactory(project=project, name=f"Extra {index}")
        ProjectCommitment.objects.create(project=project, text=f"Promise {index}")


def test_raising_a_change_reads_only_its_section(client_as, project, pm):
    client = client_as(pm)
    url = reverse("projects:change_request_raise", args=[project.pk])
    _post(client, url, {"title": "Warm-up", "cost_impact": "0", "schedule_impact_days": 1})
    count, content = _post(client, url, {"title": "One", "cost_impact": "0", "schedule_impact_days": 1})

    assert 'id="change-requests"' in content
    assert count == RAISE_CHANGE_QUERIES
    _grow_the_rest(project, pm)
    assert _post(client, url, {"title": "Two", "cost_impact": "0", "schedule_impact_days": 1})[0] == count


def test_submitting_a_deliverable_reads_only_its_section(client_as, project, pm):
    client = client_as(pm)
    warm_up, first, second = (DeliverableFactory(project=project) for _ in range(3))
    _post(client, reverse("projects:deliverable_submit", args=[warm_up.pk]), {})
    count, content = _post(client, reverse("projects:deliverable_submit", args=[first.pk]), {})

    assert 'id="deliverables"' in content
    assert count == SUBMIT_DELIVERABLE_QUERIES
    _grow_the_rest(project, pm)
    assert _post(client, reverse("projects:deliverable_submit", args=[second.pk]), {})[0] == count


def test_moving_a_commitment_reads_only_its_section(client_as, project, pm):
    client = client_as(pm)
    warm_up, first, second = (ProjectCommitment.objects.create(project=project, text=text) for text in "ABC")
    _post(client, reverse("projects:commitment_status", args=[warm_up.pk]), {"status": "kept"})
    count, content = _post(client, reverse("projects:commitment_status", args=[first.pk]), {"status": "kept"})

    assert 'id="commitments"' in content
    assert count == COMMITMENT_STATUS_QUERIES
    _grow_the_rest(project, pm)
    assert _post(client, reverse("projects:commitment_status", args=[second.pk]), {"status": "kept"})[0] == count


def test_re_scoring_a_risk_reads_only_its_section(client_as, project, pm):
    client = client_as(pm)
    warm_up, first, second = (
        project_risk_add(project=project, actor=pm, owner=pm, title=f"Risk {name}", probability=3, impact=3)
        for name in "ABC"
    )
    _post(client, reverse("projects:risk_rescore", args=[warm_up.pk]), {"probability": "2", "impact": "2"})
    count, content = _post(
        client, reverse("projects:risk_rescore", args=[first.pk]), {"probability": "2", "impact": "2"}
    )

    assert 'id="project-risks"' in content
    assert count == RESCORE_RISK_QUERIES
    _grow_the_rest(project, pm)
    url = reverse("projects:risk_rescore", args=[second.pk])
    assert _post(client, url, {"probability": "2", "impact": "2"})[0] == count
