"""Export the demo clients and contacts, import them into an empty database, export again: the same file (SPEC §7.7)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts import demo as demo_accounts
from clients import demo as demo_clients
from clients.models import Client, Contact
from exchange.services import contacts_import

pytestmark = pytest.mark.django_db


def exported(browser, fmt: str) -> bytes:
    response = browser.get(reverse("exchange:export", args=["contacts", fmt]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def cells(raw: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(raw), read_only=True).worksheets[0].iter_rows(values_only=True))


def empty_the_clients() -> None:
    # The users stay (account owners are named by user name); every client, contact and brief goes.
    Contact.objects.update(reports_to=None)
    Contact.objects.all().delete()
    Client.objects.all().delete()


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_clients_and_contacts_survive_a_round_trip(client, fmt, language, german):
    users = demo_accounts.seed()
    demo_clients.seed()
    rita = users["rita"]
    client.force_login(rita)
    contacts = Contact.objects.count()
    clients = Client.objects.count()
    assert contacts > 10

    with translation.override(language):
        first = exported(client, fmt)
        empty_the_clients()
        result = contacts_import(actor=rita, content=first, filename=f"contacts.{fmt}", dry_run=False)
        assert result.errors == []
        second = exported(client, fmt)

    assert (Client.objects.count(), Contact.objects.count()) == (clients, contacts)
    if fmt == "csv":
        assert second == first
    else:
        # A workbook's zip stamps its own creation time: compare the cells.
        assert cells(second) == cells(first)
    # Importing the export once more finds nothing to change.
    again = contacts_import(actor=rita, content=second, filename=f"contacts.{fmt}", dry_run=True).as_dict()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, again["rows"])
