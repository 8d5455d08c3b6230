"""GET /api/v1/dashboard/: the same snapshot, hence the same numbers, as the page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.selectors import recent_snapshots
from dashboards.views import rendered_bodies
from handoff.models import OfferStatus
from tests.dashboards.world import build_world, make_offer
from tests.factories import ClientFactory

URL = "/api/v1/dashboard/"


def money_on_page(amount: str) -> str:
    """An amount as every page shows it in English (core.money): "€12,500.00"."""
    sign = "-" if Decimal(amount) < 0 else ""
    return f"{sign}€{abs(Decimal(amount)):,.2f}"


def test_it_returns_the_numbers_the_page_shows(api_as, client_as, manager):
    build_world(11, offers=40)
    page = client_as(manager).get("/dashboard/").text

    body = api_as(manager).get(URL).json()

    assert f'<time datetime="{body["as_of"]}">' in page
    pipeline = body["sections"]["pipeline"]
    assert f"<dd>{pipeline['open']['count']}</dd>" in page
    assert money_on_page(pipeline["open"]["value"]) in page
    assert money_on_page(pipeline["open"]["weighted"]) in page
    for row in body["tables"]["pipeline_by_rep"]["rows"]:
        assert money_on_page(row["won_value"]) in page and row["name"] in page
    for row in body["tables"]["won_lost_by_month"]["rows"]:
        assert money_on_page(row["won_value"]) in page
    handoffs = body["sections"]["handoffs"]
    assert f"<dd>{handoffs['pending']['count']}</dd>" in page
    assert f"{handoffs['return_rate']['returned']} of {handoffs['return_rate']['total']}" in page


def test_it_gives_a_rep_their_own_numbers(api_as, rep, other_rep):
    make_offer(client=ClientFactory(account_owner=rep), owner=rep, status=OfferStatus.SENT, value=Decimal("10.00"))
    make_offer(client=ClientFactory(account_owner=other_rep), owner=other_rep, status=OfferStatus.SENT)

    body = api_as(rep).get(URL, {"rep": other_rep.pk}).json()

    assert body["view"] == "sales"
    assert body["filters"]["rep_id"] == rep.pk
    assert body["sections"]["pipeline"]["open"] == {"count": 1, "value": "10.00", "weighted": "5.00"}


def test_it_filters_like_the_page(api_as, manager, rep, other_rep):
    client = ClientFactory(account_owner=rep)
    make_offer(client=client, owner=rep, status=OfferStatus.SENT)
    make_offer(client=ClientFactory(account_owner=other_rep), owner=other_rep, status=OfferStatus.SENT)

    body = api_as(manager).get(URL, {"client": client.pk}).json()

    assert body["filters"]["client_id"] == client.pk
    assert body["options"]["client"] == {"id": client.pk, "name": client.name}
    assert body["sections"]["pipeline"]["open"]["count"] == 1


def test_it_refuses_a_user_without_a_role(api_as, outsider):
    assert api_as(outsider).get(URL).status_code == 403


def test_it_refuses_anonymous_callers(api):
    assert api.get(URL).status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"start": "2026-02-01", "end": "2026-01-01"}, "end"),
        ({"client": 0}, "client"),
    ],
)
def test_it_answers_400_with_the_field_for_bad_filters(api_as, manager, params, field):
    response = api_as(manager).get(URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_it_is_described_in_the_schema(api_as, manager):
    schema = api_as(manager).get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/dashboard/"]["get"]
    assert {parameter["name"] for parameter in operation["parameters"]} >= {"start", "end", "rep", "pm", "client"}
    assert "DashboardSerializer" in str(operation["responses"]["200"]) or "Dashboard" in str(operation["responses"])


def test_its_response_has_the_documented_shape(api_as, manager):
    from dashboards.api.serializers import DashboardSerializer

    build_world(12, offers=20)
    body = api_as(manager).get(URL).json()

    assert set(body) == set(DashboardSerializer().fields)
    serializer = DashboardSerializer(data=body)
    assert serializer.is_valid(), serializer.errors


def test_it_answers_in_the_same_queries_for_one_and_fifty_offers(api_as, manager, rep):
    browser = api_as(manager)

    def count() -> int:
        recent_snapshots.clear()
        rendered_bodies.clear()
        browser.get(URL)
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(URL).status_code == 200
        return len(queries)

    make_offer(client=ClientFactory(account_owner=rep), owner=rep)
    few = count()
    build_world(13, offers=50)
    many = count()

    assert few == many
