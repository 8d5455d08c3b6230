"""Optimistic concurrency (SPEC §6 "Nothing lost"): a stale version is refused, never overwritten."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import StaleVersion
from core.versioning import bump_version, lock_for_edit
from handoff.models import Offer
from tests.factories import OfferFactory

pytestmark = pytest.mark.django_db


def test_it_returns_the_row_when_the_caller_saw_the_latest_version():
    offer = OfferFactory()

    locked = lock_for_edit(Offer.objects.all(), pk=offer.pk, expected_version=1)

    assert locked == offer
    assert locked.version == 1


def test_it_raises_stale_version_when_someone_saved_in_between():
    offer = OfferFactory()
    Offer.objects.filter(pk=offer.pk).update(version=2, title="Renamed by a colleague")

    with pytest.raises(StaleVersion) as raised:
        lock_for_edit(Offer.objects.all(), pk=offer.pk, expected_version=1)

    assert raised.value.current.version == 2
    assert raised.value.current.title == "Renamed by a colleague"
    assert raised.value.as_dict()["code"] == "stale_version"
    assert raised.value.as_dict()["current_version"] == 2


def test_it_refuses_an_edit_without_a_version():
    offer = OfferFactory()

    with pytest.raises(ValidationError) as raised:
        lock_for_edit(Offer.objects.all(), pk=offer.pk, expected_version=None)

    assert "version" in raised.value.message_dict


def test_it_refuses_a_version_from_the_future():
    offer = OfferFactory()

    with pytest.raises(StaleVersion):
        lock_for_edit(Offer.objects.all(), pk=offer.pk, expected_version=5)


def test_it_bumps_the_version_by_one():
    offer = OfferFactory()

    bump_version(offer)

    assert offer.version == 2
