"""Four eyes through every door (SPEC §7.2), in the permission matrix's terms.

The persona the six-column matrix has no column for: ``seller``, a sales rep
who also holds the pm role and owns the offer, handoff and project below. Each
row is one door (a page or an API operation) with the refusal the seller (or
a manager naming the seller) gets, and a control: the same request naming
someone else, which is accepted. A refusal leaves every table of the portal
exactly as it was; the control changes it (so the refusal is about the person,
not a broken request).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from projects.services.changes import change_request_approve, change_request_raise
from tests.factories import OfferFactory, UserFactory
from tests.projects.factories import accepted_project, sent_offer, won_handoff
from tests.quality.matrix.base import changed_tables, describe, outcome_matches, table_dump

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Door:
    name: str
    actor: str
    path: str  # formatted with the world's ids
    refused: dict[str, Any]
    expect: str  # the refusal's outcome token (see tests/quality/matrix/base.py)
    control: dict[str, Any]
    control_actor: str = ""

    def __str__(self) -> str:
        return self.name


def _world() -> dict[str, Any]:
    users = {
        "seller": UserFactory(username="fe_seller", first_name="Sven", last_name="Seller", roles=["sales", "pm"]),
        "pm": UserFactory(username="fe_pm", roles=["pm"]),
        "other_pm": UserFactory(username="fe_other_pm", roles=["pm"]),
        "manager": UserFactory(username="fe_manager", roles=["manager"]),
    }
    seller, pm = users["seller"], users["pm"]
    project = accepted_project(owner=seller, pm=pm, title="Four eyes project")
    change = change_request_raise(
        project=project, actor=pm, data={"title": "Fleet interface", "cost_impact": "8500.00"}
    )
    change_request_approve(change_request=change, actor=pm)
    ids = {
        "draft": OfferFactory(owner=seller).pk,
        "sent": sent_offer(owner=seller, reviewer=pm, title="Four eyes sent offer").pk,
        "handoff": won_handoff(owner=seller, title="Four eyes handoff").pk,
        "project": project.pk,
        "change": change.pk,
    }
    return {"users": users, "ids": ids}


def _person(name: str):
    """Request data naming a persona, resolved against the world: ``"@seller"``."""
    return f"@{name}"


DOORS = [
    Door(
        "API request-review naming the owner",
        "seller",
        "/api/v1/offers/{draft}/request-review/",
        {"reviewer": _person("seller")},
        "400",
        {"reviewer": _person("pm")},
    ),
    Door(
        "page request-review naming the owner",
        "seller",
        "handoff:review_request:draft",
        {"reviewer": _person("seller")},
        "200",
        {"reviewer": _person("pm")},
    ),
    Door(
        "API win naming the owner as PM",
        "seller",
        "/api/v1/offers/{sent}/win/",
        {"pm": _person("seller")},
        "400",
        {"pm": _person("other_pm")},
    ),
    Door(
        "page win naming the owner as PM",
        "seller",
        "handoff:offer_win:sent",
        {"pm": _person("seller")},
        "302",
        {"pm": _person("other_pm")},
    ),
    Door("API accept by the owner", "seller", "/api/v1/handoffs/{handoff}/accept/", {}, "409", {}, "pm"),
    Door("page accept by the owner", "seller", "handoff:handoff_accept:handoff", {}, "302", {}, "pm"),
    Door(
        "API return by the owner",
        "seller",
        "/api/v1/handoffs/{handoff}/return/",
        {"reason": "Thin"},
        "409",
        {"reason": "Thin"},
        "pm",
    ),
    Door(
        "page return by the owner",
        "seller",
        "handoff:handoff_return:handoff",
        {"reason": "Thin"},
        "302",
        {"reason": "Thin"},
        "pm",
    ),
    Door(
        "API handoff reassign to the owner",
        "manager",
        "/api/v1/handoffs/{handoff}/reassign/",
        {"pm": _person("seller")},
        "400",
        {"pm": _person("other_pm")},
    ),
    Door(
        "page handoff reassign to the owner",
        "manager",
        "handoff:handoff_reassign:handoff",
        {"pm": _person("seller")},
        "302",
        {"pm": _person("other_pm")},
    ),
    Door(
        "API project reassign to the sales liaison",
        "manager",
        "/api/v1/projects/{project}/reassign/",
        {"pm": _person("seller")},
        "400",
        {"pm": _person("other_pm")},
    ),
    Door(
        "page project reassign to the sales liaison",
        "manager",
        "projects:reassign:project",
        {"pm": _person("seller")},
        "302",
        {"pm": _person("other_pm")},
    ),
    Door(
        "API second signature by the first signatory",
        "pm",
        "/api/v1/change-requests/{change}/approve/",
        {},
        "409",
        {},
        "seller",
    ),
    Door(
        "page second signature by the first signatory",
        "pm",
        "projects:change_request_approve:change",
        {"comment": "Again"},
        "302",
        {"comment": "Fine"},
        "seller",
    ),
]


def _send(world: dict[str, Any], door: Door, actor: str, data: dict[str, Any]):
    users, ids = world["users"], world["ids"]
    data = {key: users[value[1:]].pk if str(value).startswith("@") else value for key, value in data.items()}
    client = Client()
    client.force_login(users[actor])
    if door.path.startswith("/api/"):
        return client.post(door.path.format(**ids), json.dumps(data), content_type="application/json")
    name, key = door.path.rsplit(":", 1)
    return client.post(reverse(name, args=[ids[key]]), data)


@pytest.mark.parametrize("door", DOORS, ids=str)
def test_every_door_refuses_four_eyes_and_changes_nothing(door):
    world = _world()
    before = table_dump()

    refused = _send(world, door, door.actor, door.refused)

    assert outcome_matches(door.expect, refused), f"{door}: got {describe(refused)}"
    assert changed_tables(before, table_dump()) == [], f"{door}: the refusal changed the database"
    accepted = _send(world, door, door.control_actor or door.actor, door.control)
    assert outcome_matches("W", accepted), f"{door} (control): got {describe(accepted)}"
    assert changed_tables(before, table_dump()), f"{door} (control): nothing changed"
