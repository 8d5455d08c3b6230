"""/api/v1/clients/, /api/v1/contacts/ and /api/v1/clients/{id}/brief/ (SPEC §4)."""

from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from clients.models import Client, ClientBrief, ClientStatus, Contact
from clients.services import brief_update
from tests.clients.factories import client_with_chart, make_reviewer
from tests.factories import ClientFactory, ContactFactory, OfferFactory

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"
CONTACTS = "/api/v1/contacts/"


def brief_url(client: Client) -> str:
    return f"{CLIENTS}{client.pk}/brief/"


def _snapshot(model) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list())


# --- Authentication ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", [CLIENTS, CONTACTS])
def test_it_refuses_anonymous_callers(api, url):
    assert api.get(url).status_code in (401, 403)


def test_it_accepts_a_token(rep):
    token = Token.objects.create(user=rep)
    caller = APIClient()
    caller.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    ClientFactory(name="Nordwind")

    response = caller.get(CLIENTS)

    assert response.status_code == 200
    assert response.json()["results"][0]["name"] == "Nordwind"


# --- Clients --------------------------------------------------------------------------------
def test_the_client_list_is_paginated_with_counts(api_as, rep):
    target, _people = client_with_chart(owner=rep)
    OfferFactory(client=target)

    body = api_as(rep).get(CLIENTS).json()

    assert set(body) == {"count", "next", "previous", "results"}
    row = body["results"][0]
    assert row["name"] == "Acme Industries"
    assert row["account_owner"] == rep.pk
    assert (row["contact_count"], row["open_offer_count"], row["project_count"]) == (4, 1, 0)


def test_the_client_list_filters_by_status_owner_and_search(api_as, rep, other_rep):
    ClientFactory(name="Nordwind Logistics", account_owner=rep, status=ClientStatus.ACTIVE)
    ClientFactory(name="Nordlicht Energy", account_owner=other_rep, status=ClientStatus.ACTIVE)
    ClientFactory(name="Helix Pharma", account_owner=rep, status=ClientStatus.PROSPECT)
    caller = api_as(rep)

    def names(**params):
        return sorted(row["name"] for row in caller.get(CLIENTS, params).json()["results"])

    assert names(status="active") == ["Nordlicht Energy", "Nordwind Logistics"]
    assert names(account_owner=rep.pk) == ["Helix Pharma", "Nordwind Logistics"]
    assert names(search="NORD", account_owner=other_rep.pk) == ["Nordlicht Energy"]


def test_the_client_list_refuses_an_unknown_status_filter(api_as, rep):
    response = api_as(rep).get(CLIENTS, {"status": "bankrupt"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_the_client_list_runs_the_same_number_of_queries_whatever_the_rows(api_as, rep, django_assert_num_queries):
    caller = api_as(rep)
    client_with_chart(owner=rep)
    caller.get(CLIENTS)

    with django_assert_num_queries(4):
        caller.get(CLIENTS)
    for index in range(20):
        target = ClientFactory(name=f"Client number {index}")
        ContactFactory(client=target)
        OfferFactory(client=target)
    with django_assert_num_queries(4):
        assert caller.get(CLIENTS).json()["count"] == 21


def test_a_rep_creates_a_client_and_owns_it(api_as, rep):
    response = api_as(rep).post(CLIENTS, {"name": "Nordwind", "industry": "Logistics", "website": ""}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["account_owner"], body["status"], body["contact_count"]) == (rep.pk, "prospect", 0)
    assert ClientBrief.objects.filter(client_id=body["id"]).exists()


def test_a_manager_cannot_create_a_client(api_as, manager, rep):
    # SPEC §2: a manager "cannot act as a rep without holding that role"; creating clients is for sales.
    response = api_as(manager).post(CLIENTS, {"name": "Nordwind", "account_owner": rep.pk}, format="json")

    assert response.status_code == 403
    assert not Client.objects.exists()


def test_a_manager_reassigns_the_account_owner_and_changes_the_status(api_as, manager, rep, other_rep):
    client = ClientFactory(account_owner=rep)

    response = api_as(manager).patch(
        f"{CLIENTS}{client.pk}/", {"account_owner": other_rep.pk, "status": "active"}, format="json"
    )

    assert response.status_code == 200
    client.refresh_from_db()
    assert (client.account_owner, client.status) == (other_rep, "active")


def test_a_manager_cannot_rename_a_client(api_as, manager, rep):
    client = ClientFactory(account_owner=rep, name="Nordwind")

    response = api_as(manager).patch(f"{CLIENTS}{client.pk}/", {"name": "Südwind", "status": "active"}, format="json")

    assert response.status_code == 403
    client.refresh_from_db()
    assert (client.name, client.status) == ("Nordwind", "prospect")


def test_a_manager_cannot_add_a_contact_or_edit_the_brief(api_as, manager, rep):
    client = ClientFactory(account_owner=rep)
    api = api_as(manager)

    contact = api.post("/api/v1/contacts/", {"client": client.pk, "name": "Dana"}, format="json")
    brief = api.put(f"{CLIENTS}{client.pk}/brief/", {"background": "Manager text", "version": 1}, format="json")

    assert (contact.status_code, brief.status_code) == (403, 403)
    assert not client.contacts.exists()
    client.brief.refresh_from_db()
    assert (client.brief.background, client.brief.version) == ("", 1)


def test_it_refuses_a_duplicate_name_in_another_case(api_as, rep):
    ClientFactory(name="Nordwind Logistics")
    before = _snapshot(Client)

    response = api_as(rep).post(CLIENTS, {"name": "NORDWIND logistics"}, format="json")

    assert response.status_code == 400
    assert "already exists" in response.json()["name"][0]
    assert _snapshot(Client) == before


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x" * 201},
        {"name": "Nordwind", "industry": "x" * 101},
        {"name": "Nordwind", "website": "not a url"},
        {"name": "Nordwind", "status": "bankrupt"},
        {"name": ""},
        {"industry": "Logistics"},
        {"name": "Nordwind", "account_owner": 999999},
    ],
)
def test_it_refuses_bad_client_input_with_400(api_as, rep, body):
    response = api_as(rep).post(CLIENTS, body, format="json")

    assert response.status_code == 400
    assert not Client.objects.exists()


