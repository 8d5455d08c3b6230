from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.versioning import VersionedModel


class ClientStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    FORMER = "former", _("Former")


class BuyingRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", _("Decision maker")
    INFLUENCER = "influencer", _("Influencer")
    CHAMPION = "champion", _("Champion")
    USER = "user", _("User")
    BLOCKER = "blocker", _("Blocker")
    OTHER = "other", _("Other")


class Client(models.Model):
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    account_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_clients",
        verbose_name=_("account owner"),
    )
    status = models.CharField(_("status"), max_length=16, choices=ClientStatus.choices, default=ClientStatus.PROSPECT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
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
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client"))
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    reports_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="direct_reports",
        verbose_name=_("reports to"),
    )
    buying_role = models.CharField(
        _("buying role"), max_length=32, choices=BuyingRole.choices, default=BuyingRole.OTHER
    )
    communication_style = models.TextField(_("communication style"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
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

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="brief", verbose_name=_("client"))
    background = models.TextField(_("background"), max_length=10000, blank=True)
    goals = models.TextField(_("goals"), max_length=10000, blank=True)
    expectations = models.TextField(_("expectations"), max_length=10000, blank=True)
    politics = models.TextField(_("politics"), max_length=10000, blank=True)
    dos_and_donts = models.TextField(_("dos and don'ts"), max_length=10000, blank=True)
    confidential_notes = models.TextField(_("confidential notes"), max_length=10000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last saved by"),
    )
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)

    class Meta:
        verbose_name = _("client brief")
        verbose_name_plural = _("client briefs")

    PUBLIC_FIELDS = ("background", "goals", "expectations", "politics", "dos_and_donts")
    EDITABLE_FIELDS = (*PUBLIC_FIELDS, "confidential_notes")

    def __str__(self) -> str:
        return _("Brief of %(client)s") % {"client": self.client}

    @property
    def is_filled(self) -> bool:
        return any(getattr(self, field).strip() for field in self.PUBLIC_FIELDS)
