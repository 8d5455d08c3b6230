"""Factories shared by every app's tests. App-specific ones live in tests/<app>/factories.py."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from clients.models import BuyingRole, Client, ClientBrief, Contact
from handoff.coverage import coverage_of
from handoff.models import Commitment, FeasibilityReview, Offer, Risk

DEFAULT_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
        if create:
            self.save()
            self.__dict__.pop("roles", None)  # drop the cached_property


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client
        skip_postgeneration_save = True  # the brief is a separate row; nothing to re-save

    name = factory.Sequence(lambda n: f"Client {n} GmbH")
    industry = "Manufacturing"
    website = "https://example.com"
    account_owner = factory.SubFactory(UserFactory, roles=["sales"])
    brief = factory.RelatedFactory("tests.factories.ClientBriefFactory", factory_related_name="client")


class ClientBriefFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClientBrief
        django_get_or_create = ("client",)

    client = factory.SubFactory(ClientFactory, brief=None)
    background = ""


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    client = factory.SubFactory(ClientFactory)
    name = factory.Faker("name")
    title = "Head of IT"
    email = factory.Faker("email")
    buying_role = BuyingRole.INFLUENCER


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer

    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Offer {n}")
    summary = "Implementation and roll-out."
    value = Decimal("12500.00")
    probability = 60
    expected_close = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    desired_start = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=45))
    desired_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=120))
    owner = factory.LazyAttribute(lambda o: o.client.account_owner)


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    offer = factory.SubFactory(OfferFactory)
    text = "Go-live before the end of the quarter"


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    offer = factory.SubFactory(OfferFactory)
    title = "Legacy interfaces undocumented"
    category = "technical"
    probability = 3
    impact = 4


class FeasibilityReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeasibilityReview
        skip_postgeneration_save = True

    offer = factory.SubFactory(OfferFactory)
    reviewer = factory.SubFactory(UserFactory, roles=["pm"])
    requested_by = factory.LazyAttribute(lambda r: r.offer.owner)

    @factory.post_generation
    def covered(self, create: bool, extracted: dict | None, **kwargs) -> None:
        """A completed review covers its offer as it is when made, as ``review_complete`` records it."""
        if extracted is not None:
            self.covered = extracted
        elif self.status == "completed" and self.covered is None:
            commitments = list(Commitment.objects.filter(offer=self.offer))
            risks = list(Risk.objects.filter(offer=self.offer))
            self.covered = coverage_of(self.offer, commitments, risks, [c.pk for c in commitments])
        else:
            return
        self.covered_at = self.completed_at or timezone.now()
        if create:
            self.save(update_fields=["covered", "covered_at"])
