"""/api/v1/documents/ (SPEC §7.4): upload (multipart), list, read, download, delete."""

from __future__ import annotations

import hashlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from handoff.services.handoffs import offer_win
from tests.documents.conftest import EXE_BYTES
from tests.projects.factories import sent_offer

URL = "/api/v1/documents/"


@pytest.fixture
def offer(rep, pm):
    return sent_offer(owner=rep, reviewer=pm)


def post(api, body: dict, content: bytes | None = None, name: str = "Proposal.pdf"):
    if content is not None:
        body = {**body, "file": SimpleUploadedFile(name, content)}
    return api.post(URL, body, format="multipart")


def stream(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_uploads_and_answers_201_with_the_description(api_as, rep, offer, pdf_bytes):
    response = post(api_as(rep), {"offer": offer.pk, "title": "Proposal v1"}, pdf_bytes)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {
        "id",
        "title",
        "file_name",
        "size",
        "sha256",
        "content_type",
        "confidential",
        "uploaded_by",
        "uploaded_at",
        "download_url",
    }
    assert body["sha256"] == hashlib.sha256(pdf_bytes).hexdigest()
    assert (body["title"], body["file_name"], body["size"]) == ("Proposal v1", "Proposal.pdf", len(pdf_bytes))
    assert (body["uploaded_by"], body["parent"], body["parent_id"], body["frozen"]) == (
        rep.pk,
        "offer",
        offer.pk,
        False,
    )
    assert body["download_url"].endswith(f"/api/v1/documents/{body['id']}/download/")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),  # no parent
        ({"offer": 1, "client": 1}, "non_field_errors"),  # two parents
        ({"offer": 999999}, "offer"),
        ({"offer": "abc"}, "offer"),
    ],
)
def test_it_refuses_other_than_exactly_one_existing_parent(api_as, rep, offer, pdf_bytes, body, field):
    response = post(api_as(rep), body, pdf_bytes)
    assert response.status_code == 400
    assert field in response.json()
    assert not Document.objects.exists()


def test_it_refuses_a_missing_file(api_as, rep, offer):
    response = post(api_as(rep), {"offer": offer.pk})
    assert response.status_code == 400
    assert "file" in response.json()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "empty.pdf"),
        (EXE_BYTES, "contract.pdf"),
        (b"%PDF-1.4\n...", "contract.docx"),
        (b"<html><script>alert(1)</script></html>", "page.html"),
    ],
)
def test_it_refuses_bad_files_with_400_on_file(api_as, rep, offer, content, name):
    response = post(api_as(rep), {"offer": offer.pk}, content, name)
    assert response.status_code == 400
    assert "file" in response.json()
    assert not Document.objects.exists()


def test_it_refuses_a_file_over_the_limit(api_as, rep, offer, settings):
    settings.DOCUMENT_MAX_MB = 1
    response = post(api_as(rep), {"offer": offer.pk}, b"a" * (1024 * 1024 + 10), "big.txt")
    assert response.status_code == 400
    assert "limit of 1 MB" in response.json()["file"][0]


def test_it_answers_403_to_someone_who_may_not_write_the_parent(api_as, other_rep, offer, pdf_bytes):
    response = post(api_as(other_rep), {"offer": offer.pk}, pdf_bytes)
    assert response.status_code == 403
    assert not Document.objects.exists()


def test_it_answers_503_when_the_store_is_down(api_as, rep, offer, pdf_bytes):
    with mock.patch("documents.storage.document_storage") as store:
        store.return_value.save.side_effect = OSError("unreachable")
        response = post(api_as(rep), {"offer": offer.pk}, pdf_bytes)
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert not Document.objects.exists()


def test_it_lists_by_parent_and_hides_confidential_documents(api_as, rep, other_rep, offer, pdf_bytes):
    api = api_as(rep)
    public = post(api, {"offer": offer.pk}, pdf_bytes).json()["id"]
    secret = post(api, {"offer": offer.pk, "confidential": "true"}, pdf_bytes).json()["id"]
    post(api, {"client": offer.client_id}, pdf_bytes)
    assert {item["id"] for item in api.get(URL, {"offer": offer.pk}).json()["results"]} == {public, secret}
    other = api_as(other_rep)
    assert [item["id"] for item in other.get(URL, {"offer": offer.pk}).json()["results"]] == [public]
    assert other.get(f"{URL}{secret}/").status_code == 404
    assert other.get(f"{URL}{secret}/download/").status_code == 404


def test_it_downloads_the_same_bytes_as_an_attachment(api_as, rep, other_rep, offer, pdf_bytes):
    document = post(api_as(rep), {"offer": offer.pk}, pdf_bytes, "Angebot für Müller.pdf").json()
    response = api_as(other_rep).get(f"{URL}{document['id']}/download/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert hashlib.sha256(stream(response)).hexdigest() == document["sha256"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Angebot%20f%C3%BCr%20M%C3%BCller.pdf" in response["Content-Disposition"]


def test_the_uploader_deletes_and_a_frozen_document_is_a_409(api_as, rep, manager, offer, pdf_bytes):
    api = api_as(rep)
    kept = post(api, {"offer": offer.pk}, pdf_bytes).json()["id"]
    dropped = post(api, {"offer": offer.pk}, pdf_bytes).json()["id"]
    assert api_as(manager).delete(f"{URL}{dropped}/").status_code == 403
    api = api_as(rep)
    assert api.delete(f"{URL}{dropped}/").status_code == 204
    offer_win(offer=offer, actor=rep)
    response = api.delete(f"{URL}{kept}/")
    assert response.status_code == 409
    assert response.json()["code"] == "frozen"
    assert Document.objects.filter(pk=kept).exists()


def test_the_handoff_lists_the_documents_sold(api_as, rep, pm, offer, pdf_bytes):
    document = post(api_as(rep), {"offer": offer.pk}, pdf_bytes).json()
    handoff = offer_win(offer=offer, actor=rep)
    body = api_as(pm).get(f"/api/v1/handoffs/{handoff.pk}/").json()
    [sold] = body["documents"]
    assert (sold["id"], sold["sha256"], sold["size"]) == (document["id"], document["sha256"], document["size"])
    download = api_as(pm).get(sold["download_url"])
    assert hashlib.sha256(stream(download)).hexdigest() == document["sha256"]


def test_the_list_query_count_does_not_grow(api_as, rep, offer, pdf_bytes, django_assert_num_queries):
    api = api_as(rep)
    for _ in range(3):
        post(api, {"offer": offer.pk}, pdf_bytes)
    api.get(URL)
    with django_assert_num_queries(4):  # session, user with roles, count, page
        assert api.get(URL, {"offer": offer.pk}).json()["count"] == 3
    post(api, {"offer": offer.pk}, pdf_bytes)
    with django_assert_num_queries(4):
        assert api.get(URL, {"offer": offer.pk}).json()["count"] == 4


def test_the_schema_documents_the_multipart_upload(api_as, rep):
    schema = api_as(rep).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/documents/"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert "503" in operation["responses"]
