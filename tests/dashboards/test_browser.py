"""The dashboard in a real browser: filters swap the figures with htmx and push the URL; no script errors."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from handoff.models import OfferStatus
from tests.browser import login, screenshot
from tests.dashboards.world import make_offer
from tests.factories import ClientFactory, RiskFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_filters_the_dashboard_by_rep_and_client(page, live_server, manager, rep, other_rep):
    acme = ClientFactory(account_owner=rep, name="Acme Tools")
    make_offer(client=acme, owner=rep, status=OfferStatus.SENT, value=Decimal("11111.00"), probability=10)
    offer = make_offer(
        client=ClientFactory(account_owner=other_rep, name="Bolt Works"),
        owner=other_rep,
        status=OfferStatus.DRAFT,
        value=Decimal("22222.00"),
        probability=10,
    )
    RiskFactory(offer=offer, probability=5, impact=5)

    login(page, live_server, manager)
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("text=22,222.00").count() > 0

    page.select_option("#dash-rep", str(rep.pk))
    page.wait_for_url(re.compile(rf".*/dashboard/\?rep={rep.pk}$"))
    page.wait_for_selector("text=Filtered to sales rep Rita Rep")
    assert page.locator("text=22,222.00").count() == 0
    assert page.locator("text=11,111.00").count() > 0

    page.select_option("#dash-rep", "")
    page.wait_for_selector("text=The whole company.")
    page.fill("#dash-client", "Bolt")
    page.wait_for_selector('#dash-client-options option[value="Bolt Works"]', state="attached")
    assert page.locator("#dash-client-options option").count() == 1
    page.fill("#dash-client", "Bolt Works")
    page.press("#dash-client", "Enter")
    page.wait_for_selector("text=Filtered to client Bolt Works.")
    assert page.locator("text=11,111.00").count() == 0
    screenshot(page, "dashboard-filtered")

    page.click(".heatmap a")
    page.wait_for_url(re.compile(r".*/dashboard/risks/\?.*p=5.*"))
    assert page.locator("text=Legacy interfaces undocumented").count() == 1
