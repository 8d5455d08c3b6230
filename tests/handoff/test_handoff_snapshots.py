"""The snapshot of what was sold: complete, JSON-safe, immutable, never confidential; and the diff of two."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from handoff.models import Commitment, HandoffSnapshot, Offer, Risk
from handoff.services.handoffs import handoff_resubmit, handoff_return
from handoff.snapshots import build_snapshot, org_tree, snapshot_diff
from tests.factories import CommitmentFactory, RiskFactory
from tests.projects.factories import sent_offer, won_handoff

pytestmark = pytest.mark.django_db


def test_it_holds_the_offer_commitments_risks_review_brief_and_contacts(rep, pm):
    data = build_snapshot(sent_offer(owner=rep, reviewer=pm))

    assert data["offer"]["title"] == "ERP roll-out"
    assert data["offer"]["value"] == "48000.00"
    assert {item["feasibility"] for item in data["commitments"]} == {"risky", "feasible"}
    assert {risk["score"] for risk in data["risks"]} == {12, 4}
    assert data["review"]["effort_days"] == "60.0"
    assert data["review"]["reviewer"]["id"] == pm.pk
    assert [milestone["name"] for milestone in data["review"]["milestones"]] == ["Design signed off", "Go-live"]
    assert data["brief"]["politics"].startswith("The CFO")
    assert {contact["name"]: contact["buying_role"] for contact in data["contacts"]}["Carla CEO"] == "decision_maker"


def test_it_leaves_out_the_confidential_notes(rep, pm):
    data = build_snapshot(sent_offer(owner=rep, reviewer=pm))

    assert "confidential_notes" not in data["brief"]
    assert "competitor" not in json.dumps(data)


def test_it_is_plain_json_with_decimals_as_strings_and_iso_dates(rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)

    data = build_snapshot(offer)

    assert json.loads(json.dumps(data)) == data
    assert data["offer"]["desired_start"] == offer.desired_start.isoformat()
    assert isinstance(data["review"]["duration_weeks"], str)


def test_it_records_the_org_chart_as_edges(rep, pm):
    data = build_snapshot(sent_offer(owner=rep, reviewer=pm))

    names = {contact["id"]: contact["name"] for contact in data["contacts"]}
    edges = {(names[edge["contact"]], names[edge["reports_to"]]) for edge in data["org_chart"]}
    assert edges == {("Ivan IT", "Carla CEO"), ("Uma User", "Carla CEO")}
    tree = org_tree(data)
    assert [node["contact"]["name"] for node in tree] == ["Carla CEO"]
    assert {child["contact"]["name"] for child in tree[0]["children"]} == {"Ivan IT", "Uma User"}


def test_a_snapshot_cannot_be_changed(rep, pm):
    snapshot = won_handoff(owner=rep, reviewer=pm).snapshots.get()
    snapshot.data = {"offer": {"title": "rewritten"}}

    with pytest.raises(TypeError):
        snapshot.save()

    assert HandoffSnapshot.objects.get(pk=snapshot.pk).data["offer"]["title"] == "ERP roll-out"


def test_a_snapshot_does_not_follow_later_edits_of_the_offer(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)

    Offer.objects.filter(pk=handoff.offer_id).update(title="Renamed later")

    assert handoff.snapshots.get().data["offer"]["title"] == "ERP roll-out"


def test_the_diff_shows_changed_fields_and_added_removed_and_changed_items(rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm)
    old = build_snapshot(offer)
    Offer.objects.filter(pk=offer.pk).update(value=Decimal("50000.00"))
    Commitment.objects.filter(offer=offer, text__startswith="On-site").delete()
    CommitmentFactory(offer=offer, text="Hypercare for 4 weeks")
    Commitment.objects.filter(offer=offer, text__startswith="Go-live").update(text="Go-live before 1 April")
    Risk.objects.filter(offer=offer, title__startswith="Legacy").update(impact=5)
    RiskFactory(offer=offer, title="Data migration quality")

    changes = snapshot_diff(old, build_snapshot(offer))

    found = {(change["section"], change["item"], change["field"], change["change"]) for change in changes}
    assert ("offer", "", "value", "changed") in found
    assert ("commitments", "Hypercare for 4 weeks", None, "added") in found
    assert ("commitments", "On-site training for 10 people", None, "removed") in found
    assert ("commitments", "Go-live before 1 April", "text", "changed") in found
    assert ("risks", "Legacy interfaces undocumented", "impact", "changed") in found
    assert ("risks", "Legacy interfaces undocumented", "score", "changed") in found
    assert ("risks", "Data migration quality", None, "added") in found
    value = next(change for change in changes if change["field"] == "value")
    assert (value["old"], value["new"]) == ("48000.00", "50000.00")


def test_the_diff_of_identical_snapshots_is_empty(rep, pm):
    data = build_snapshot(sent_offer(owner=rep, reviewer=pm))

    assert snapshot_diff(data, json.loads(json.dumps(data))) == []


def test_resubmitting_keeps_v1_and_adds_v2(rep, pm):
    handoff = won_handoff(owner=rep, reviewer=pm)
    handoff_return(handoff=handoff, actor=pm, reason="Add the migration risk")
    RiskFactory(offer=handoff.offer, title="Data migration quality")

    handoff_resubmit(handoff=handoff, actor=rep)

    v1, v2 = handoff.snapshots.order_by("version")
    changes = snapshot_diff(v1.data, v2.data)
    assert [(change["item"], change["change"]) for change in changes] == [("Data migration quality", "added")]
