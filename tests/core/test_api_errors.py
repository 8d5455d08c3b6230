"""The API's error shapes (SPEC §4), through tiny views wired to a test URLconf.

400 ``{field: [messages]}`` for invalid input, 409 ``{detail, code, ...}`` for
a refused state change or a stale version, ``unmet`` when readiness items are
missing.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError, NotReady, TransitionNotAllowed
from core.versioning import bump_version, lock_for_edit
from handoff.models import Offer
from tests.factories import OfferFactory


class RenameOffer(APIView):
    """What every versioned PATCH does: lock, compare the version, save, bump."""

    def patch(self, request, pk):
        with transaction.atomic():
            offer = lock_for_edit(Offer.objects.all(), pk=pk, expected_version=request.data.get("version"))
            offer.title = request.data["title"]
            bump_version(offer)
            offer.save(update_fields=["title", "version"])
        return Response({"id": offer.pk, "title": offer.title, "version": offer.version})


class Raise(APIView):
    error: Exception = DomainError("unset")

    def post(self, request):
        raise self.error


urlpatterns = [
    path("api/test/offers/<int:pk>/", RenameOffer.as_view()),
    path("api/test/transition/", Raise.as_view(error=TransitionNotAllowed("A won offer cannot be sent again."))),
    path("api/test/domain/", Raise.as_view(error=DomainError("Only one project per handoff.", code="duplicate"))),
    path(
        "api/test/not-ready/",
        Raise.as_view(error=NotReady("The handoff is not ready.", unmet=["brief_background", "pm"])),
    ),
    path("api/test/invalid/", Raise.as_view(error=ValidationError({"value": ["Must not be negative."]}))),
    path("api/test/invalid-form/", Raise.as_view(error=ValidationError("Start must be before end."))),
]

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def test_it_saves_when_the_version_is_current(api_as, rep):
    offer = OfferFactory()

    response = api_as(rep).patch(f"/api/test/offers/{offer.pk}/", {"title": "New", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_it_answers_409_to_a_stale_version_and_keeps_the_newer_values(api_as, rep):
    offer = OfferFactory(title="Original")
    client = api_as(rep)
    client.patch(f"/api/test/offers/{offer.pk}/", {"title": "First writer", "version": 1}, format="json")

    response = client.patch(f"/api/test/offers/{offer.pk}/", {"title": "Second writer", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["current_version"] == 2
    assert "changed by someone else" in body["detail"]
    offer.refresh_from_db()
    assert (offer.title, offer.version) == ("First writer", 2)


def test_it_answers_400_when_the_version_is_missing(api_as, rep):
    offer = OfferFactory()

    response = api_as(rep).patch(f"/api/test/offers/{offer.pk}/", {"title": "New"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["version"]


def test_it_maps_an_illegal_transition_to_409(api_as, rep):
    response = api_as(rep).post("/api/test/transition/")

    assert response.status_code == 409
    assert response.json() == {"detail": "A won offer cannot be sent again.", "code": "illegal_transition"}


def test_it_maps_any_domain_error_to_409_with_its_code(api_as, rep):
    response = api_as(rep).post("/api/test/domain/")

    assert response.status_code == 409
    assert response.json() == {"detail": "Only one project per handoff.", "code": "duplicate"}


def test_it_lists_the_unmet_items_when_not_ready(api_as, rep):
    response = api_as(rep).post("/api/test/not-ready/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The handoff is not ready.",
        "code": "not_ready",
        "unmet": ["brief_background", "pm"],
    }


def test_it_maps_a_django_validation_error_to_400_by_field(api_as, rep):
    response = api_as(rep).post("/api/test/invalid/")

    assert response.status_code == 400
    assert response.json() == {"value": ["Must not be negative."]}


def test_it_maps_a_validation_error_without_a_field_to_non_field_errors(api_as, rep):
    response = api_as(rep).post("/api/test/invalid-form/")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Start must be before end."]}


def test_it_still_refuses_anonymous_users_before_any_error(api):
    response = api.post("/api/test/transition/")

    assert response.status_code in {401, 403}
