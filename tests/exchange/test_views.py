"""The import page: upload, preview (nothing written), confirm (the same file, checked again; all or none)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, Contact
from exchange.models import PendingImport
from exchange.services import PENDING_TTL
from tests.exchange.helpers import csv_bytes, row
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("exchange:import")


def upload(client, content: bytes, name: str = "contacts.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def confirm_url(response) -> str:
    match = re.search(r'action="(/exchange/import/[0-9a-f-]+/confirm/)"', response.content.decode())
    assert match, "no confirm button"
    return match.group(1)


def test_it_shows_the_upload_form_to_a_rep(client_as, rep):
    response = client_as(rep).get(IMPORT)

    assert response.status_code == 200
    assert 'type="file"' in response.content.decode()


@pytest.mark.parametrize("persona", ["pm", "manager", "outsider"])
def test_it_refuses_the_page_to_everyone_else(request, client_as, persona):
    assert client_as(request.getfixturevalue(persona)).get(IMPORT).status_code == 403


def test_it_previews_every_row_with_its_action_and_writes_nothing(client_as, rep):
    ClientFactory(name="Nordwind GmbH", industry="Logistics", website="https://nordwind.example")
    content = csv_bytes([row(), row("Südhafen AG", "Clara Vogt", "clara@suedhafen.example")])

    response = upload(client_as(rep), content)

    body = response.content.decode()
    assert response.status_code == 200
    assert "2 rows" in body
    assert body.count("badge--ok") == 2  # both rows create (a contact; a client and a contact)
    assert "Südhafen AG" in body
    assert Contact.objects.count() == 0
    assert PendingImport.objects.filter(owner=rep).count() == 1


def test_it_highlights_errors_with_row_and_column_and_offers_no_confirm(client_as, rep):
    response = upload(client_as(rep), csv_bytes([row(), row(title="CEO")]))

    body = response.content.decode()
    assert "Row 3, email: Row 2 has the same contact" in body
    assert 'class="field--error"' in body
    assert "/confirm/" not in body
    assert not PendingImport.objects.exists()


def test_the_preview_escapes_what_the_file_says_in_every_cell_and_error(client_as, rep):
    """The preview's rows are built in Python (exchange/templatetags/import_tags.py), not by the template engine's
    autoescape: markup in a cell, or echoed in an error, is shown as text."""
    markup = '<img src=x onerror="alert(1)">'
    content = csv_bytes(
        [
            row(f"Acme {markup}", f"Ann {markup}", "ann@acme.example", title="<b>Boss</b>"),
            row(f"Acme {markup}", "Bo", "bo@acme.example", reports_to=markup),
        ]
    )

    body = upload(client_as(rep), content).content.decode()

    assert markup not in body and "<b>Boss</b>" not in body
    assert "Acme &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert "&lt;b&gt;Boss&lt;/b&gt;" in body
    assert 'class="field--error"' in body  # reports_to is not an e-mail: its error shows, escaped too


def test_it_imports_on_confirm_and_says_how_many(client_as, rep):
    browser = client_as(rep)
    preview = upload(browser, csv_bytes([row(), row(name="Jonas", email="jonas@nordwind.example")]))

    response = browser.post(confirm_url(preview), follow=True)

    assert Contact.objects.count() == 2
    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged." in response.content.decode()
    assert not PendingImport.objects.exists()


def test_it_checks_the_file_again_on_confirm(client_as, rep):
    browser = client_as(rep)
    preview = upload(browser, csv_bytes([row(account_owner="rep")]))
    # Meanwhile another rep takes the client: the row would now change its account owner.
    ClientFactory(name="Nordwind GmbH")

    response = browser.post(confirm_url(preview))

    assert response.status_code == 400
    assert "Only the account owner" in response.content.decode()
    assert Contact.objects.count() == 0
    assert PendingImport.objects.count() == 1  # the token stays until the file imports


def test_it_imports_a_confirmed_file_once(client_as, rep):
    browser = client_as(rep)
    url = confirm_url(upload(browser, csv_bytes([row()])))
    browser.post(url)

    assert browser.post(url).status_code == 404
    assert Contact.objects.count() == 1


def test_it_refuses_to_confirm_someone_elses_upload(client_as, rep, other_rep):
    url = confirm_url(upload(client_as(rep), csv_bytes([row()])))

    assert client_as(other_rep).post(url).status_code == 404
    assert not Client.objects.exists()


def test_it_forgets_an_old_preview(client_as, rep):
    browser = client_as(rep)
    url = confirm_url(upload(browser, csv_bytes([row()])))
    PendingImport.objects.update(created_at=timezone.now() - PENDING_TTL * 2)

    assert browser.post(url).status_code == 404


def test_it_asks_for_a_file(client_as, rep):
    response = client_as(rep).post(IMPORT, {})

    assert response.status_code == 400
    assert "Choose a CSV or Excel file" in response.content.decode()


def test_the_client_list_links_to_the_import_for_reps(client_as, rep):
    body = client_as(rep).get(reverse("clients:list")).content.decode()

    assert IMPORT in body
