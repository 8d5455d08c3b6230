"""After the handoff, in one browser walk (issue 5, "Done when"; SPEC §3).

The accepted project comes from the factories; every step after that happens through the pages,
the htmx forms and the modals. After each step the test checks the page and the database and
takes a screenshot (test-output/screenshots/after-handoff-NN-*.png); the last two are the project
page and the client page with everything on them.

1. The PM raises a change request with a cost impact and signs it.
2. The PM submits a deliverable; the client rejects it; the PM resubmits it; the client accepts it.
3. The PM raises a follow-up and logs a low client pulse (mood 2): the sales liaison is alerted.
4. The rep (sales liaison, account owner) sees the alert in the inbox badge and the inbox, opens it,
   signs the change request (the budget moves) and converts the follow-up into a draft offer.
5. The rep logs a client issue from the client page's one-step form, assigned to the PM.
6. The PM works the issue and resolves it; the project page and the client page show it all.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from handoff.models import Offer, OfferStatus
from notifications.events import Event
from notifications.models import Notification
from projects.models import (
    ChangeRequest,
    ChangeRequestStatus,
    ClientIssue,
    ClientPulse,
    DeliverableStatus,
    FollowUp,
    FollowUpStatus,
    IssueStatus,
    ReportedThrough,
    SignatureCapacity,
)
from tests.browser import switch_user
from tests.projects.factories import accepted_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANGE = "Fleet interface"
FOLLOW_UP = "Second plant roll-out"
ISSUE = "Labels are cut off on the new printers"
REJECTION = "The diagrams are missing."
CONTACT = "Carla CEO (Head of IT)"


def shot(page, number: int, name: str) -> None:
    from tests.browser import screenshot

    screenshot(page, f"after-handoff-{number:02d}-{name}")


def test_it_walks_a_project_through_change_deliverable_issue_follow_up_and_pulse(page, live_server, rep, pm):
    from playwright.sync_api import expect

    project = accepted_project(owner=rep, pm=pm)
    sold_budget = project.budget
    project_url = f"{live_server.url}{reverse('projects:detail', args=[project.pk])}"
    client_url = f"{live_server.url}{reverse('clients:detail', args=[project.client_id])}"

    # --- 1. The PM raises a change request with a cost impact and signs it ------------------------------
    switch_user(page, live_server, pm)
    page.goto(project_url)
    page.click("[data-testid=raise-change]")
    page.fill("#change-requests input[name=title]", CHANGE)
    page.fill("#change-requests input[name=cost_impact]", "8500")
    page.fill("#change-requests input[name=schedule_impact_days]", "14")
    page.click("[data-testid=raise-change-submit]")
    expect(page.locator("#messages")).to_contain_text(f"Change request “{CHANGE}” raised.")
    page.click("[data-testid=approve-change]")
    page.click("#modal [data-testid=confirm]")
    expect(page.get_by_test_id("pending-signature")).to_have_text("Waiting for: Sales liaison (Rita Rep)")
    expect(page.get_by_test_id("signatures")).to_contain_text("Project manager: Paula Manager")
    change = ChangeRequest.objects.get()
    assert (change.status, change.approvals.count()) == (ChangeRequestStatus.PROPOSED, 1)
    project.refresh_from_db()
    assert project.budget == sold_budget
    shot(page, 1, "change-signed-by-the-pm")

    # --- 2. A deliverable rejected by the client, resubmitted, then accepted ----------------------------
    deliverable = project.deliverables.first()
    row = f"#deliverable-{deliverable.pk}"
    page.locator(row).get_by_test_id("submit-deliverable").click()
    expect(page.locator(row)).to_contain_text("Submitted")
    page.locator(f"{row} [data-testid=decide-deliverable]").click()
    page.check("#modal input[value=rejected]")
    page.select_option("#modal select[name=contact]", label=CONTACT)
    page.fill("#modal textarea[name=reason]", REJECTION)
    page.click("#modal [data-testid=confirm]")
    expect(page.locator(row)).to_contain_text(REJECTION)
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.rejection_reason) == (DeliverableStatus.REJECTED, REJECTION)
    shot(page, 2, "deliverable-rejected")

    page.locator(row).get_by_test_id("submit-deliverable").click()  # now labelled "Resubmit"
    # The swapped row's badge: clicking into the old row while htmx replaces it opens no modal.
    expect(page.locator(f"{row} .badge--submitted")).to_be_visible()
    page.locator(f"{row} [data-testid=decide-deliverable]").click()
    page.check("#modal input[value=accepted]")
    page.select_option("#modal select[name=contact]", label=CONTACT)
    page.click("#modal [data-testid=confirm]")
    expect(page.locator(row)).to_contain_text("Accepted by Carla CEO")
    deliverable.refresh_from_db()
    assert deliverable.status == DeliverableStatus.ACCEPTED
    assert deliverable.decided_by.name == "Carla CEO"
    shot(page, 3, "deliverable-accepted")

    # --- 3. The PM raises a follow-up and logs a low client pulse ---------------------------------------
    page.fill("#follow_up_title", FOLLOW_UP)
    page.fill("#follow_up_estimated_value", "30000")
    page.fill("#follow_up_description", "The plant manager wants the same system in Linz.")
    page.get_by_test_id("raise-follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text(FOLLOW_UP)
    expect(page.locator("#messages")).to_contain_text("Follow-up raised")
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.raised_by, follow_up.project) == (FollowUpStatus.OPEN, pm, project)

    page.select_option("#id_pulse_mood", "2")
    page.select_option("#id_pulse_urgency", "5")
    page.select_option("#id_pulse_satisfaction", "2")
    page.fill("#id_pulse_note", "Upset about the invoices.")
    page.get_by_test_id("pulse-submit").click()
    expect(page.locator("#pulse")).to_contain_text("Low mood")
    expect(page.locator("#messages")).to_contain_text("the sales liaison and the managers are alerted")
    pulse = ClientPulse.objects.get()
    assert (pulse.mood, pulse.is_low, pulse.recorded_by) == (2, True, pm)
    alert = Notification.objects.get(event=Event.LOW_PULSE, recipient=rep, channel="in_app")
    assert (alert.target, alert.read_at) == (pulse, None)
    shot(page, 4, "follow-up-raised-and-low-pulse")

    # --- 4. The rep sees the alert, signs the change and converts the follow-up -------------------------
    switch_user(page, live_server, rep)
    unread = Notification.objects.filter(recipient=rep, channel="in_app", read_at=None).count()
    badge = page.locator("#inbox-badge .inbox-badge")
    expect(badge).to_have_attribute("data-unread", str(unread))
    page.click("#inbox-badge")
    page.wait_for_url(re.compile(r".*/notifications/$"))
    notice = page.locator(f"#notification-{alert.pk}")
    expect(notice).to_contain_text(f"Low client mood on {project.name}: 2/5")
    expect(notice).to_contain_text("Upset about the invoices.")
    shot(page, 5, "rep-inbox-low-pulse")
    # Aim at the visible words: Playwright would aim at the title's 1px "Unread:" prefix for screen readers.
    title = notice.get_by_role("link", name=re.compile("Low client mood"))
    box = title.bounding_box()
    title.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    page.wait_for_url(re.compile(rf".*/projects/{project.pk}/(#pulse)?$"))
    expect(page.locator("#pulse")).to_contain_text("Low mood")
    alert.refresh_from_db()
    assert alert.read_at is not None

    page.click("[data-testid=approve-change]")
    page.fill("#modal textarea[name=comment]", "Agreed with the CFO.")
    page.click("#modal [data-testid=confirm]")
    expected_budget = sold_budget + Decimal("8500.00")
    expect(page.get_by_test_id("now-budget")).to_contain_text(f"€{expected_budget:,.2f}")
    expect(page.locator("#change-requests")).to_contain_text("Approved")
    change.refresh_from_db()
    assert change.status == ChangeRequestStatus.APPROVED
    assert {(approval.user, approval.capacity) for approval in change.approvals.all()} == {
        (pm, SignatureCapacity.PM),
        (rep, SignatureCapacity.SALES_LIAISON),
    }
    project.refresh_from_db()
    assert project.budget == expected_budget
    shot(page, 6, "change-approved-budget-moved")

    page.locator("#follow-ups [data-testid=follow-up]", has_text=FOLLOW_UP).get_by_test_id("convert-follow-up").click()
    page.wait_for_url(re.compile(r".*/offers/\d+/$"))
    expect(page.get_by_test_id("offer-status")).to_have_text("Draft")
    expect(page.get_by_test_id("from-follow-up")).to_contain_text(project.name)
    follow_up.refresh_from_db()
    offer = follow_up.offer
    assert (follow_up.status, follow_up.decided_by) == (FollowUpStatus.CONVERTED, rep)
    assert (offer.owner, offer.client, offer.status, offer.value) == (
        rep,
        project.client,
        OfferStatus.DRAFT,
        Decimal("30000.00"),
    )
    assert page.url.endswith(reverse("handoff:offer_detail", args=[offer.pk]))
    assert Offer.objects.get(follow_up=follow_up) == offer
    shot(page, 7, "follow-up-draft-offer")

    # --- 5. The rep logs a client issue from the client page, for the PM --------------------------------
    page.goto(client_url)
    page.click("[data-testid=log-client-issue]")
    page.fill("#issues input[name=title]", ISSUE)
    page.select_option("#issues select[name=severity]", "high")
    page.select_option("#issues select[name=project]", str(project.pk))
    page.select_option("#issues select[name=assignees]", [str(pm.pk)])
    page.click("[data-testid=submit-client-issue]")
    expect(page.locator("#issues")).to_contain_text(f"Issue logged: {ISSUE}")
    issue = ClientIssue.objects.get()
    assert (issue.client, issue.project, issue.created_by) == (project.client, project, rep)
    assert (issue.status, issue.severity, issue.reported_through) == (IssueStatus.OPEN, "high", ReportedThrough.SALES)
    assert list(issue.assignees.all()) == [pm]
    shot(page, 8, "client-issue-logged")

    # --- 6. The PM works the issue and resolves it ------------------------------------------------------
    switch_user(page, live_server, pm)
    page.goto(f"{live_server.url}{reverse('projects:issue_detail', args=[issue.pk])}")
    expect(page.get_by_test_id("issue-status")).to_contain_text("Open")
    page.click("[data-testid=to-in_progress]")
    expect(page.get_by_test_id("issue-status")).to_contain_text("In progress")
    page.fill("#issue-comments textarea[name=body]", "Driver update rolled out to both plants.")
    page.click("[data-testid=add-comment]")
    expect(page.get_by_test_id("issue-comments")).to_contain_text("Driver update rolled out")
    page.click("[data-testid=to-resolved]")
    expect(page.get_by_test_id("issue-status")).to_contain_text("Resolved")
    issue.refresh_from_db()
    assert issue.status == IssueStatus.RESOLVED and issue.resolved_at is not None
    assert issue.comments.get().author == pm
    shot(page, 9, "issue-resolved")

    # --- The project page and the client page at the end ----------------------------------------------
    page.goto(project_url)
    expect(page.get_by_test_id("now-budget")).to_contain_text(f"€{expected_budget:,.2f}")
    expect(page.locator("#change-requests")).to_contain_text("Approved")
    expect(page.locator(row)).to_contain_text("Accepted by Carla CEO")
    expect(page.locator("#follow-ups")).to_contain_text("Converted")
    expect(page.get_by_test_id("follow-up-offer")).to_contain_text(offer.title)
    expect(page.locator("#pulse")).to_contain_text("Low mood")
    expect(page.locator("#project-issues")).to_contain_text(ISSUE)
    shot(page, 10, "project-page")

    page.goto(client_url)
    expect(page.get_by_test_id("client-pulse")).to_contain_text("Low mood")
    expect(page.locator("#offers")).to_contain_text(offer.title)
    expect(page.locator("#projects")).to_contain_text(project.name)
    expect(page.locator("#issues")).to_contain_text(ISSUE)
    expect(page.locator("#issues")).to_contain_text("Resolved")
    shot(page, 11, "client-page")
