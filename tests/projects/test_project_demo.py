"""projects.demo.seed: handoffs in every state and projects in several statuses, idempotent."""

from __future__ import annotations

import pytest

from accounts import demo as accounts_demo
from handoff.models import Handoff, HandoffSnapshot
from projects import demo
from projects.models import Meeting, Project

pytestmark = pytest.mark.django_db


def test_it_seeds_handoffs_in_every_state_and_projects_in_several_statuses():
    accounts_demo.seed()

    demo.seed()

    assert set(Handoff.objects.values_list("status", flat=True)) == {"pending", "returned", "accepted"}
    assert HandoffSnapshot.objects.filter(version=2).exists()
    assert Handoff.objects.filter(pm__isnull=True).exists()
    assert {"planning", "active", "on_hold", "completed"} <= set(Project.objects.values_list("status", flat=True))
    assert {"on_track", "at_risk", "off_track"} <= set(Project.objects.values_list("health", flat=True))
    assert Meeting.objects.filter(kind="kickoff").exists()


def test_it_is_idempotent():
    accounts_demo.seed()
    demo.seed()
    counts = (Handoff.objects.count(), Project.objects.count(), HandoffSnapshot.objects.count())

    demo.seed()

    assert (Handoff.objects.count(), Project.objects.count(), HandoffSnapshot.objects.count()) == counts


def test_it_does_nothing_without_the_demo_users():
    demo.seed()

    assert not Handoff.objects.exists()


def test_it_seeds_project_risks_that_moved_since_the_sale():
    from projects.models import ProjectRisk

    accounts_demo.seed()
    demo.seed()
    before = sorted(ProjectRisk.objects.values_list("status", flat=True))

    demo.seed()

    assert {"open", "mitigated", "occurred", "closed"} <= set(before)
    assert sorted(ProjectRisk.objects.values_list("status", flat=True)) == before
    rescored = ProjectRisk.objects.get(status="mitigated")
    assert (rescored.sold_score, rescored.score) == (16, 8)
    assert ProjectRisk.objects.filter(sold_probability__isnull=True, created_by__isnull=False).exists()


def test_it_seeds_an_active_client_link_and_prints_it_every_run():
    import io

    from projects.models import ClientLink
    from projects.services.client_links import client_link_resolve, demo_token

    accounts_demo.seed()
    out = io.StringIO()
    demo.seed(stdout=out)
    assert f"/c/{demo_token()}/" in out.getvalue()
    link = client_link_resolve(demo_token())
    ClientLink.objects.filter(pk=link.pk).update(revoked_at=link.created_at)

    again = io.StringIO()
    demo.seed(stdout=again)

    assert f"/c/{demo_token()}/" in again.getvalue()
    assert client_link_resolve(demo_token()).pk == link.pk and ClientLink.objects.count() == 1
