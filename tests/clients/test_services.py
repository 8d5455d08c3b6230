"""Clients, contacts and briefs through their services: who may write, what is refused, what is logged."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact
from clients.selectors import brief_confidential_visible_to, org_tree
from clients.services import (
    ManyInvalid,
    brief_update,
    client_create,
    client_update,
    clients_create_many,
    clients_update_many,
    contact_create,
    contact_delete,
    contact_update,
    contacts_create_many,
    contacts_update_many,
)
from core.errors import StaleVersion
from core.models import Activity
from handoff.models import ReviewStatus
from tests.clients.factories import client_with_chart, make_reviewer
from tests.factories import ClientFactory, ContactFactory, UserFactory
from tests.projects.factories import accepted_project

pytestmark = pytest.mark.django_db


def _snapshot(model) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list())


# --- client_create -----------------------------------------------------------------------
def test_it_creates_a_client_with_its_empty_brief_owned_by_the_creating_rep(rep):
    client = client_create(actor=rep, name="  Nordwind Logistics  ", industry="Logistics")

    assert client.name == "Nordwind Logistics"
    assert client.account_owner == rep
    assert client.status == ClientStatus.PROSPECT
    brief = ClientBrief.objects.get(client=client)
    assert brief.version == 1
    assert not brief.is_filled
    assert Activity.objects.filter(verb="client_created", target_id=client.pk).exists()


def test_it_refuses_a_client_created_by_a_manager(manager, rep):
    # SPEC §2: managers reassign account owners and change client status; creating clients is for sales.
    with pytest.raises(PermissionDenied):
        client_create(actor=manager, name="Helix Pharma", account_owner=rep)

    assert not Client.objects.exists()
    assert not ClientBrief.objects.exists()


def test_it_lets_a_manager_who_is_also_a_rep_create_a_client(rep):
    boss = UserFactory(username="sales_manager", roles=["sales", "manager"])

    client = client_create(actor=boss, name="Helix Pharma")

    assert client.account_owner == boss


def test_it_lets_a_manager_change_only_the_account_owner_and_status(manager, rep, other_rep):
    client = ClientFactory(account_owner=rep, name="Helix Pharma")

    client_update(actor=manager, client=client, account_owner=other_rep, status="active", name="Helix Pharma")
    with pytest.raises(PermissionDenied):
        client_update(actor=manager, client=client, name="Helix Biotech", status="former")

    client.refresh_from_db()
    assert (client.name, client.account_owner, client.status) == ("Helix Pharma", other_rep, "active")


def test_it_refuses_an_account_owner_without_the_sales_role(rep, pm):
    with pytest.raises(ValidationError) as raised:
        client_create(actor=rep, name="Helix Pharma", account_owner=pm)

    assert raised.value.message_dict["account_owner"] == ["The account owner must be an active sales rep."]
    assert not Client.objects.exists()


def test_it_refuses_a_duplicate_name_in_another_case(rep):
    ClientFactory(name="Nordwind Logistics")
    before = _snapshot(Client)

    with pytest.raises(ValidationError) as raised:
        client_create(actor=rep, name="NORDWIND logistics")

    assert "already exists" in raised.value.message_dict["name"][0]
    assert "Nordwind Logistics" in raised.value.message_dict["name"][0]
    assert _snapshot(Client) == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 201),
        ("industry", "x" * 101),
        ("website", "not a url"),
        ("status", "bankrupt"),
        ("name", "   "),
    ],
)
def test_it_refuses_bad_client_input_and_creates_nothing(rep, field, value):
    data = {"name": "Valid name", field: value}

    with pytest.raises(ValidationError) as raised:
        client_create(actor=rep, **data)

    assert field in raised.value.message_dict
    assert not Client.objects.exists()
    assert not ClientBrief.objects.exists()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("persona", ["pm", "outsider"])
def test_it_refuses_a_client_from_someone_who_only_reads(request, persona):
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        client_create(actor=user, name="Helix Pharma")

    assert not Client.objects.exists()


# --- client_update -----------------------------------------------------------------------
def test_it_lets_another_rep_edit_a_clients_name_and_industry(rep, other_rep):
    client = ClientFactory(account_owner=rep, name="Old name")

    client_update(actor=other_rep, client=client, name="New name", industry="Retail")

    client.refresh_from_db()
    assert (client.name, client.industry) == ("New name", "Retail")
    activity = Activity.objects.get(verb="client_updated", target_id=client.pk)
    assert activity.changes["name"] == ["Old name", "New name"]


def test_it_refuses_a_status_change_by_a_rep_who_does_not_own_the_account(rep, other_rep):
    client = ClientFactory(account_owner=rep, status=ClientStatus.PROSPECT)

    with pytest.raises(PermissionDenied):
        client_update(actor=other_rep, client=client, status=ClientStatus.ACTIVE, name="Renamed")

    client.refresh_from_db()
    assert client.status == ClientStatus.PROSPECT
    assert client.name != "Renamed"


def test_it_refuses_an_account_owner_change_by_another_rep(rep, other_rep):
    client = ClientFactory(account_owner=rep)

    with pytest.raises(PermissionDenied):
        client_update(actor=other_rep, client=client, account_owner=other_rep)

    client.refresh_from_db()
    assert client.account_owner == rep


def test_it_lets_another_rep_resend_the_unchanged_status_and_owner(rep, other_rep):
    client = ClientFactory(account_owner=rep, status=ClientStatus.ACTIVE)

    client_update(actor=other_rep, client=client, status=ClientStatus.ACTIVE, account_owner=rep, industry="Retail")

    client.refresh_from_db()
    assert client.industry == "Retail"


def test_it_lets_the_account_owner_change_the_status(rep):
    client = ClientFactory(account_owner=rep)

    client_update(actor=rep, client=client, status=ClientStatus.ACTIVE)

    client.refresh_from_db()
    assert client.status == ClientStatus.ACTIVE


def test_it_lets_a_manager_reassign_the_account(manager, rep, other_rep):
    client = ClientFactory(account_owner=rep)

    client_update(actor=manager, client=client, account_owner=other_rep, status=ClientStatus.FORMER)

    client.refresh_from_db()
    assert (client.account_owner, client.status) == (other_rep, ClientStatus.FORMER)


def test_it_refuses_a_rename_to_another_clients_name_in_another_case(rep):
    ClientFactory(name="Helix Pharma")
    client = ClientFactory(name="Nordwind", account_owner=rep)

    with pytest.raises(ValidationError) as raised:
        client_update(actor=rep, client=client, name="helix PHARMA")

    assert "already exists" in raised.value.message_dict["name"][0]
    client.refresh_from_db()
    assert client.name == "Nordwind"


def test_it_lets_a_client_change_the_case_of_its_own_name(rep):
    client = ClientFactory(name="nordwind", account_owner=rep)

    client_update(actor=rep, client=client, name="Nordwind")

    client.refresh_from_db()
    assert client.name == "Nordwind"


def test_it_refuses_an_unknown_status_word(rep):
    client = ClientFactory(account_owner=rep)

    with pytest.raises(ValidationError) as raised:
        client_update(actor=rep, client=client, status="bankrupt")

    assert "status" in raised.value.message_dict
    client.refresh_from_db()
    assert client.status == ClientStatus.PROSPECT


def test_it_refuses_a_client_edit_by_a_pm(pm):
    client = ClientFactory(name="Nordwind")

    with pytest.raises(PermissionDenied):
        client_update(actor=pm, client=client, name="Renamed")

    client.refresh_from_db()
    assert client.name == "Nordwind"


# --- Contacts ----------------------------------------------------------------------------
def test_it_adds_a_contact_under_a_manager_of_the_same_client(rep):
    client, people = client_with_chart(owner=rep)

    contact = contact_create(
        actor=rep,
        client=client,
        name="Dora Dev",
        buying_role=BuyingRole.CHAMPION,
        reports_to=people["cio"],
        communication_style="Slack, short messages.",
    )

    assert contact.reports_to == people["cio"]
    assert Activity.objects.filter(verb="contact_added", target_id=client.pk).exists()


def test_it_refuses_a_manager_from_another_client(rep):
    client = ClientFactory(account_owner=rep)
    stranger = ContactFactory(client=ClientFactory())

    with pytest.raises(ValidationError) as raised:
        contact_create(actor=rep, client=client, name="Dora Dev", reports_to=stranger)

    assert "another client" in raised.value.message_dict["reports_to"][0]
    assert not Contact.objects.filter(client=client).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 201),
        ("title", "x" * 201),
        ("phone", "1" * 51),
        ("email", "not-an-email"),
        ("communication_style", "x" * 2001),
        ("buying_role", "kingmaker"),
        ("name", ""),
    ],
)
def test_it_refuses_bad_contact_input_and_adds_nothing(rep, field, value):
    client = ClientFactory(account_owner=rep)
    data = {"name": "Dora Dev", field: value}

    with pytest.raises(ValidationError) as raised:
        contact_create(actor=rep, client=client, **data)

    assert field in raised.value.message_dict
    assert not Contact.objects.exists()
    assert not Activity.objects.filter(verb="contact_added").exists()


def test_it_refuses_a_contact_who_reports_to_themselves(rep):
    _client, people = client_with_chart(owner=rep)

    with pytest.raises(ValidationError) as raised:
        contact_update(actor=rep, contact=people["cio"], reports_to=people["cio"])

    assert raised.value.message_dict["reports_to"] == ["A contact cannot report to themselves."]
    people["cio"].refresh_from_db()
    assert people["cio"].reports_to == people["ceo"]


def test_it_refuses_a_change_that_would_close_a_loop(rep):
    _client, people = client_with_chart(owner=rep)
    before = _snapshot(Contact)

    with pytest.raises(ValidationError) as raised:
        # lead reports to cio, who reports to ceo: ceo under lead would be a loop.
        contact_update(actor=rep, contact=people["ceo"], reports_to=people["lead"])

    assert "loop" in raised.value.message_dict["reports_to"][0]
    assert _snapshot(Contact) == before


def test_it_refuses_moving_a_contact_under_someone_of_another_client(rep):
    _client, people = client_with_chart(owner=rep)
    stranger = ContactFactory(client=ClientFactory())

    with pytest.raises(ValidationError):
        contact_update(actor=rep, contact=people["lead"], reports_to=stranger)

    people["lead"].refresh_from_db()
    assert people["lead"].reports_to == people["cio"]


def test_it_moves_a_contact_elsewhere_in_the_chart(other_rep, rep):
    _client, people = client_with_chart(owner=rep)

    contact_update(actor=other_rep, contact=people["lead"], reports_to=people["buyer"], title="Architect")

    people["lead"].refresh_from_db()
    assert (people["lead"].reports_to, people["lead"].title) == (people["buyer"], "Architect")


def test_it_moves_direct_reports_up_when_a_contact_is_removed(rep):
    client, people = client_with_chart(owner=rep)

    contact_delete(actor=rep, contact=people["cio"])

    assert not Contact.objects.filter(pk=people["cio"].pk).exists()
    people["lead"].refresh_from_db()
    assert people["lead"].reports_to == people["ceo"]
    assert Activity.objects.filter(verb="contact_removed", target_id=client.pk).exists()


@pytest.mark.parametrize("persona", ["pm", "outsider"])
def test_it_refuses_contact_changes_from_readers(request, persona, rep):
    user = request.getfixturevalue(persona)
    client, people = client_with_chart(owner=rep)
    before = _snapshot(Contact)

    with pytest.raises(PermissionDenied):
        contact_create(actor=user, client=client, name="Dora Dev")
    with pytest.raises(PermissionDenied):
        contact_update(actor=user, contact=people["lead"], name="Renamed")
    with pytest.raises(PermissionDenied):
        contact_delete(actor=user, contact=people["lead"])

    assert _snapshot(Contact) == before


def test_it_builds_the_org_chart_from_one_list(rep):
    client, people = client_with_chart(owner=rep)

    roots = org_tree(list(Contact.objects.filter(client=client).order_by("name")))

    assert [node.contact for node in roots] == [people["ceo"]]
    assert [node.contact for node in roots[0].children] == [people["buyer"], people["cio"]]
    assert [node.contact for node in roots[0].children[1].children] == [people["lead"]]


# --- The brief ----------------------------------------------------------------------------
def test_it_saves_the_brief_and_bumps_its_version(rep, other_rep):
    client = ClientFactory(account_owner=rep)

    brief = brief_update(actor=other_rep, client=client, version=1, background="Family-owned.", goals="One ERP.")

    assert (brief.version, brief.background, brief.goals, brief.updated_by) == (
        2,
        "Family-owned.",
        "One ERP.",
        other_rep,
    )
    activity = Activity.objects.get(verb="brief_updated", target_id=client.pk)
    assert activity.changes["background"] == ["", "Family-owned."]
    assert activity.changes["version"] == [1, 2]


def test_it_refuses_a_stale_brief_and_keeps_the_newer_text(rep, other_rep):
    client = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=client, version=1, background="Rita's text")

    with pytest.raises(StaleVersion) as raised:
        brief_update(actor=other_rep, client=client, version=1, background="Otto's text")

    assert raised.value.current.background == "Rita's text"
    assert raised.value.as_dict()["current_version"] == 2
    brief = ClientBrief.objects.get(client=client)
    assert (brief.version, brief.background) == (2, "Rita's text")


def test_it_refuses_a_brief_without_a_version(rep):
    client = ClientFactory(account_owner=rep)

    with pytest.raises(ValidationError):
        brief_update(actor=rep, client=client, version=None, background="x")

    assert ClientBrief.objects.get(client=client).background == ""


def test_it_refuses_an_over_long_brief_section(rep):
    client = ClientFactory(account_owner=rep)

    with pytest.raises(ValidationError) as raised:
        brief_update(actor=rep, client=client, version=1, background="ok", politics="x" * 10001)

    assert "politics" in raised.value.message_dict
    brief = ClientBrief.objects.get(client=client)
    assert (brief.version, brief.background, brief.politics) == (1, "", "")


def test_it_refuses_confidential_notes_from_a_rep_not_entitled(rep, other_rep):
    client = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=client, version=1, confidential_notes="Budget up to 480k.")

    with pytest.raises(ValidationError) as raised:
        brief_update(actor=other_rep, client=client, version=2, background="New", confidential_notes="")

    assert "confidential_notes" in raised.value.message_dict
    brief = ClientBrief.objects.get(client=client)
    assert (brief.version, brief.background, brief.confidential_notes) == (2, "", "Budget up to 480k.")


def test_it_lets_a_rep_not_entitled_edit_the_rest_of_the_brief(rep, other_rep):
    client = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=client, version=1, confidential_notes="Budget up to 480k.")

    brief = brief_update(actor=other_rep, client=client, version=2, goals="Go live in spring.")

    assert (brief.goals, brief.confidential_notes) == ("Go live in spring.", "Budget up to 480k.")


def test_it_refuses_a_brief_edit_by_a_manager(rep, manager):
    client = ClientFactory(account_owner=rep)

    with pytest.raises(PermissionDenied):
        brief_update(actor=manager, client=client, version=1, confidential_notes="Talking to a competitor.")

    client.brief.refresh_from_db()
    assert (client.brief.confidential_notes, client.brief.version) == ("", 1)


def test_it_refuses_contacts_from_a_manager(rep, manager):
    client = ClientFactory(account_owner=rep)
    contact = ContactFactory(client=client, name="Dana")

    with pytest.raises(PermissionDenied):
        contact_create(actor=manager, client=client, name="Eve")
    with pytest.raises(PermissionDenied):
        contact_update(actor=manager, contact=contact, name="Dana D.")
    with pytest.raises(PermissionDenied):
        contact_delete(actor=manager, contact=contact)

    assert list(client.contacts.values_list("name", flat=True)) == ["Dana"]


def test_it_never_writes_the_confidential_text_into_the_activity_log(rep):
    client = ClientFactory(account_owner=rep)

    brief_update(actor=rep, client=client, version=1, confidential_notes="SECRET-480k")
    brief_update(actor=rep, client=client, version=2, confidential_notes="SECRET-520k")

    activities = list(Activity.objects.filter(verb="brief_updated"))
    assert len(activities) == 2
    for activity in activities:
        assert "SECRET" not in str(activity.changes) + activity.message
        assert "confidential_notes" in activity.changes


def test_it_refuses_a_brief_edit_by_a_pm_even_one_who_may_read_the_notes(rep, pm):
    client = ClientFactory(account_owner=rep)
    make_reviewer(client=client, pm=pm)

    with pytest.raises(PermissionDenied):
        brief_update(actor=pm, client=client, version=1, background="x")

    assert ClientBrief.objects.get(client=client).version == 1


# --- Who sees the confidential notes ------------------------------------------------------
def test_the_account_owner_and_managers_see_the_confidential_notes(rep, manager):
    client = ClientFactory(account_owner=rep)

    assert brief_confidential_visible_to(user=rep, client=client)
    assert brief_confidential_visible_to(user=manager, client=client)


def test_a_pm_reviewing_an_offer_of_the_client_sees_the_confidential_notes(rep, pm, other_pm):
    client = ClientFactory(account_owner=rep)
    make_reviewer(client=client, pm=pm)

    assert brief_confidential_visible_to(user=pm, client=client)
    assert not brief_confidential_visible_to(user=other_pm, client=client)


def test_a_pm_whose_review_was_cancelled_no_longer_sees_the_confidential_notes(rep, pm):
    client = ClientFactory(account_owner=rep)
    make_reviewer(client=client, pm=pm, status=ReviewStatus.CANCELLED)

    assert not brief_confidential_visible_to(user=pm, client=client)


def test_the_pm_owning_a_project_of_the_client_sees_the_confidential_notes(rep, pm, other_pm):
    project = accepted_project(owner=rep, pm=pm)
    # Reassigned: other_pm owns the project now, without having reviewed.
    type(project).objects.filter(pk=project.pk).update(pm=other_pm)

    assert brief_confidential_visible_to(user=other_pm, client=project.client)


@pytest.mark.parametrize("persona", ["other_rep", "pm", "outsider"])
def test_others_do_not_see_the_confidential_notes(request, persona, rep):
    client = ClientFactory(account_owner=rep)
    make_reviewer(client=ClientFactory(), pm=request.getfixturevalue("pm"))  # a review, but of another client

    assert not brief_confidential_visible_to(user=request.getfixturevalue(persona), client=client)


# --- Concurrency, on the real database ------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_brief_saves_at_the_same_version_keep_one_and_refuse_the_other(rep, other_rep):
    import threading

    from django.db import connection

    client = ClientFactory(account_owner=rep)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(actor, text):
        try:
            barrier.wait()
            brief_update(actor=actor, client=client, version=1, background=text)
            outcomes.append("saved")
        except StaleVersion:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(actor, text)) for actor, text in ((rep, "A"), (other_rep, "B"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    brief = ClientBrief.objects.get(client=client)
    assert sorted(outcomes) == ["saved", "stale"]
    assert brief.version == 2
    assert brief.background in {"A", "B"}


# --- Many at once (the import) ----------------------------------------------------------------
def test_it_creates_many_clients_checking_names_against_the_stored_and_each_other(rep):
    ClientFactory(name="Nordwind GmbH", account_owner=rep)
    before = (_snapshot(Client), Activity.objects.count())

    with pytest.raises(ManyInvalid) as raised:
        clients_create_many(
            actor=rep,
            clients=[{"name": "NORDWIND gmbh"}, {"name": "Südhafen AG"}, {"name": "südhafen ag"}, {"name": " "}],
        )

    assert sorted(raised.value.errors) == [0, 2, 3]  # each refused item by its index
    assert "Nordwind GmbH" in raised.value.errors[0].message_dict["name"][0]
    assert "Südhafen AG" in raised.value.errors[2].message_dict["name"][0]
    assert (_snapshot(Client), Activity.objects.count()) == before  # nothing written

    created = clients_create_many(actor=rep, clients=[{"name": "Südhafen AG"}, {"name": "Ostkai KG"}])

    assert [client.account_owner for client in created] == [rep, rep]
    assert ClientBrief.objects.filter(client__in=created).count() == 2
    assert Activity.objects.filter(verb="client_created").count() == 2  # the factory logs nothing


def test_it_updates_many_clients_with_each_ones_permission(rep, other_rep):
    mine = ClientFactory(name="Mine", account_owner=rep)
    theirs = ClientFactory(name="Theirs", account_owner=other_rep)

    with pytest.raises(ManyInvalid) as raised:
        clients_update_many(
            actor=rep, updates=[(mine, {"industry": "Ports"}), (theirs, {"account_owner": rep, "industry": "Ports"})]
        )

    assert list(raised.value.errors) == [1]
    assert isinstance(raised.value.errors[1], PermissionDenied)
    mine.refresh_from_db()
    assert mine.industry != "Ports"

    updated = clients_update_many(actor=rep, updates=[(mine, {"industry": "Ports"}), (theirs, {"industry": "Rail"})])

    assert [client.industry for client in updated] == ["Ports", "Rail"]
    assert Activity.objects.filter(verb="client_updated").count() == 2


def test_it_creates_many_contacts_under_managers_of_their_own_client(rep):
    client, people = client_with_chart(owner=rep)
    other = ClientFactory(account_owner=rep)

    with pytest.raises(ManyInvalid) as raised:
        contacts_create_many(
            actor=rep,
            contacts=[
                {"client": client, "name": "Nina New", "reports_to": people["lead"]},
                {"client": other, "name": "Olaf Other", "reports_to": people["lead"]},
                {"client": client, "name": "Bad Mail", "email": "not-an-address"},
            ],
        )

    assert sorted(raised.value.errors) == [1, 2]
    assert "reports_to" in raised.value.errors[1].message_dict
    assert "email" in raised.value.errors[2].message_dict

    created = contacts_create_many(
        actor=rep, contacts=[{"client": client, "name": "Nina New", "reports_to": people["lead"]}]
    )

    assert created[0].reports_to == people["lead"]
    assert created[0].buying_role == BuyingRole.OTHER
    assert Activity.objects.filter(verb="contact_added").count() == 1


def test_it_updates_many_contacts_each_on_the_chart_the_earlier_left(rep):
    _client, people = client_with_chart(owner=rep)

    # Turned round in this order (the lead first leaves the cio), no step is a loop.
    contacts_update_many(
        actor=rep,
        updates=[
            (people["lead"], {"reports_to": None}),
            (people["cio"], {"reports_to": people["lead"]}),
            (people["ceo"], {"reports_to": people["cio"]}),
        ],
    )

    chart = dict(Contact.objects.values_list("name", "reports_to__name"))
    assert chart == {"Lena Lead": None, "Ivan Cio": "Lena Lead", "Carla Ceo": "Ivan Cio", "Bert Buyer": "Carla Ceo"}
    before = _snapshot(Contact)

    with pytest.raises(ManyInvalid) as raised:
        # The buyer under the lead is fine alone; the lead under the buyer after it closes a loop.
        contacts_update_many(
            actor=rep,
            updates=[
                (people["buyer"], {"reports_to": people["lead"]}),
                (people["lead"], {"reports_to": people["buyer"]}),
            ],
        )

    assert list(raised.value.errors) == [1]
    assert "loop" in raised.value.errors[1].message_dict["reports_to"][0]
    assert _snapshot(Contact) == before
