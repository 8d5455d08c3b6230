"""Exactly one project per handoff, whatever the concurrency (SPEC §6 "Exactly once"), on real PostgreSQL."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from core.errors import TransitionNotAllowed
from handoff.models import Handoff, HandoffStatus
from handoff.services.handoffs import handoff_accept
from projects.models import Project
from tests.projects.factories import won_handoff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLERS = 20


def run_concurrently(work) -> list:
    """Run ``work()`` in CALLERS threads released at once; each thread closes its own connection."""
    barrier = threading.Barrier(CALLERS)
    results: list = []
    lock = threading.Lock()

    def target() -> None:
        try:
            prepared = work.prepare()
            barrier.wait(timeout=30)
            outcome = work(prepared)
        except Exception as exc:  # the test asserts on what came back, including any surprise
            outcome = repr(exc)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=target) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


class ServiceAccept:
    def __init__(self, handoff_id: int, pm_id: int) -> None:
        self.handoff_id, self.pm_id = handoff_id, pm_id

    def prepare(self):
        return User.objects.get(pk=self.pm_id), Handoff.objects.get(pk=self.handoff_id)

    def __call__(self, prepared) -> str:
        pm, handoff = prepared
        try:
            handoff_accept(handoff=handoff, actor=pm)
        except TransitionNotAllowed as refusal:
            return f"refused: {refusal.code}"
        return "accepted"


class ApiAccept:
    def __init__(self, handoff_id: int, pm_id: int) -> None:
        self.handoff_id, self.pm_id = handoff_id, pm_id

    def prepare(self) -> APIClient:
        client = APIClient()
        client.force_authenticate(user=User.objects.get(pk=self.pm_id))
        return client

    def __call__(self, client: APIClient) -> int:
        return client.post(f"/api/v1/handoffs/{self.handoff_id}/accept/").status_code


def test_twenty_concurrent_accepts_through_the_service_make_one_project(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    results = run_concurrently(ServiceAccept(handoff.pk, pm.pk))

    assert Counter(results) == {"accepted": 1, "refused: illegal_transition": CALLERS - 1}, results
    assert Project.objects.filter(handoff=handoff).count() == 1
    assert Handoff.objects.get(pk=handoff.pk).status == HandoffStatus.ACCEPTED


def test_twenty_concurrent_accepts_through_the_api_make_one_project(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    results = run_concurrently(ApiAccept(handoff.pk, pm.pk))

    assert Counter(results) == {201: 1, 409: CALLERS - 1}, results
    assert Project.objects.count() == 1


def test_concurrent_accepts_of_an_unassigned_handoff_by_different_pms_make_one_project(rep, pm, other_pm):
    handoff = won_handoff(owner=rep)
    pms = [pm.pk, other_pm.pk] * (CALLERS // 2)
    index = iter(range(CALLERS))
    lock = threading.Lock()

    class EitherPm(ServiceAccept):
        def prepare(self):
            with lock:
                pm_id = pms[next(index)]
            return User.objects.get(pk=pm_id), Handoff.objects.get(pk=self.handoff_id)

    results = run_concurrently(EitherPm(handoff.pk, pm.pk))

    assert Counter(results) == {"accepted": 1, "refused: illegal_transition": CALLERS - 1}, results
    assert Project.objects.count() == 1
