"""/api/v1/documents/ (SPEC §7.4): list (``?client= ?offer= ?project= ?deliverable= ?change_request=``),
upload (multipart), read, delete by the uploader while not frozen, and download.

Thin: every write calls ``documents.services``; reads go through ``documents.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, parsers, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.serializers import DomainErrorSerializer
from documents import selectors, services
from documents.api.serializers import DocumentSerializer, DocumentUploadSerializer
from documents.downloads import download_response
from documents.filters import DocumentFilter
from documents.models import Document


class AnyMediaRenderer(renderers.BaseRenderer):
    """Lets a download be asked for with any Accept header (the file, not JSON, is the answer)."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return renderers.JSONRenderer().render(data, "application/json", renderer_context)


FORBIDDEN = OpenApiResponse(description="You may not attach documents to that parent, or delete this document")
FROZEN = OpenApiResponse(DomainErrorSerializer, description="Frozen into a handoff snapshot (`code: frozen`)")
UNAVAILABLE = OpenApiResponse(DomainErrorSerializer, description="The document store is down; nothing was saved")


@extend_schema_view(
    list=extend_schema(
        summary="List the documents you may see (?client= ?offer= ?project= ?deliverable= ?change_request=)"
    ),
    retrieve=extend_schema(summary="A document's description"),
)
@extend_schema(tags=["documents"])
class DocumentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Documents attached to clients, offers, projects, deliverables and change requests."""

    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter
    lookup_value_regex = r"\d+"
    http_method_names = ["get", "post", "delete", "head", "options"]
    parser_classes = [parsers.MultiPartParser]
    ordering_fields = ["uploaded_at", "id", "size"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return selectors.document_list(user=self.request.user)

    @extend_schema(
        summary="Upload a document (multipart: file, one parent, title?, confidential?)",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, 403: FORBIDDEN, 503: UNAVAILABLE},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = request.data  # parsed here: the upload handler streams the file and enforces the limit
        refused = getattr(request._request, "upload_refused", None)
        if refused:
            raise ValidationError({"file": [refused]})
        body = DocumentUploadSerializer(data=payload, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data["file"]
        document = services.document_upload(
            actor=request.user,
            kind=data["kind"],
            parent=data["parent"],
            file=upload,
            name=upload.name,
            title=data["title"],
            confidential=data["confidential"],
        )
        document = selectors.document_get(user=request.user, pk=document.pk)
        return Response(self.get_serializer(document).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Delete a document (its uploader, while not frozen)", responses={204: None, 403: FORBIDDEN, 409: FROZEN}
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.document_delete(document=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Download the file (as an attachment)",
        responses={
            (200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The file, in its own content type"),
            503: UNAVAILABLE,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, AnyMediaRenderer])
    def download(self, request: Request, pk: str | None = None):
        return download_response(self.get_object())
