"""Project risks in the browser (SPEC §7.3): the PM re-scores inline, is told that closing needs a reason,
closes with one, and adds a risk; the sold score stays beside the current one and the heatmap keeps open risks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from projects.models import RiskStatus
from tests.projects.factories import accepted_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pm_keeps_the_projects_risks_alive(page, live_server, rep, pm):
    from playwright.sync_api import expect

    from tests.browser import login, screenshot

    project = accepted_project(owner=rep, pm=pm)
    legacy = project.risks.get(title="Legacy interfaces undocumented")
    row = f"#project-risk-{legacy.pk}"
    login(page, live_server, pm)
    page.goto(f"{live_server.url}{reverse('projects:detail', args=[project.pk])}")

    page.select_option(f"{row} [data-testid=risk-probability]", "1")
    page.click(f"{row} [data-testid=risk-rescore]")
    expect(page.locator("#messages")).to_contain_text("now scores 1 x 4 = 4")
    expect(page.locator(f"{row} [data-testid=sold-score]")).to_contain_text("12")

    page.select_option(f"{row} [data-testid=risk-status]", "closed")
    page.click(f"{row} [data-testid=risk-status-set]")
    expect(page.locator("#messages")).to_contain_text("Say why the risk is closed.")
    legacy.refresh_from_db()
    assert legacy.status == RiskStatus.OPEN

    page.select_option(f"{row} [data-testid=risk-status]", "closed")
    page.fill(f"{row} [data-testid=risk-reason]", "The interfaces are documented now.")
    page.click(f"{row} [data-testid=risk-status-set]")
    expect(page.locator(row)).to_contain_text("The interfaces are documented now.")
    expect(page.locator("#project-risks .heatmap a")).to_have_count(1)  # the other risk, still open

    page.click("[data-testid=add-project-risk]")
    page.fill("#id_risk-title", "Supplier insolvency")
    page.select_option("#id_risk-impact", "5")
    page.click("[data-testid=add-project-risk-submit]")
    expect(page.locator("#project-risks")).to_contain_text("Supplier insolvency")
    legacy.refresh_from_db()
    assert (legacy.status, legacy.probability, legacy.sold_score) == (RiskStatus.CLOSED, 1, 12)
    assert project.risks.get(title="Supplier insolvency").score == 15
    screenshot(page, "project-risks")
