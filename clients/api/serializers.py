"""Clients, contacts and briefs in the API. Shapes and field checks only: the services decide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from rest_framework import serializers

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, ClientStatus, Contact


class ClientSerializer(serializers.ModelSerializer):
    account_owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        help_text="A sales rep's user id. On create it defaults to the creator (a sales rep). "
        "Only the account owner or a manager changes it.",
    )
    account_owner_name = serializers.CharField(source="account_owner.full_name", read_only=True)
    status = serializers.ChoiceField(
        choices=ClientStatus.choices,
        required=False,
        help_text="Only the account owner or a manager changes it.",
    )
    contact_count = serializers.IntegerField(read_only=True)
    open_offer_count = serializers.IntegerField(read_only=True, help_text="Offers in draft, review or sent.")
    project_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "industry",
            "website",
            "account_owner",
            "account_owner_name",
            "status",
            "contact_count",
            "open_offer_count",
            "project_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"name": {"help_text": "Unique, whatever the case."}}
        # The case-insensitive uniqueness is the service's check, with its own message.
        validators: list = []


class ContactSerializer(serializers.ModelSerializer):
    reports_to = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text="Another contact of the same client; no loops.",
    )
    buying_role = serializers.ChoiceField(choices=BuyingRole.choices, required=False, default=BuyingRole.OTHER)

    class Meta:
        model = Contact
        fields = [
            "id",
            "client",
            "name",
            "title",
            "email",
            "phone",
            "reports_to",
            "buying_role",
            "communication_style",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"client": {"help_text": "Set on create; a contact stays with its client."}}

    def validate_client(self, client: Client) -> Client:
        if self.instance is not None and client.pk != self.instance.client_id:
            raise serializers.ValidationError(
                gettext("A contact stays with its client; add a new contact to the other client.")
            )
        return client


BRIEF_TEXT = {"max_length": 10000, "allow_blank": True, "required": False, "trim_whitespace": True}


class BriefSerializer(serializers.Serializer):
    """The client brief. ``confidential_notes`` is absent (not empty) for readers not entitled to it."""

    client = serializers.IntegerField(source="client_id", read_only=True)
    background = serializers.CharField(read_only=True)
    goals = serializers.CharField(read_only=True)
    expectations = serializers.CharField(read_only=True)
    politics = serializers.CharField(read_only=True)
    dos_and_donts = serializers.CharField(read_only=True)
    # Not read-only, so the schema shows it as optional: it is absent for readers not entitled.
    confidential_notes = serializers.CharField(
        **BRIEF_TEXT,
        help_text="Only for the account owner, PMs reviewing an offer of the client or owning one of its "
        "projects, and managers: left out of the response for everyone else, and refused (400) when "
        "they send it.",
    )
    version = serializers.IntegerField(read_only=True)
    updated_by = serializers.IntegerField(source="updated_by_id", read_only=True, allow_null=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance: ClientBrief) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("confidential_visible", False):
            data.pop("confidential_notes", None)
        return data


class BriefUpdateSerializer(serializers.Serializer):
    """PUT body: the version you edited and the sections to save; a section left out keeps its text."""

    background = serializers.CharField(**BRIEF_TEXT)
    goals = serializers.CharField(**BRIEF_TEXT)
    expectations = serializers.CharField(**BRIEF_TEXT)
    politics = serializers.CharField(**BRIEF_TEXT)
    dos_and_donts = serializers.CharField(**BRIEF_TEXT)
    confidential_notes = serializers.CharField(
        **BRIEF_TEXT, help_text="Only those entitled to see the confidential notes may send this field."
    )
    version = serializers.IntegerField(min_value=1, help_text="The version you read (GET); 409 when it is stale.")


class StaleVersionSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["stale_version"])
    current_version = serializers.IntegerField()
