"""The client takes part, in a real browser (issue 14, "Done when"; SPEC §7.5).

1. The PM opens the project page, invites the decision maker in the client-links panel and copies the
   link (shown once).
2. The link is opened in a fresh browser context (no session, no cookie): the token leaves the address
   bar at once; the contact accepts the submitted deliverable and answers the pulse.
3. Back as the PM: the deliverable, the pulse and the timeline say the contact decided, through the link.

Screenshots: test-output/screenshots/client-link-NN-*.png.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from projects.models import ClientLink, ClientPulse, Deliverable, DeliverableStatus
from projects.services.deliverables import deliverable_add, deliverable_submit
from tests.factories import ContactFactory
from tests.projects.factories import accepted_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THROUGH_THE_LINK = "Jane Doe (client, through the link)"


def shot(page, number: int, name: str) -> None:
    from tests.browser import screenshot

    screenshot(page, f"client-link-{number:02d}-{name}")


def test_the_client_decides_and_answers_the_pulse_through_the_link(page, live_server, rep, pm, _chromium, browser_log):
    from playwright.sync_api import expect

    from tests.browser import VIEWPORT, login, watch

    project = accepted_project(owner=rep, pm=pm)
    jane = ContactFactory(client=project.client, name="Jane Doe", email="jane@client.example")
    design = deliverable_submit(
        deliverable=deliverable_add(project=project, actor=pm, name="Design document"), actor=pm
    )
    project_url = f"{live_server.url}{reverse('projects:detail', args=[project.pk])}"

    # --- 1. The PM invites the contact and copies the link ------------------------------------------------
    login(page, live_server, pm)
    page.goto(project_url)
    panel = page.locator("#client-links")
    expect(panel.locator("[data-testid=client-link-form]")).to_be_visible()
    panel.locator("select[name=contact]").select_option(str(jane.pk))
    panel.locator("input[name=expires_in_days]").fill("14")
    panel.locator("button[type=submit]", has_text="Create the link").click()
    url_field = page.locator("[data-testid=client-link-url]")
    expect(url_field).to_be_visible()
    link_url = url_field.input_value()
    token = urlsplit(link_url).path.split("/")[2]
    assert ClientLink.objects.get().contact == jane and token not in ClientLink.objects.get().token_hash
    shot(page, 1, "link-created")

    # --- 2. The client, in a fresh browser: no session, no cookie -----------------------------------------
    context = _chromium.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    client_page = context.new_page()
    watch(context, client_page, browser_log)
    try:
        client_page.goto(f"{live_server.url}{urlsplit(link_url).path}")
        client_page.wait_for_url(f"{live_server.url}/c/")
        assert token not in client_page.url
        expect(client_page.locator("h1")).to_have_text(project.name)
        assert token not in client_page.content()
        shot(client_page, 2, "client-page")

        item = client_page.locator(f"#deliverable-{design.pk}")
        item.locator("button", has_text="Accept").click()
        expect(client_page.locator(".message--success")).to_contain_text("you accepted the deliverable")

        client_page.check("input[name='pulse-mood'][value='2']")
        client_page.check("input[name='pulse-urgency'][value='4']")
        client_page.check("input[name='pulse-satisfaction'][value='3']")
        client_page.fill("textarea[name='pulse-note']", "The go-live date worries us.")
        client_page.locator("#pulse button[type=submit]").click()
        expect(client_page.locator(".message--success")).to_contain_text("Thank you for your answer")
        shot(client_page, 3, "client-answered")
    finally:
        context.close()

    design.refresh_from_db()
    assert (design.status, design.decided_by, design.decided_via_link) == (DeliverableStatus.ACCEPTED, jane, True)
    pulse = ClientPulse.objects.get()
    assert (pulse.mood, pulse.given_by_contact, pulse.recorded_by) == (2, jane, None)
    assert Deliverable.objects.filter(status=DeliverableStatus.SUBMITTED).count() == 0

    # --- 3. The PM sees both, with the contact's name ---------------------------------------------------
    page.goto(project_url)
    expect(page.locator(f"#deliverable-{design.pk}")).to_contain_text("Jane Doe (client, through the link)")
    expect(page.locator("#pulse")).to_contain_text(THROUGH_THE_LINK)
    expect(page.locator("#project-timeline")).to_contain_text(THROUGH_THE_LINK)
    expect(page.locator("#client-links")).to_contain_text("Jane Doe")
    shot(page, 4, "pm-sees-the-client")
