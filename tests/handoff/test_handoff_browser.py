"""The whole handoff in a real browser: win, return with a reason, resubmit, diff, accept, the project page."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from handoff.models import Handoff, Offer
from projects.models import Project
from tests.browser import login, screenshot, switch_user
from tests.projects.factories import sent_offer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_handoff_goes_from_win_to_project(page, live_server, rep, pm):
    offer = sent_offer(owner=rep, reviewer=pm, title="Warehouse scanning roll-out")

    # The rep wins the offer from its page, keeping the reviewing PM.
    login(page, live_server, rep)
    page.goto(f"{live_server.url}/offers/{offer.pk}/")
    page.click("[data-testid=win]")
    page.wait_for_selector("#modal [data-testid=confirm-win]")
    page.click("#modal [data-testid=confirm-win]")
    page.wait_for_url(re.compile(r".*/handoffs/\d+/$"))
    handoff = Handoff.objects.get()
    assert handoff.pm == pm

    # The PM opens the handoff and returns it with a reason.
    switch_user(page, live_server, pm)
    page.goto(f"{live_server.url}/handoffs/{handoff.pk}/")
    page.wait_for_selector("text=What was sold")
    assert page.locator("[data-testid=sla]").inner_text() == "Within SLA"
    screenshot(page, "handoff-page")
    page.click("[data-testid=return]")
    page.wait_for_selector("#modal textarea[name=reason]")
    page.fill("#modal textarea[name=reason]", "   ")
    page.click("#modal [data-testid=confirm-return]")
    page.wait_for_selector("#modal .field-error")  # a blank reason is refused in the modal
    page.fill(
        "#modal textarea[name=reason]",
        "Go-live in March is not feasible; renegotiate it and add the data-migration risk.",
    )
    page.click("#modal [data-testid=confirm-return]")
    page.wait_for_selector("text=Returned to sales")
    assert Handoff.objects.get().status == "returned"

    # The rep fixes the won offer on its pages (value, a commitment, a new risk) and resubmits.
    switch_user(page, live_server, rep)
    page.on("dialog", lambda dialog: dialog.accept())  # the hx-confirm questions
    page.goto(f"{live_server.url}/offers/{offer.pk}/edit/")
    page.fill("#id_value", "52000")
    page.get_by_role("button", name="Save offer").click()
    expect(page.locator("#messages")).to_contain_text("Offer saved.")
    page.locator("#commitments").get_by_role("button", name="Remove commitment Go-live").click()
    expect(page.locator("#commitments")).not_to_contain_text("Go-live before 1 March")
    page.fill("#id_commitment_text", "Go-live within 14 weeks of the kickoff")
    page.locator("#commitments").get_by_role("button", name="Add").click()
    expect(page.locator("#commitments")).to_contain_text("Go-live within 14 weeks of the kickoff")
    page.locator("#risks summary").click()
    page.locator("#risks input[name=title]").fill("Data migration quality")
    page.locator("#risks select[name=category]").select_option("technical")
    page.locator("#risks select[name=probability]").select_option("3")
    page.locator("#risks select[name=impact]").select_option("5")
    page.locator("#risks").get_by_role("button", name="Add risk").click()
    expect(page.locator("#risks")).to_contain_text("Data migration quality")
    assert Offer.objects.get(pk=offer.pk).value == Decimal("52000.00")
    page.goto(f"{live_server.url}/handoffs/{handoff.pk}/")
    assert "renegotiate it" in page.inner_text("main")
    page.click("[data-testid=resubmit]")
    page.wait_for_selector("text=Resubmitted.")

    # The PM sees what changed, field by field, and accepts.
    switch_user(page, live_server, pm)
    page.goto(f"{live_server.url}/handoffs/{handoff.pk}/")
    diff = page.locator("[data-testid=diff]")
    diff.wait_for()
    text = diff.inner_text()
    assert "€48,000.00" in text and "€52,000.00" in text
    assert "Go-live within 14 weeks of the kickoff" in text
    assert "Data migration quality" in text
    screenshot(page, "handoff-diff")
    page.click("[data-testid=accept]")
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))

    # The project page shows what was sold beside the current values.
    project = Project.objects.get()
    assert project.snapshot.version == 2
    sold = page.locator("[data-testid=sold-vs-now]").inner_text()
    assert "€52,000.00" in sold
    assert "60.0 estimated" in sold
    assert "Go-live within 14 weeks of the kickoff" in page.inner_text("main")
    screenshot(page, "project-page")
