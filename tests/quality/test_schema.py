"""The OpenAPI schema (issue 7): valid, warning-free, and the one the API fuzzing gate fuzzes."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.factories import UserFactory


def test_it_generates_a_valid_schema_without_warnings(tmp_path):
    # `manage.py spectacular --validate --fail-on-warn`: any warning (an untyped field, two
    # components with one name, an ambiguous enum) fails, as does an invalid OpenAPI document.
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    assert target.read_text().startswith("openapi: 3")


@pytest.mark.django_db
def test_it_serves_the_schema_the_fuzzer_fuzzes(api_as):
    user = UserFactory(roles=["sales"])

    served = api_as(user).get("/api/schema/", {"format": "json"})

    assert served.status_code == 200
    generated = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    assert json.loads(served.content) == generated


@pytest.mark.django_db
def test_it_keeps_the_schema_from_anonymous_users(api):
    assert api.get("/api/schema/").status_code in (401, 403)


def test_it_documents_the_error_answers_of_every_operation():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]

    assert operations
    for path, method, operation in operations:
        codes = set(operation["responses"])
        if path != "/api/v1/auth/token/":
            assert {"401", "403"} <= codes, f"{method.upper()} {path} documents {sorted(codes)}"
        if "{" in path:
            assert "404" in codes, f"{method.upper()} {path} documents {sorted(codes)}"
        if method in ("post", "put", "patch"):
            assert "400" in codes, f"{method.upper()} {path} documents {sorted(codes)}"


def test_it_documents_json_request_bodies_only():
    """JSON everywhere, except the document upload, which is a file (multipart, SPEC §7.4)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)

    media_types = {
        (path, method, media_type)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        for media_type in operation.get("requestBody", {}).get("content", {})
    }

    assert {media_type for _, _, media_type in media_types} == {"application/json", "multipart/form-data"}
    assert {(path, method) for path, method, media_type in media_types if media_type != "application/json"} == {
        ("/api/v1/documents/", "post")
    }
