"""``POST /api/v1/imports/contacts/``: the import of SPEC §7.7, through the same code as the import page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clients.services import WRITERS_ONLY, can_write_clients
from exchange.api.serializers import ContactImportRequestSerializer, ContactImportResultSerializer
from exchange.services import contacts_import


class SalesOnly(permissions.BasePermission):
    message = gettext_lazy(WRITERS_ONLY)

    def has_permission(self, request: Request, view) -> bool:
        return can_write_clients(request.user)


class ContactImportView(APIView):
    permission_classes = [permissions.IsAuthenticated, SalesOnly]
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        summary="Import clients and contacts from CSV or Excel (dry_run=true: check only)",
        request={"multipart/form-data": ContactImportRequestSerializer},
        responses={
            200: ContactImportResultSerializer,
            400: OpenApiResponse(
                description="dry_run=false and the file has errors: the same body as 200, its `errors` listing "
                "each with row and column, and nothing written; or `{file: [...]}` without a usable file"
            ),
            403: OpenApiResponse(description="Only sales reps import clients and contacts"),
        },
        tags=["imports"],
    )
    def post(self, request: Request) -> Response:
        payload = request.data  # parsed here: the upload handler enforces the size limit while streaming
        refused = getattr(request._request, "upload_refused", None)
        if refused:
            raise ValidationError({"file": [refused]})
        body = ContactImportRequestSerializer(data=payload)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        dry_run = body.validated_data["dry_run"]
        with upload.open("rb") as handle:
            content = handle.read()
        result = contacts_import(actor=request.user, content=content, filename=upload.name or "", dry_run=dry_run)
        data = result.as_dict()
        failed = bool(data["errors"]) and not dry_run
        return Response(data, status=status.HTTP_400_BAD_REQUEST if failed else status.HTTP_200_OK)
