"""The same documents on S3-compatible object storage (django-storages), against moto's S3 (SPEC §7.4)."""

from __future__ import annotations

import hashlib

import boto3
import pytest
from botocore.config import Config
from django.core.files.uploadedfile import SimpleUploadedFile
from moto import mock_aws

from documents.models import Document
from tests.projects.factories import sent_offer

BUCKET = "handoff-documents-test"
URL = "/api/v1/documents/"


def s3_storage(**options) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "access_key": "testing",
            "secret_key": "testing",
            "region_name": "us-east-1",
            "location": "documents",
            "default_acl": None,
            "file_overwrite": False,
            **options,
        },
    }


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "documents": s3_storage()}
        yield client


def objects(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_it_uploads_downloads_and_deletes_on_s3(s3, api_as, rep, pdf_bytes, django_capture_on_commit_callbacks):
    offer = sent_offer(owner=rep)
    api = api_as(rep)
    response = api.post(
        URL, {"offer": offer.pk, "file": SimpleUploadedFile("Proposal.pdf", pdf_bytes)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    document = Document.objects.get()
    [key] = objects(s3)
    assert key == f"documents/{document.stored_name}"
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == pdf_bytes

    download = api.get(f"{URL}{document.pk}/download/")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == document.sha256
    assert download["Content-Disposition"] == 'attachment; filename="Proposal.pdf"'

    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{URL}{document.pk}/").status_code == 204
    assert objects(s3) == []


def test_a_missing_bucket_is_a_503_and_leaves_no_row(s3, settings, api_as, rep, pdf_bytes):
    settings.STORAGES = {**settings.STORAGES, "documents": s3_storage(bucket_name="no-such-bucket")}
    offer = sent_offer(owner=rep)
    response = api_as(rep).post(
        URL, {"offer": offer.pk, "file": SimpleUploadedFile("Proposal.pdf", pdf_bytes)}, format="multipart"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert not Document.objects.exists()


def test_an_unreachable_store_is_a_503(settings, api_as, rep, pdf_bytes):
    quick = Config(connect_timeout=0.5, read_timeout=0.5, retries={"max_attempts": 1})
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": s3_storage(endpoint_url="http://127.0.0.1:9", client_config=quick),
    }
    offer = sent_offer(owner=rep)
    response = api_as(rep).post(
        URL, {"offer": offer.pk, "file": SimpleUploadedFile("Proposal.pdf", pdf_bytes)}, format="multipart"
    )
    assert response.status_code == 503
    assert not Document.objects.exists()
