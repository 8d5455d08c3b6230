"""Thin Celery tasks: take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from handoff.services.sla_sweep import handoff_sla_sweep as _handoff_sla_sweep


@shared_task(name="handoff.sla_sweep", acks_late=True)
def handoff_sla_sweep() -> dict[str, list[int]]:
    """Beat, every 15 minutes: SLA reminder to the PM, then escalation to managers."""
    return _handoff_sla_sweep()
