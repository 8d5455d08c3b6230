"""Slow actions show that they run and cannot be sent twice (issue 18, static/js/app.js).

The request under test is held by the browser (a Playwright route that does not
answer yet), so the test looks at the page while the request runs, then lets it go.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from handoff.models import Offer, OfferStatus
from tests.browser import login, screenshot
from tests.handoff.offer_factories import ready_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Held:
    """Requests matching a route, kept waiting until ``release``."""

    def __init__(self, page, pattern, method: str = "POST") -> None:
        self.routes = []
        self.method = method
        page.route(pattern, self._hold)

    def _hold(self, route) -> None:
        if route.request.method == self.method:
            self.routes.append(route)
        else:
            route.continue_()

    def release(self) -> None:
        for route in self.routes:
            route.continue_()


def test_a_slow_htmx_action_disables_its_button_and_sends_once(page, live_server, rep, pm):
    offer = ready_offer(rep, pm, title="Plant ERP")
    page.on("dialog", lambda dialog: dialog.accept())  # "Send … to the client?"
    login(page, live_server, rep)
    page.goto(f"/offers/{offer.pk}/")
    held = Held(page, re.compile(rf".*/offers/{offer.pk}/send/$"))
    button = page.get_by_test_id("send")

    button.dblclick()

    expect(button).to_be_disabled()
    expect(button).to_have_class(re.compile(r"\bis-busy\b"))
    expect(button).to_have_attribute("aria-busy", "true")
    screenshot(page, "busy-send-to-client", full_page=False)
    page.wait_for_timeout(300)  # a late second request would have been held by now
    assert len(held.routes) == 1
    held.release()
    expect(page.locator("#messages")).to_contain_text(re.compile("sent", re.IGNORECASE))
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.SENT
    assert len(held.routes) == 1


def test_a_plain_form_post_is_sent_once(page, live_server, rep):
    """A form without htmx: a second click while the first post is on its way sends nothing."""
    login(page, live_server, rep)
    page.goto("/")
    posts = []

    def answer_without_leaving(route) -> None:
        # 204 No Content: the browser stays on the page, so the test can look at it afterwards.
        posts.append(route.request.url)
        route.fulfill(status=204)

    page.route(re.compile(r".*/logout/$"), answer_without_leaving)
    button = page.get_by_role("button", name="Log out")

    button.dblclick()

    page.wait_for_timeout(300)  # a second post would have arrived by now
    assert len(posts) == 1
    expect(button).to_be_disabled()
    expect(button).to_have_class(re.compile(r"\bis-busy\b"))


def test_a_button_comes_back_after_its_request(page, live_server, rep, pm):
    """A refused action (here: sending an offer that is not ready) leaves the button usable again."""
    offer = ready_offer(rep, pm, title="Plant ERP")
    offer.risks.all().delete()  # no longer ready
    page.on("dialog", lambda dialog: dialog.accept())
    login(page, live_server, rep)
    page.goto(f"/offers/{offer.pk}/")

    page.get_by_test_id("send").click()

    expect(page.locator("#messages")).to_contain_text("not ready to send")
    expect(page.get_by_test_id("send")).to_be_enabled()
    expect(page.get_by_test_id("send")).not_to_have_class(re.compile(r"\bis-busy\b"))
