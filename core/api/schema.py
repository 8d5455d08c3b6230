"""The OpenAPI schema documents the error answers every endpoint can give, not only its success.

Clients (and the API fuzzing gate) rely on the schema listing each status an
operation may answer with its body: 400 ``{field: [messages]}`` for bad input
or filters, 401 without credentials, 403 for a role that may not, 404 for an
unknown id or page, 429 when throttled. A view's own ``@extend_schema``
responses (a 409 with its ``DomainError`` body, say) take precedence.
"""

from __future__ import annotations

import copy

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions, serializers

from core.api.fields import DecimalString
from core.api.filters import RefuseBlankFilters


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


INVALID = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {},
        "description": "`{field: [messages]}` (or `non_field_errors`); nothing changed",
    },
    description="Invalid input",
)
UNAUTHENTICATED = OpenApiResponse(ErrorDetailSerializer, description="No or an invalid token or session")
FORBIDDEN = OpenApiResponse(ErrorDetailSerializer, description="Your role may not do this")
NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description="No such object that you may see, or no such page")
THROTTLED = OpenApiResponse(ErrorDetailSerializer, description="Too many requests: try again later")


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:  # excluded from the schema
            return operation
        responses = operation.setdefault("responses", {})
        for code, response in self._error_responses(operation):
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        if not self._needs_authentication():
            # Anonymous: no security requirement at all (not the global one, which generated clients inherit).
            operation["security"] = []
        backends = getattr(self.view, "filter_backends", None)
        if backends is not None and RefuseBlankFilters not in backends:
            # A view with its own ``filter_backends`` would read ``?x=`` as "no filter" again.
            warn(f"{self.view.__class__.__name__}: list core.api.filters.RefuseBlankFilters first in filter_backends")
        for parameter in operation.get("parameters", []):
            # ``?ordering=`` or ``?search=`` is a 400 like every empty parameter (core.api.filters.RefuseBlankFilters).
            schema = parameter.get("schema", {})
            if parameter.get("in") == "query" and schema.get("type") == "string" and not schema.get("enum"):
                schema.setdefault("minLength", 1)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops ``allow_blank`` from read-only model fields, so a blank choice ("" = not set yet,
        # a commitment's unmarked feasibility) would fall outside the documented enum.
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            model_field = _model_field(field)
            if model_field is not None and model_field.blank:
                field = copy.copy(field)
                field.allow_blank = True
        if direction == "request" and _plain_writable_decimal(field):
            # `spectacular --fail-on-warn` (tests/quality/test_schema.py) then fails: the schema says
            # "string", and only DecimalString refuses the JSON number a plain DecimalField would take.
            warn(f"{field.parent.__class__.__name__}.{field.field_name}: use core.api.fields.DecimalString")
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.DecimalField) and "pattern" in schema:
            schema = {**schema, "pattern": _decimal_pattern(field)}
        return schema

    def _insert_field_validators(self, field, schema):
        # drf-spectacular documents "" beside a format ("oneOf": [email, empty]) for fields with
        # ``allow_blank``, which DRF drops from read-only model fields: an optional address the API answers
        # as "" (a user without e-mail) would break its own ``format: email``.
        if _blank_read_only_text(field):
            field = copy.copy(field)
            field.allow_blank = True
        super()._insert_field_validators(field, schema)

    def _get_request_for_media_type(self, serializer, direction="request"):
        # A serializer marked ``partial_on_patch = False`` validates a PATCH body whole (its required
        # fields, such as ``version``, stay required), so document it like a POST body.
        if self.method == "PATCH" and getattr(serializer, "partial_on_patch", True) is False:
            self.method = "POST"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _error_responses(self, operation: dict) -> list[tuple[str, OpenApiResponse]]:
        errors = []
        takes_query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
        if takes_query or "requestBody" in operation or self.method in ("POST", "PUT", "PATCH"):
            errors.append(("400", INVALID))
        if self._needs_authentication():
            errors += [("401", UNAUTHENTICATED), ("403", FORBIDDEN)]
        if "{" in self.path or self._is_list_view():
            errors.append(("404", NOT_FOUND))
        if getattr(self.view, "throttle_classes", None):
            errors.append(("429", THROTTLED))
        return errors

    def _needs_authentication(self) -> bool:
        classes = getattr(self.view, "permission_classes", None) or []
        return any(cls is not permissions.AllowAny for cls in classes)


def resource_tag(path: str) -> str:
    """``/api/v1/change-requests/{id}/decide/`` → ``change-requests``: the resource is the first segment after the version."""
    parts = [part for part in path.split("/") if part]
    if parts[:1] == ["api"] and len(parts) > 1 and parts[1].startswith("v") and parts[1][1:].isdigit():
        parts = parts[2:]
    elif parts[:1] == ["api"]:
        parts = parts[1:]
    return parts[0] if parts else "api"


def resource_tags(result, generator, request, public):
    """Postprocessing hook: every operation carries exactly its resource's tag, whatever its view declared.

    Generated clients lay out their modules by tag; a ``v1`` tag for most resources and a resource tag for a
    few (``offers`` holding only ``win``) scattered them.
    """
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and method in ("get", "put", "patch", "post", "delete", "head", "options"):
                operation["tags"] = [resource_tag(path)]
    return result


def _plain_writable_decimal(field) -> bool:
    return isinstance(field, serializers.DecimalField) and not field.read_only and not isinstance(field, DecimalString)


def _blank_read_only_text(field) -> bool:
    """A read-only text field whose model field may hold "" (``blank=True``)."""
    if not isinstance(field, serializers.CharField) or not field.read_only or field.allow_blank:
        return False
    model_field = _model_field(field)
    return model_field is not None and model_field.blank


def _model_field(field):
    """The model field a serializer field reads, when it reads one directly."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return None
    try:
        return model._meta.get_field(field.source)
    except FieldDoesNotExist:
        return None


def _decimal_pattern(field: serializers.DecimalField) -> str:
    """A decimal string with at least one digit, signed only when the field takes negative values."""
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    places = field.decimal_places
    whole = field.max_whole_digits
    if not places:
        return rf"^{sign}\d{{1,{whole}}}$"
    if not whole:
        return rf"^{sign}0?\.\d{{1,{places}}}$"
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"
