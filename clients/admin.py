"""Clients in the Django admin, for superusers who administer the installation.

Briefs are read-only here: they are versioned and edited on the client page
(``clients.services.brief_update``), so the admin never overwrites a newer text.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count

from clients.models import Client, ClientBrief, Contact
from clients.services import check_reports_to


class ContactAdminForm(forms.ModelForm):
    """The admin keeps the org chart sound too: same client, no loops."""

    class Meta:
        model = Contact
        fields = ["client", "name", "title", "email", "phone", "reports_to", "buying_role", "communication_style"]

    def clean(self):
        cleaned = super().clean()
        errors: dict[str, list[str]] = {}
        if cleaned.get("client") is not None:
            self.instance.client = cleaned["client"]
            self.instance.reports_to = cleaned.get("reports_to")
            check_reports_to(self.instance, errors)
        if errors:
            raise ValidationError(errors)
        return cleaned


class ContactInline(admin.TabularInline):
    model = Contact
    form = ContactAdminForm
    fk_name = "client"
    extra = 0
    fields = ["name", "title", "email", "phone", "reports_to", "buying_role"]
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "reports_to":
            client_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = Contact.objects.filter(client_id=client_id) if client_id else Contact.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "industry", "status", "account_owner", "contact_total", "created_at"]
    list_filter = ["status", "account_owner", "industry"]
    search_fields = ["name", "industry", "website", "contacts__name"]
    list_select_related = ["account_owner"]
    autocomplete_fields = ["account_owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContactInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contact_total=Count("contacts"))

    @admin.display(description="Contacts", ordering="contact_total")
    def contact_total(self, obj: Client) -> int:
        return obj.contact_total


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    form = ContactAdminForm
    list_display = ["name", "title", "client", "buying_role", "reports_to", "email", "phone"]
    list_filter = ["buying_role", "client__status"]
    search_fields = ["name", "title", "email", "client__name"]
    list_select_related = ["client", "reports_to"]
    autocomplete_fields = ["client", "reports_to"]


@admin.register(ClientBrief)
class ClientBriefAdmin(admin.ModelAdmin):
    list_display = ["client", "version", "updated_by", "updated_at"]
    search_fields = ["client__name"]
    list_select_related = ["client", "updated_by"]
    readonly_fields = [
        "client",
        "version",
        "background",
        "goals",
        "expectations",
        "politics",
        "dos_and_donts",
        "confidential_notes",
        "updated_by",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    # SPEC §2: the confidential notes are not for every staff user with view permission.
    # The admin cannot tell whether a staff user reviews or runs a project of the client,
    # so only superusers see them here; everyone else reads them in the portal, if entitled.
    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [field for field in fields if field != "confidential_notes"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if request.user.is_superuser else [field for field in fields if field != "confidential_notes"]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if request.user.is_superuser else [*exclude, "confidential_notes"]
