from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from core.versioning import VersionedModel


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", "Prospect"
    ACTIVE = "active", "Active"
    FORMER = "former", "Former"


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    INFLUENCER = "influencer", "Influencer"
    CHAMPION = "champion", "Champion"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"
    OTHER = "other", "Other"


class Client(models.Model):
    name = models.CharField(max_length=200)
    industry = models.CharField(max_length=100, blank=True)
    website = models.URLField(max_length=300, blank=True)
    account_owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_clients")
    status = models.CharField(max_length=16, choices=ClientStatus.choices, default=ClientStatus.PROSPECT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="client_name_ci_unique"),
            models.CheckConstraint(condition=models.Q(status__in=ClientStatus.values), name="client_status_valid"),
        ]
        indexes = [models.Index(fields=["account_owner", "status"], name="client_owner_status_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])


class Contact(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    reports_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="direct_reports"
    )
    buying_role = models.CharField(max_length=32, choices=BuyingRole.choices, default=BuyingRole.OTHER)
    communication_style = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(buying_role__in=BuyingRole.values), name="contact_role_valid"),
            models.CheckConstraint(condition=~models.Q(reports_to=models.F("id")), name="contact_not_own_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client})"

    def get_absolute_url(self) -> str:
        return self.client.get_absolute_url()


class ClientBrief(VersionedModel):
    """What sales learned about the client; one per client, edited by many."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="brief")
    background = models.TextField(max_length=10000, blank=True)
    goals = models.TextField(max_length=10000, blank=True)
    expectations = models.TextField(max_length=10000, blank=True)
    politics = models.TextField(max_length=10000, blank=True)
    dos_and_donts = models.TextField(max_length=10000, blank=True)
    confidential_notes = models.TextField(max_length=10000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    PUBLIC_FIELDS = ("background", "goals", "expectations", "politics", "dos_and_donts")
    EDITABLE_FIELDS = (*PUBLIC_FIELDS, "confidential_notes")

    def __str__(self) -> str:
        return f"Brief of {self.client}"

    @property
    def is_filled(self) -> bool:
        return any(getattr(self, field).strip() for field in self.PUBLIC_FIELDS)
