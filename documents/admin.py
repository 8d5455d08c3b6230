from django.contrib import admin

from documents.models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents change only through their services (upload, delete, freeze)."""

    list_display = ["title", "file_name", "client", "size", "confidential", "uploaded_by", "uploaded_at", "frozen_at"]
    list_filter = ["confidential"]
    search_fields = ["title", "file_name", "sha256"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