def test_it_refuses_an_account_owner_without_the_sales_role(api_as, rep, pm):
    response = api_as(rep).post(CLIENTS, {"name": "Nordwind", "account_owner": pm.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["account_owner"] == ["The account owner must be an active sales rep."]


@pytest.mark.parametrize("persona", ["pm", "other_pm", "outsider"])
def test_readers_get_403_on_client_writes(request, api_as, persona, rep):
    target = ClientFactory(name="Nordwind", account_owner=rep)
    caller = api_as(request.getfixturevalue(persona))
    before = _snapshot(Client)

    assert caller.get(CLIENTS).status_code == 200
    assert caller.post(CLIENTS, {"name": "New"}, format="json").status_code == 403
    assert caller.patch(f"{CLIENTS}{target.pk}/", {"name": "Renamed"}, format="json").status_code == 403
    assert _snapshot(Client) == before


def test_another_rep_renames_a_client(api_as, rep, other_rep):
    target = ClientFactory(name="Nordwind", account_owner=rep)

    response = api_as(other_rep).patch(f"{CLIENTS}{target.pk}/", {"name": "Nordwind AG"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Nordwind AG"


def test_another_rep_may_not_change_the_status(api_as, rep, other_rep):
    target = ClientFactory(name="Nordwind", account_owner=rep)

    response = api_as(other_rep).patch(f"{CLIENTS}{target.pk}/", {"status": "active"}, format="json")

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.status == ClientStatus.PROSPECT


def test_the_account_owner_changes_the_status_and_a_manager_the_owner(api_as, rep, other_rep, manager):
    target = ClientFactory(name="Nordwind", account_owner=rep)

    by_owner = api_as(rep).patch(f"{CLIENTS}{target.pk}/", {"status": "active"}, format="json")
    by_manager = api_as(manager).patch(f"{CLIENTS}{target.pk}/", {"account_owner": other_rep.pk}, format="json")

    assert (by_owner.status_code, by_manager.status_code) == (200, 200)
    target.refresh_from_db()
    assert (target.status, target.account_owner) == (ClientStatus.ACTIVE, other_rep)


def test_a_client_is_not_replaced_with_put(api_as, rep):
    target = ClientFactory(account_owner=rep)

    assert api_as(rep).put(f"{CLIENTS}{target.pk}/", {"name": "X"}, format="json").status_code == 405


def test_an_unknown_client_is_404(api_as, rep):
    assert api_as(rep).get(f"{CLIENTS}999999/").status_code == 404
    assert api_as(rep).get(f"{CLIENTS}999999/brief/").status_code == 404


# --- Contacts -------------------------------------------------------------------------------
def test_it_lists_the_contacts_of_one_client(api_as, rep):
    target, people = client_with_chart(owner=rep)
    ContactFactory(client=ClientFactory())

    body = api_as(rep).get(CONTACTS, {"client": target.pk}).json()

    assert body["count"] == 4
    lead = next(row for row in body["results"] if row["name"] == "Lena Lead")
    assert (lead["reports_to"], lead["buying_role"]) == (people["cio"].pk, "user")


def test_the_contact_list_runs_the_same_number_of_queries_whatever_the_rows(api_as, rep, django_assert_num_queries):
    target, people = client_with_chart(owner=rep)
    caller = api_as(rep)
    caller.get(CONTACTS)

    with django_assert_num_queries(4):
        caller.get(CONTACTS, {"client": target.pk})
    ContactFactory.create_batch(20, client=target, reports_to=people["ceo"])
    with django_assert_num_queries(4):
        assert caller.get(CONTACTS, {"client": target.pk}).json()["count"] == 24


def test_a_rep_adds_a_contact_to_the_chart(api_as, rep, other_rep):
    target, people = client_with_chart(owner=rep)

    response = api_as(other_rep).post(
        CONTACTS,
        {
            "client": target.pk,
            "name": "Dora Dev",
            "title": "Developer",
            "email": "dora@example.com",
            "phone": "+49 40 123",
            "reports_to": people["lead"].pk,
            "buying_role": "champion",
            "communication_style": "Slack",
        },
        format="json",
    )

    assert response.status_code == 201
    assert Contact.objects.get(pk=response.json()["id"]).reports_to == people["lead"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "x" * 201),
        ("communication_style", "x" * 2001),
        ("buying_role", "kingmaker"),
        ("email", "nope"),
        ("reports_to", 999999),
    ],
)
def test_it_refuses_bad_contact_input_with_400(api_as, rep, field, value):
    target = ClientFactory(account_owner=rep)

    response = api_as(rep).post(CONTACTS, {"client": target.pk, "name": "Dora", field: value}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()


def test_it_refuses_a_manager_from_another_client(api_as, rep):
    target = ClientFactory(account_owner=rep)
    stranger = ContactFactory(client=ClientFactory())

    response = api_as(rep).post(
        CONTACTS, {"client": target.pk, "name": "Dora", "reports_to": stranger.pk}, format="json"
    )

    assert response.status_code == 400
    assert "another client" in response.json()["reports_to"][0]
    assert not Contact.objects.filter(client=target).exists()


def test_it_refuses_a_loop_and_a_self_report(api_as, rep):
    _target, people = client_with_chart(owner=rep)
    caller = api_as(rep)
    before = _snapshot(Contact)

    loop = caller.patch(f"{CONTACTS}{people['ceo'].pk}/", {"reports_to": people["lead"].pk}, format="json")
    itself = caller.patch(f"{CONTACTS}{people['cio'].pk}/", {"reports_to": people["cio"].pk}, format="json")

    assert (loop.status_code, itself.status_code) == (400, 400)
    assert "loop" in loop.json()["reports_to"][0]
    assert itself.json()["reports_to"] == ["A contact cannot report to themselves."]
    assert _snapshot(Contact) == before


def test_a_contact_stays_with_its_client(api_as, rep):
    target, people = client_with_chart(owner=rep)
    other = ClientFactory()

    response = api_as(rep).patch(f"{CONTACTS}{people['lead'].pk}/", {"client": other.pk}, format="json")

    assert response.status_code == 400
    assert "client" in response.json()
    people["lead"].refresh_from_db()
    assert people["lead"].client == target


def test_removing_a_contact_moves_the_reports_up(api_as, rep):
    _target, people = client_with_chart(owner=rep)

    response = api_as(rep).delete(f"{CONTACTS}{people['cio'].pk}/")

    assert response.status_code == 204
    people["lead"].refresh_from_db()
    assert people["lead"].reports_to == people["ceo"]


@pytest.mark.parametrize("persona", ["pm", "outsider"])
def test_readers_get_403_on_contact_writes(request, api_as, persona, rep):
    target, people = client_with_chart(owner=rep)
    caller = api_as(request.getfixturevalue(persona))
    before = _snapshot(Contact)

    assert caller.post(CONTACTS, {"client": target.pk, "name": "X"}, format="json").status_code == 403
    assert caller.patch(f"{CONTACTS}{people['lead'].pk}/", {"name": "X"}, format="json").status_code == 403
    assert caller.delete(f"{CONTACTS}{people['lead'].pk}/").status_code == 403
    assert _snapshot(Contact) == before


# --- The brief --------------------------------------------------------------------------------
def test_the_account_owner_reads_the_brief_with_its_confidential_notes(api_as, rep):
    target = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=target, version=1, background="Family-owned.", confidential_notes="SECRET")

    body = api_as(rep).get(brief_url(target)).json()

    assert (body["background"], body["confidential_notes"], body["version"]) == ("Family-owned.", "SECRET", 2)


def test_a_reviewing_pm_reads_the_confidential_notes(api_as, rep, pm):
    target = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=target, version=1, confidential_notes="SECRET")
    make_reviewer(client=target, pm=pm)

    assert api_as(pm).get(brief_url(target)).json()["confidential_notes"] == "SECRET"


@pytest.mark.parametrize("persona", ["other_rep", "pm", "other_pm", "outsider"])
def test_the_brief_leaves_the_confidential_notes_out_for_others(request, api_as, persona, rep):
    target = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=target, version=1, background="Family-owned.", confidential_notes="SECRET")

    response = api_as(request.getfixturevalue(persona)).get(brief_url(target))

    assert response.status_code == 200
    assert "confidential_notes" not in response.json()
    assert "SECRET" not in response.content.decode()
    assert response.json()["background"] == "Family-owned."


