"""The API does what its schema says (issue 18): what the schema forbids is a 400, what it allows is served.

The schema facts themselves are pinned in tests/quality/test_schema.py; the fuzzing gate
(tests/quality/test_api_fuzz.py) tries them all with generated input.
"""

from __future__ import annotations

import pytest
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import inline_serializer
from rest_framework import generics, serializers

from core.api.fields import DecimalString
from core.api.filters import RefuseBlankFilters
from core.api.schema import AutoSchema
from handoff.models import Offer
from tests.factories import DEFAULT_PASSWORD, ClientFactory


# --- Empty query parameters ------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/offers/?expected_close_before=",
        "/api/v1/offers/?owner=",
        "/api/v1/dashboard/?start=",
        "/api/v1/dashboard/?client=&end=2026-01-01",
        "/api/v1/users/?role=",
        "/api/v1/clients/?ordering=",
        "/api/v1/clients/?search=",
        "/api/v1/projects/?pm=",
        "/api/v1/issues/1/comments/?ordering=",  # a detail action with its own lookup
    ],
)
def test_it_refuses_an_empty_query_parameter_instead_of_reading_no_filter(url, api_as, rep):
    response = api_as(rep).get(url)

    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert "leave the parameter out" in response.json()[name][0]


@pytest.mark.django_db
def test_it_refuses_an_empty_parameter_on_a_detail_action_too(api_as, rep, pm):
    from tests.projects.factories import won_handoff

    handoff = won_handoff(owner=rep, reviewer=pm)

    response = api_as(rep).get(f"/api/v1/handoffs/{handoff.pk}/snapshots/?version=")

    assert response.status_code == 400
    assert "version" in response.json()


@pytest.mark.django_db
def test_it_refuses_an_object_for_an_id_filter(api_as, rep):
    # An object goes on the wire as its text (or as nothing but the name): neither is an id.
    for query in ("owner=%7B%27a%27%3A+1%7D", "owner="):
        assert api_as(rep).get(f"/api/v1/offers/?{query}").status_code == 400, query


def test_the_schema_generator_warns_about_a_view_that_would_read_empty_filters_as_none():
    # A view with its own ``filter_backends`` lists RefuseBlankFilters first; `spectacular --fail-on-warn`
    # (test_schema.py) fails on one that does not.
    class Things(generics.ListAPIView):
        queryset = Offer.objects.none()
        serializer_class = inline_serializer("Thing", {"id": serializers.IntegerField()})

    def warnings_for(backends) -> list[str]:
        view = type("Things", (Things,), {"filter_backends": backends})
        reset_generator_stats()
        SchemaGenerator(patterns=[path("api/v1/things/", view.as_view())]).get_schema(request=None, public=True)
        return list(GENERATOR_STATS._warn_cache)

    assert any("RefuseBlankFilters" in message for message in warnings_for([DjangoFilterBackend]))
    assert warnings_for([RefuseBlankFilters, DjangoFilterBackend]) == []
    reset_generator_stats()


@pytest.mark.django_db
def test_the_dashboard_page_still_reads_empty_form_fields_as_no_filter(client_as, manager):
    # The page's filter form sends every field, filled or not; only the API refuses empty ones.
    assert client_as(manager).get("/dashboard/?start=&end=&client=").status_code == 200


@pytest.mark.django_db
def test_it_still_answers_without_the_parameter(api_as, rep):
    assert api_as(rep).get("/api/v1/offers/").status_code == 200


# --- Decimals are strings ---------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("value", [1000, 1000.5, 0])
def test_it_refuses_a_json_number_for_a_decimal_and_creates_nothing(value, api_as, rep):
    client = ClientFactory(account_owner=rep)

    response = api_as(rep).post(
        "/api/v1/offers/", {"client": client.pk, "title": "Roll-out", "value": value}, format="json"
    )

    assert response.status_code == 400
    assert "as a string" in response.json()["value"][0]
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_it_takes_the_decimal_as_a_string(api_as, rep):
    client = ClientFactory(account_owner=rep)

    response = api_as(rep).post(
        "/api/v1/offers/", {"client": client.pk, "title": "Roll-out", "value": "1000.50"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["value"] == "1000.50"


def test_the_schema_generator_warns_about_a_writable_plain_decimal():
    # Every writable decimal of the API is a DecimalString: `spectacular --fail-on-warn` (test_schema.py)
    # fails on one that is not, so an endpoint added later cannot take JSON numbers unnoticed.
    class Body(serializers.Serializer):
        amount = serializers.DecimalField(max_digits=5, decimal_places=2)
        kept = DecimalString(max_digits=5, decimal_places=2)

    reset_generator_stats()
    schema = AutoSchema()
    schema.registry, schema.method, schema.path = None, "POST", "/api/v1/things/"
    body = Body()
    schema._map_serializer_field(body.fields["kept"], "request")
    assert not GENERATOR_STATS._warn_cache
    schema._map_serializer_field(body.fields["amount"], "response")
    assert not GENERATOR_STATS._warn_cache

    schema._map_serializer_field(body.fields["amount"], "request")

    assert any("Body.amount" in message for message in GENERATOR_STATS._warn_cache)
    reset_generator_stats()


def test_a_decimal_string_refuses_numbers_and_keeps_the_decimal_rules():
    field = DecimalString(max_digits=5, decimal_places=1, min_value=0)

    assert str(field.run_validation("12.5")) == "12.5"
    for bad in (12.5, 12, True, "12.55", "-1", "abc"):
        with pytest.raises(serializers.ValidationError):
            field.run_validation(bad)


# --- The token endpoint is anonymous ----------------------------------------------------------
@pytest.mark.django_db
def test_it_hands_out_a_token_whatever_authorization_header_comes_along(api, rep):
    # Anonymous by design (the schema documents no security): a stale token header does not get in the way.
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    response = api.post("/api/v1/auth/token/", {"username": rep.username, "password": DEFAULT_PASSWORD}, format="json")

    assert response.status_code == 200
    assert response.json()["token"]
