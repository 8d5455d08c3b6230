from __future__ import annotations

from rest_framework import serializers


class ContactImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True, help_text="CSV (UTF-8 or Windows-1252, `,` or `;`) or Excel (.xlsx); one row per contact"
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="true: check and count only, write nothing"
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        allow_null=True, help_text="The row in the file (the header is row 1); null: the file"
    )
    column = serializers.CharField(allow_null=True, help_text="The column (`client`, `email`, ...); null: the row")
    message = serializers.CharField()


class ContactImportResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)
