"""The list exports (SPEC §7.7): what the page shows with its filters, as CSV and Excel, neutralised, translated."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from clients.models import BuyingRole, ClientStatus
from exchange.exports import neutralise
from handoff.models import OfferStatus
from projects.models import IssueSeverity
from tests.factories import ClientFactory, ContactFactory, OfferFactory
from tests.projects.factories import ClientIssueFactory, accepted_project

pytestmark = pytest.mark.django_db

SECRET = "They are also talking to a competitor."


def export(browser, name: str, fmt: str = "csv", headers: dict | None = None, **params) -> tablib.Dataset:
    response = browser.get(reverse("exchange:export", args=[name, fmt]), params, headers=headers)
    assert response.status_code == 200, response
    if fmt == "csv":
        assert isinstance(response, StreamingHttpResponse)
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        raw = b"".join(response.streaming_content)
        assert raw.startswith("\ufeff".encode())
        return tablib.Dataset().load(raw.decode("utf-8-sig"), format="csv")
    assert response["Content-Disposition"].startswith('attachment; filename="')
    raw = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(raw), read_only=True).worksheets[0]
    rows = [[cell if cell is not None else "" for cell in row] for row in sheet.iter_rows(values_only=True)]
    dataset = tablib.Dataset(headers=rows[0])
    for row in rows[1:]:
        dataset.append(row)
    return dataset


@pytest.fixture
def clients(rep, other_rep):
    nordwind = ClientFactory(name="Nordwind GmbH", account_owner=rep, status=ClientStatus.ACTIVE)
    ClientFactory(name="Südhafen AG", account_owner=other_rep, industry="Ports")
    ContactFactory(client=nordwind, name="Henrike Albers", email="h@nordwind.example", buying_role=BuyingRole.CHAMPION)
    return nordwind


# --- Every list, both formats --------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_the_client_list_with_its_filters(client_as, rep, clients, fmt):
    browser = client_as(rep)

    everything = export(browser, "clients", fmt)
    filtered = export(browser, "clients", fmt, status="active")
    searched = export(browser, "clients", fmt, q="hafen")
    owned = export(browser, "clients", fmt, owner=rep.pk)

    assert everything.headers[:4] == ["Client", "Industry", "Website", "Status"]
    assert everything["Client"] == ["Nordwind GmbH", "Südhafen AG"]
    assert filtered["Client"] == ["Nordwind GmbH"]
    assert searched["Client"] == ["Südhafen AG"]
    assert owned["Client"] == ["Nordwind GmbH"]
    assert everything[0][6] in (1, "1")  # its contact count, as on the page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_contacts_in_the_import_format(client_as, rep, clients, fmt):
    data = export(client_as(rep), "contacts", fmt)

    assert data.headers == [
        "Client", "Industry", "Website", "Account owner", "Name", "Title", "E-mail", "Phone", "Buying role",
        "Communication style", "Reports to",
    ]  # fmt: skip
    assert data[0][:5] == ("Nordwind GmbH", "Manufacturing", "https://example.com", "rep", "Henrike Albers")
    assert data[0][8] == "Champion"
    # A client without contacts is a row of its own, so the file imports back completely.
    assert data[1][0] == "Südhafen AG"
    assert data[1][4] == ""


def test_it_exports_one_clients_contacts_from_its_page(client_as, rep, clients):
    browser = client_as(rep)
    body = browser.get(reverse("clients:detail", args=[clients.pk])).content.decode()
    assert f"/exchange/export/contacts.csv?client={clients.pk}" in body

    data = export(browser, "contacts", "csv", client=clients.pk)

    assert data["Name"] == ["Henrike Albers"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_the_offer_list_with_its_filters_and_sort(client_as, rep, clients, fmt):
    OfferFactory(client=clients, title="ERP roll-out", status=OfferStatus.DRAFT, value=Decimal("48000.00"))
    OfferFactory(client=clients, title="Data migration", status=OfferStatus.LOST, value=Decimal("9000.50"))
    browser = client_as(rep)

    everything = export(browser, "offers", fmt, sort="title")
    open_ones = export(browser, "offers", fmt, status="open")
    searched = export(browser, "offers", fmt, q="migr")

    assert everything["Title"] == ["Data migration", "ERP roll-out"]
    assert everything.headers[4] == "Value (EUR)"
    assert str(everything[0][4]) in ("9000.50", "9000.5")
    assert open_ones["Title"] == ["ERP roll-out"]
    assert searched["Title"] == ["Data migration"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_the_project_list_with_its_filters(client_as, rep, pm, fmt):
    project = accepted_project(owner=rep, pm=pm)
    browser = client_as(pm)

    everything = export(browser, "projects", fmt)
    others = export(browser, "projects", fmt, status="completed")

    assert everything["Project"] == [project.name]
    assert everything[0][4] == "Paula Manager"
    assert len(others) == 0
    assert SECRET not in str(everything.dict)  # the brief's confidential notes are in no export


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_exports_the_issue_list_with_its_filters(client_as, rep, other_rep, clients, fmt):
    ClientIssueFactory(client=clients, title="Login broken", severity=IssueSeverity.CRITICAL, assignees=[rep])
    ClientIssueFactory(client=clients, title="Typo", severity=IssueSeverity.LOW, created_by=other_rep)
    browser = client_as(rep)

    everything = export(browser, "issues", fmt)
    critical = export(browser, "issues", fmt, severity="critical")
    mine = export(browser, "issues", fmt, mine="1", assignee=rep.pk)

    assert everything["Issue"] == ["Login broken", "Typo"]
    assert everything[0][5] == "Rita Rep"
    assert critical["Issue"] == ["Login broken"]
    assert mine["Issue"] == ["Login broken"]


# --- Scope, safety, language ---------------------------------------------------------------------------
def test_it_sends_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("exchange:export", args=["offers", "csv"]))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(("name", "fmt"), [("briefs", "csv"), ("offers", "pdf")])
def test_it_knows_only_the_lists_and_formats_it_has(client_as, rep, name, fmt):
    assert client_as(rep).get(reverse("exchange:export", args=[name, fmt])).status_code == 404


def test_it_never_exports_confidential_notes(client_as, pm, rep):
    accepted_project(owner=rep, pm=pm)
    browser = client_as(pm)

    for name in ("clients", "contacts", "offers", "projects", "issues"):
        for fmt in ("csv", "xlsx"):
            assert SECRET not in str(export(browser, name, fmt).dict), name


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_it_neutralises_cells_a_spreadsheet_would_run(client_as, rep, fmt):
    client = ClientFactory(name='=HYPERLINK("http://evil")', industry="+cmd|' /C calc'!A0", account_owner=rep)
    ContactFactory(client=client, name="@SUM(1)", title="-2+3", phone="\tx", email="x@example.com")
    browser = client_as(rep)

    clients = export(browser, "clients", fmt)
    contacts = export(browser, "contacts", fmt)

    assert clients[0][:2] == ('\'=HYPERLINK("http://evil")', "'+cmd|' /C calc'!A0")
    assert contacts[0][4:6] == ("'@SUM(1)", "'-2+3")


def test_it_keeps_numbers_as_numbers():
    assert neutralise(Decimal("-5")) == Decimal("-5")
    assert neutralise("-5") == "'-5"
    assert neutralise("\rline") == "'\rline"


def test_it_writes_headers_in_the_users_language(client_as, rep, clients, german):
    # The language as the request decides it (LocaleMiddleware: the user's setting, then Accept-Language).
    with translation.override("de"):
        data = export(client_as(rep), "contacts", headers={"Accept-Language": "de"})
    assert data.headers[:4] == ["Kunde", "Branche", "Webseite", "Kundenverantwortliche:r"]


def test_the_list_pages_carry_export_links_with_their_filters(client_as, rep, pm, clients):
    browser = client_as(rep)
    pages = {
        "clients:list": ("clients", "status=active"),
        "handoff:offer_list": ("offers", "status=open"),
        "projects:list": ("projects", "health=at_risk"),
        "projects:issue_list": ("issues", "severity=high"),
    }
    for page, (name, query) in pages.items():
        body = browser.get(f"{reverse(page)}?{query}").content.decode()
        assert f"/exchange/export/{name}.csv?{query}" in body, page
        assert f"/exchange/export/{name}.xlsx?{query}" in body, page


@pytest.mark.parametrize("name", ["clients", "contacts", "offers", "projects", "issues"])
def test_it_runs_as_many_queries_for_many_rows_as_for_a_few(client_as, rep, name):
    browser = client_as(rep)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            export(browser, name, "csv")
        return len(captured)

    client = ClientFactory(account_owner=rep)
    ContactFactory(client=client)
    OfferFactory(client=client)
    ClientIssueFactory(client=client, assignees=[rep])
    few = queries()
    for _ in range(5):
        client = ClientFactory(account_owner=rep)
        ContactFactory(client=client)
        OfferFactory(client=client)
        ClientIssueFactory(client=client, assignees=[rep])

    assert queries() == few