def test_a_rep_saves_the_brief_at_its_version(api_as, rep, other_rep):
    target = ClientFactory(account_owner=rep)

    response = api_as(other_rep).put(
        brief_url(target), {"background": "Family-owned.", "goals": "One ERP.", "version": 1}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["version"], response.json()["goals"]) == (2, "One ERP.")
    assert "confidential_notes" not in response.json()


def test_a_stale_brief_gets_409_with_the_current_version(api_as, rep, other_rep):
    target = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=target, version=1, background="Rita's text")

    response = api_as(other_rep).put(brief_url(target), {"background": "Otto's text", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert (body["code"], body["current_version"]) == ("stale_version", 2)
    assert body["detail"]
    brief = ClientBrief.objects.get(client=target)
    assert (brief.version, brief.background) == (2, "Rita's text")


def test_confidential_notes_sent_by_someone_not_entitled_get_400(api_as, rep, other_rep):
    target = ClientFactory(account_owner=rep)
    brief_update(actor=rep, client=target, version=1, confidential_notes="SECRET")

    response = api_as(other_rep).put(
        brief_url(target), {"background": "New", "confidential_notes": "Overwritten", "version": 2}, format="json"
    )

    assert response.status_code == 400
    assert "confidential_notes" in response.json()
    brief = ClientBrief.objects.get(client=target)
    assert (brief.version, brief.background, brief.confidential_notes) == (2, "", "SECRET")


@pytest.mark.parametrize(
    "body",
    [{"background": "x"}, {"background": "x", "version": 0}, {"politics": "x" * 10001, "version": 1}],
)
def test_it_refuses_a_bad_brief_with_400(api_as, rep, body):
    target = ClientFactory(account_owner=rep)

    response = api_as(rep).put(brief_url(target), body, format="json")

    assert response.status_code == 400
    assert ClientBrief.objects.get(client=target).version == 1


@pytest.mark.parametrize("persona", ["pm", "outsider"])
def test_readers_get_403_on_the_brief(request, api_as, persona, rep):
    target = ClientFactory(account_owner=rep)

    response = api_as(request.getfixturevalue(persona)).put(
        brief_url(target), {"goals": "x", "version": 1}, format="json"
    )

    assert response.status_code == 403
    assert ClientBrief.objects.get(client=target).goals == ""


# --- The schema -----------------------------------------------------------------------------
def _client_schema() -> dict:
    """The OpenAPI schema of the client endpoints alone (the same generator as /api/schema/)."""
    generator = SchemaGenerator(patterns=[path("api/v1/", include("clients.api.urls"))])
    return generator.get_schema(request=None, public=True)


def test_the_schema_describes_the_client_endpoints(capsys):
    schema = _client_schema()

    brief = schema["paths"]["/api/v1/clients/{id}/brief/"]
    assert set(brief) >= {"get", "put"}
    assert set(brief["put"]["responses"]) >= {"200", "400", "403", "409"}
    assert "version" in schema["components"]["schemas"]["BriefUpdateRequest"]["required"]
    clients = schema["paths"]["/api/v1/clients/"]["get"]
    assert {parameter["name"] for parameter in clients["parameters"]} >= {"status", "account_owner", "search", "page"}
    contacts = schema["paths"]["/api/v1/contacts/"]["get"]
    assert "client" in {parameter["name"] for parameter in contacts["parameters"]}
    assert "confidential_notes" not in schema["components"]["schemas"]["Brief"].get("required", [])
    assert "Warning" not in capsys.readouterr().err
