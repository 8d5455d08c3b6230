"""The offer flow in Chromium (issue 3 "Done when"): a rep prepares an offer, a PM reviews it, the rep sends it.

The client with its org chart and brief comes from the factories (the client
pages have their own browser test); everything about the offer goes through
the pages, htmx and the modal, and the pages must stay free of console errors.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clients.models import BuyingRole
from handoff.models import Offer, OfferStatus
from tests.browser import login, screenshot, switch_user
from tests.factories import ContactFactory, OfferFactory
from tests.handoff.offer_factories import prepared_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_prepares_reviews_and_sends_an_offer(page, live_server, rep, pm):
    client = prepared_client(owner=rep, name="Kessler Maschinenbau KG")
    ceo = client.contacts.get()
    cio = ContactFactory(client=client, name="Ina Ott", title="CIO", reports_to=ceo, buying_role=BuyingRole.INFLUENCER)
    ContactFactory(client=client, name="Lars Lang", title="IT lead", reports_to=cio, buying_role=BuyingRole.CHAMPION)
    page.on("dialog", lambda dialog: dialog.accept())  # the hx-confirm questions

    # The rep creates the offer.
    login(page, live_server, rep)
    page.goto(f"{live_server.url}/offers/new/?client={client.pk}")
    page.fill("#id_title", "ERP roll-out in three plants")
    page.fill("#id_summary", "Finance, purchasing and production planning; data migration; training.")
    page.fill("#id_value", "184000")
    page.fill("#id_probability", "70")
    page.fill("#id_expected_close", "2030-03-01")
    page.fill("#id_desired_start", "2030-04-01")
    page.fill("#id_desired_end", "2030-09-30")
    page.get_by_role("button", name="Create offer").click()
    expect(page.locator("h1")).to_contain_text("ERP roll-out in three plants")
    offer = Offer.objects.get()

    # Commitments and risks, inline.
    for text in ("Go-live in plant 1 before the summer shutdown", "On-site training for 12 key users"):
        page.fill("#id_commitment_text", text)
        page.locator("#commitments").get_by_role("button", name="Add").click()
        expect(page.locator("#commitments")).to_contain_text(text)
    page.locator("#risks summary").click()
    page.locator("#risks input[name=title]").fill("Legacy interfaces undocumented")
    page.locator("#risks select[name=category]").select_option("technical")
    page.locator("#risks select[name=probability]").select_option("4")
    page.locator("#risks select[name=impact]").select_option("4")
    page.locator("#risks").get_by_role("button", name="Add risk").click()
    expect(page.locator("#risks")).to_contain_text("Legacy interfaces undocumented")
    expect(page.locator(".heatmap .heat-high a")).to_have_text(re.compile("^1"))
    expect(page.locator("#readiness li[data-key=risks]")).to_have_class("is-met")

    # Too early to send: the page says what is missing.
    page.get_by_test_id("send").click()
    expect(page.locator("#messages")).to_contain_text("not ready to send")
    expect(page.get_by_test_id("offer-status")).to_have_text("Draft")

    # Ask the PM, in the modal.
    page.get_by_test_id("request-review").click()
    expect(page.locator("#modal")).to_be_visible()
    page.locator("#modal select[name=reviewer]").select_option(label=pm.full_name)
    page.locator("#modal").get_by_test_id("confirm").click()
    expect(page.get_by_test_id("offer-status")).to_have_text("In review")
    expect(page.locator("#modal")).to_be_hidden()
    screenshot(page, "offer-in-review")

    # The PM finds the request on the home page and answers.
    switch_user(page, live_server, pm)
    expect(page.get_by_test_id("home-reviews")).to_contain_text("ERP roll-out in three plants")
    screenshot(page, "home-pm-review-requests")
    page.get_by_test_id("home-reviews").get_by_role("link", name="ERP roll-out in three plants").click()
    page.get_by_label("Feasible with conditions").check()
    page.fill("#id_effort_days", "120")
    page.fill("#id_duration_weeks", "24")
    page.fill("#id_notes", "Feasible if the client names a product owner with decision rights.")
    commitments = list(offer.commitments.order_by("id"))
    page.select_option(f"#id_mark_{commitments[0].pk}", "risky")
    page.fill(f"#id_note_{commitments[0].pk}", "Only with a data freeze in May.")
    page.select_option(f"#id_mark_{commitments[1].pk}", "feasible")
    page.fill("#id_milestones-0-name", "Kickoff")
    page.fill("#id_milestones-0-due", "2030-04-01")
    page.get_by_test_id("submit-review").click()
    expect(page.locator("#messages")).to_contain_text("sent to Rita Rep")
    expect(page.get_by_test_id("review-answer")).to_contain_text("Feasible with conditions")

    # The rep sends it.
    switch_user(page, live_server, rep)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    expect(page.locator("#readiness .is-unmet")).to_have_count(0)
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("offer-status")).to_have_text("Sent")
    expect(page.locator("#commitments")).to_contain_text("Risky")
    screenshot(page, "offer-sent")
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SENT

    # The client page, with the offer on it.
    page.goto(f"{live_server.url}/clients/{client.pk}/")
    screenshot(page, "client-with-offer")


def test_it_filters_and_sorts_the_offer_list_at_phone_width(page, live_server, rep):
    OfferFactory(title="Big one", status=OfferStatus.SENT, value=1000)
    OfferFactory(title="Small one", status=OfferStatus.SENT, value=10)  # the newest: first by default
    OfferFactory(title="A draft", value=500)
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, rep)

    page.goto(f"{live_server.url}/offers/")
    page.select_option("#id_status", "sent")
    expect(page.locator("#offer-results tbody tr")).to_have_count(2)
    expect(page.locator("#offer-results tbody tr").first).to_contain_text("Small one")
    # htmx wires up the swapped-in sort box when the swap settles; a change before that reaches no handler.
    page.wait_for_function("() => !document.querySelector('.htmx-swapping, .htmx-settling, .htmx-request')")
    page.select_option("#id_sort", "-value")  # the column headers are hidden at phone width
    expect(page).to_have_url(re.compile(r"status=sent.*sort=-value"))
    expect(page.locator("#offer-results tbody tr").first).to_contain_text("Big one")
    expect(page.locator("#offer-results tbody tr")).to_have_count(2)
    screenshot(page, "offer-list-phone")
