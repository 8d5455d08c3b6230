"""Serializers of documents (SPEC §7.4): the description of a stored file, and the multipart upload."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from documents import selectors
from documents.inspection import TITLE_MAX
from documents.models import Document, ParentKind

PARENT_KINDS = tuple(ParentKind.values)
NO_SUCH = {
    ParentKind.CLIENT: gettext_lazy("No such client."),
    ParentKind.OFFER: gettext_lazy("No such offer."),
    ParentKind.PROJECT: gettext_lazy("No such project."),
    ParentKind.DELIVERABLE: gettext_lazy("No such deliverable."),
    ParentKind.CHANGE_REQUEST: gettext_lazy("No such change request."),
}


class DocumentSerializer(serializers.ModelSerializer):
    parent = serializers.ChoiceField(source="parent_kind", choices=ParentKind.choices, read_only=True)
    parent_id = serializers.SerializerMethodField()
    frozen = serializers.BooleanField(source="is_frozen", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
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
            "parent",
            "parent_id",
            "client",
            "frozen",
        ]
        read_only_fields = fields

    def get_parent_id(self, document: Document) -> int:
        return getattr(document, f"{document.parent_kind}_id")

    def get_download_url(self, document: Document) -> str:
        url = reverse("document-download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DocumentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="The file; its type is read from its content")
    client = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    offer = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    project = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    deliverable = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    change_request = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX, default="")
    confidential = serializers.BooleanField(required=False, default=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        given = [kind for kind in PARENT_KINDS if data.get(kind) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give exactly one of: client, offer, project, deliverable, change_request.")]}
            )
        kind = given[0]
        try:
            data["parent"] = selectors.parent_get(user=self.context["request"].user, kind=kind, pk=data[kind])
        except (ObjectDoesNotExist, ValueError, TypeError):
            raise serializers.ValidationError({kind: [str(NO_SUCH[kind])]})
        data["kind"] = kind
        return data
