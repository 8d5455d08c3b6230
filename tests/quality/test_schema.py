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
    """JSON everywhere, except the two uploads of a file (multipart): a document (SPEC §7.4) and a
    contacts import (SPEC §7.7)."""
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
        ("/api/v1/documents/", "post"),
        ("/api/v1/imports/contacts/", "post"),
    }


# --- The contract a generated client relies on (issue 18) -------------------------------------
def _schema() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def _accepts_empty(property_schema: dict) -> bool:
    """Whether "" is valid for a string property (directly or as one of its alternatives)."""
    alternatives = property_schema.get("oneOf") or [property_schema]
    return any(
        alternative.get("type") == "string" and "format" not in alternative and not alternative.get("minLength")
        for alternative in alternatives
    )


def test_it_documents_the_empty_answer_of_optional_addresses():
    # A user without an e-mail address is answered as "email": "" (was `format: email`, which "" breaks).
    schema = _schema()

    assert _accepts_empty(schema["components"]["schemas"]["User"]["properties"]["email"])
    assert _accepts_empty(schema["components"]["schemas"]["Contact"]["properties"]["email"])
    assert _accepts_empty(schema["components"]["schemas"]["Client"]["properties"]["website"])


def test_it_promises_a_format_only_where_the_model_requires_a_value():
    # Any text with a format in an answer comes from a model field that cannot be blank, or allows "" too.
    from django.apps import apps

    blank_text = {
        (model.__name__, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if getattr(field, "blank", False) and field.get_internal_type() in ("CharField", "EmailField", "URLField")
    }
    for name, component in _schema()["components"]["schemas"].items():
        for prop, property_schema in component.get("properties", {}).items():
            if "format" in property_schema and property_schema.get("type") == "string":
                assert (name, prop) not in blank_text, f"{name}.{prop} may be blank but promises a format"


def test_it_forbids_empty_query_parameters_it_refuses():
    # ``?start=`` is a 400 (core.api.filters.RefuseBlankFilters): no query parameter documents "" as valid.
    for path, method, operation in _operations(_schema()):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                assert not _accepts_empty(parameter["schema"]) or parameter["schema"].get("enum"), (
                    f"{method.upper()} {path} ?{parameter['name']}= is documented as valid"
                )


def test_it_documents_decimals_as_strings_only():
    # A JSON number for a decimal is a 400 (core.api.fields.DecimalString): every decimal is a string.
    for name, component in _schema()["components"]["schemas"].items():
        for prop, property_schema in component.get("properties", {}).items():
            if property_schema.get("format") == "decimal":
                assert property_schema["type"] == "string", f"{name}.{prop}"


def test_it_documents_the_token_endpoint_as_anonymous():
    operation = _schema()["paths"]["/api/v1/auth/token/"]["post"]

    assert operation["security"] == []
    assert {"401", "403"}.isdisjoint(operation["responses"])


def test_it_documents_a_409_wherever_a_stale_version_can_be_answered():
    schema = _schema()
    for path, method, operation in _operations(schema):
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        component = schema["components"]["schemas"].get(body.get("$ref", "").rsplit("/", 1)[-1], {})
        if "version" in component.get("required", []):
            assert "409" in operation["responses"], f"{method.upper()} {path}"


def test_it_tags_every_operation_with_its_resource():
    # One module per resource in a generated client (was: `v1` for most, `offers` for `win` alone).
    tags = {}
    for path, method, operation in _operations(_schema()):
        resource = path.removeprefix("/api/v1/").split("/")[0]
        assert operation["tags"] == [resource], f"{method.upper()} {path}: {operation['tags']}"
        tags.setdefault(resource, 0)
        tags[resource] += 1
    assert "v1" not in tags
    assert tags["offers"] > 1
