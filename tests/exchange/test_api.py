"""POST /api/v1/imports/contacts/ (SPEC §7.7)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clients.models import Contact
from tests.exchange.helpers import csv_bytes, row, xlsx_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/contacts/"


def post(api, content: bytes, *, dry_run: str | None = None, name: str = "contacts.csv"):
    data = {"file": SimpleUploadedFile(name, content)}
    if dry_run is not None:
        data["dry_run"] = dry_run
    return api.post(URL, data, format="multipart")


def test_it_counts_on_a_dry_run_and_writes_nothing(api_as, rep):
    response = post(api_as(rep), csv_bytes([row(), row(name="Jonas", email="j@nordwind.example")]), dry_run="true")

    assert response.status_code == 200
    assert response.json() == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert not Contact.objects.exists()


def test_it_imports_and_then_finds_nothing_to_change(api_as, rep):
    api = api_as(rep)
    content = xlsx_bytes([row()])

    first = post(api, content, dry_run="false", name="contacts.xlsx")
    second = post(api, content, dry_run="false", name="contacts.xlsx")

    assert first.status_code == 200
    assert first.json()["created"] == 1
    assert second.json() == {"rows": 1, "created": 0, "updated": 0, "unchanged": 1, "errors": []}
    assert Contact.objects.count() == 1


def test_it_answers_400_with_every_error_and_writes_nothing(api_as, rep):
    response = post(api_as(rep), csv_bytes([row(), row(buying_role="boss", email="x@nordwind.example")]))

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "row": 3,
            "column": "buying_role",
            "message": "“boss” is not a buying role; use one of: Decision maker, Influencer, Champion, User, "
            "Blocker, Other.",
        }
    ]
    assert not Contact.objects.exists()


def test_it_lists_errors_on_a_dry_run_with_200(api_as, rep):
    response = post(api_as(rep), b"", dry_run="true")

    assert response.status_code == 200
    assert response.json()["errors"] == [{"row": None, "column": None, "message": "The file is empty."}]


def test_it_needs_a_file(api_as, rep):
    response = api_as(rep).post(URL, {"dry_run": "true"}, format="multipart")

    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize("persona", ["pm", "manager", "outsider"])
def test_it_is_for_sales_reps_only(request, api_as, persona):
    response = post(api_as(request.getfixturevalue(persona)), csv_bytes([row()]), dry_run="true")

    assert response.status_code == 403


def test_it_refuses_anonymous_callers(api):
    assert post(api, csv_bytes([row()])).status_code in (401, 403)


def test_it_is_in_the_schema(api_as, rep):
    schema = api_as(rep).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"][URL]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert set(operation["responses"]) >= {"200", "400", "403"}
