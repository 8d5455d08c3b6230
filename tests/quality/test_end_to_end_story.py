"""The whole mission in one browser test (issue 7, "One end-to-end story"; SPEC §2).

Only the users come from fixtures: every step of the story happens through the
pages, the htmx forms and the modals, the way the people do it. After each
step the test checks the page and the database, and takes a screenshot
(test-output/screenshots/story-NN-*.png).

1. The rep logs the inquiry: the client, its decision maker, the brief, the offer
   with its commitments, value and dates.
2. The rep asks a PM for a feasibility review; the PM marks a commitment risky;
   the rep records the risk and raises the value: the review is stale, the PM
   sees the changes and re-confirms it (SPEC §7.1).
3. The rep attaches the proposal PDF, sends the offer (every readiness item met) and
   wins it: the handoff, with the proposal frozen into what was sold; the PM
   downloads the same bytes from the handoff page.
4. The PM returns the handoff with a reason; the rep fixes the offer and
   resubmits; the PM sees what changed and accepts: the project.
5. On the project, a change request with a cost impact signed by the PM and
   the sales liaison moves the budget; a deliverable is submitted and the
   client's decision (accepted) recorded with a client contact.
6. The PM raises a follow-up; the rep, the account owner, turns it into a new draft offer.
7. The manager's dashboard shows all of it.

The story runs twice: in English, and with German users (SPEC §7.6). The German run looks for the
German of every text it checks (gettext under ``translation.override("de")``), so a text not translated
yet is looked for, and found, in English.
"""

from __future__ import annotations

import gettext as gettext_module
import hashlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from accounts.models import User
from clients.models import BuyingRole, Client, Contact
from core.money import format_money
from documents.models import Document
from documents.pdf import simple_pdf
from handoff.coverage import review_status
from handoff.models import Feasibility, FeasibilityReview, Handoff, HandoffStatus, Offer, OfferStatus, ReviewStatus
from handoff.selectors import offer_detail
from projects.models import (
    ChangeRequest,
    ChangeRequestStatus,
    Deliverable,
    DeliverableStatus,
    FollowUp,
    FollowUpStatus,
    Project,
)
from tests.browser import login, screenshot, switch_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLIENT = "Kessler Maschinenbau KG"
OFFER = "ERP roll-out in three plants"
GO_LIVE = "Go-live in plant 1 before the summer shutdown"
GO_LIVE_FIXED = "Go-live in plant 1 within 16 weeks of the kickoff"
TRAINING = "On-site training for 12 key users"
PROPOSAL = simple_pdf("Proposal: ERP roll-out in three plants", ["Kessler Maschinenbau KG", "184 000 EUR"])
RETURN_REASON = "The go-live promise cannot hold: rewrite it and move the desired end to October."


LANGUAGE = {"code": "en"}


def t(text: str) -> str:
    """``text`` as the story's users read it: the German of the portal's catalogue in the German run.

    The portal's own catalogue only (locale/), not Django's: a text the portal has not translated yet is
    shown in English even where Django's catalogue happens to know the word ("Add")."""
    if LANGUAGE["code"] == "en":
        return text
    catalogue = gettext_module.translation(
        "django", localedir=str(settings.LOCALE_PATHS[0]), languages=[LANGUAGE["code"]], fallback=True
    )
    return catalogue.gettext(text)


def nt(singular: str, plural: str, count: int, **values) -> str:
    """A counted text (``{% blocktranslate count counter=… %}``) as the story's users read it."""
    if LANGUAGE["code"] == "en":
        text = singular if count == 1 else plural
    else:
        catalogue = gettext_module.translation(
            "django", localedir=str(settings.LOCALE_PATHS[0]), languages=[LANGUAGE["code"]], fallback=True
        )
        text = catalogue.ngettext(singular, plural, count)
    return text % {"counter": count, **values}


def lead(message: str) -> str:
    """The words of a message before its first placeholder ("Last saved by" of "Last saved by %(name)s …")."""
    return t(message).split("%(")[0].strip()


def label(choice) -> str:
    """A choice's label in the story's language (``DeliverableStatus.ACCEPTED`` → "Abgenommen")."""
    with translation.override(LANGUAGE["code"]):
        return str(choice.label)


def money(amount: str) -> str:
    with translation.override(LANGUAGE["code"]):
        return format_money(Decimal(amount))


def kpi(section, label: str):
    """The key figure of ``section`` whose label is exactly ``label``."""
    return section.locator(".kpi").filter(has=section.page.get_by_text(label, exact=True))


def shot(page, number: int, name: str) -> None:
    prefix = "story" if LANGUAGE["code"] == "en" else f"story-{LANGUAGE['code']}"
    screenshot(page, f"{prefix}-{number:02d}-{name}")


@pytest.fixture(params=["en", "de"])
def language(request, rep, pm, manager):
    """The language of every user of the story (their own setting)."""
    User.objects.filter(pk__in=[rep.pk, pm.pk, manager.pk]).update(language=request.param)
    LANGUAGE["code"] = request.param
    yield request.param
    LANGUAGE["code"] = "en"


def test_it_runs_the_whole_mission_from_inquiry_to_dashboard(page, live_server, rep, pm, manager, language):
    url = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())  # the hx-confirm questions

    # --- 1. The rep logs the inquiry -------------------------------------------------------------------
    login(page, live_server, rep)
    page.goto(f"{url}/clients/")
    page.get_by_role("link", name=t("New client")).click()
    page.fill("#client-form #id_name", CLIENT)
    page.fill("#client-form #id_industry", "Mechanical engineering")
    page.get_by_role("button", name=t("Create client")).click()
    page.wait_for_url(re.compile(r".*/clients/\d+/$"))
    expect(page.locator("h1")).to_contain_text(CLIENT)
    client = Client.objects.get()
    assert (client.name, client.account_owner) == (CLIENT, rep)

    page.locator("#contacts").get_by_role("link", name=t("Add contact")).click()
    modal = page.locator("#modal")
    expect(modal).to_be_visible()
    modal.locator("input[name=name]").fill("Carla Kessler")
    modal.locator("input[name=title]").fill("CEO")
    modal.locator("input[name=email]").fill("carla@kessler.example")
    modal.locator("select[name=buying_role]").select_option(BuyingRole.DECISION_MAKER)
    modal.get_by_role("button", name=t("Add contact")).click()
    expect(page.locator("#contacts")).to_contain_text("Carla Kessler")
    expect(modal).to_be_hidden()
    contact = Contact.objects.get()
    assert (contact.client, contact.buying_role) == (client, BuyingRole.DECISION_MAKER)

    page.locator("#brief").get_by_role("link", name=t("Edit brief")).click()
    page.locator("#brief textarea[name=background]").fill("Family-owned, three plants, cautious; decides slowly.")
    page.locator("#brief textarea[name=goals]").fill("One ERP for finance, purchasing and production planning.")
    page.locator("#brief textarea[name=politics]").fill("The CIO lost the last ERP project; keep him close.")
    page.locator("#brief").get_by_role("button", name=t("Save brief")).click()
    expect(page.locator("#brief")).to_contain_text("One ERP for finance")
    expect(page.locator("#brief")).to_contain_text(lead("Last saved by %(name)s on %(when)s"))
    client.brief.refresh_from_db()
    assert client.brief.is_filled and client.brief.version == 2
    shot(page, 1, "client-with-contact-and-brief")

    page.goto(f"{url}/offers/")
    page.get_by_role("link", name=t("New offer")).first.click()
    page.wait_for_url(re.compile(r".*/offers/new/$"))
    page.select_option("#id_client", label=CLIENT)
    page.fill("#id_title", OFFER)
    page.fill("#id_summary", "Finance, purchasing and production planning; data migration; training.")
    page.fill("#id_value", "184000")
    page.fill("#id_probability", "70")
    page.fill("#id_expected_close", "2030-03-01")
    page.fill("#id_desired_start", "2030-04-01")
    page.fill("#id_desired_end", "2030-09-30")
    page.get_by_role("button", name=t("Create offer")).click()
    expect(page.locator("h1")).to_contain_text(OFFER)
    for text in (GO_LIVE, TRAINING):
        page.fill("#id_commitment_text", text)
        page.locator("#commitments").get_by_role("button", name=t("Add")).click()
        expect(page.locator("#commitments")).to_contain_text(text)
    expect(page.locator("#readiness li[data-key=brief]")).to_have_class("is-met")
    expect(page.locator("#readiness li[data-key=decision_maker]")).to_have_class("is-met")
    expect(page.locator("#readiness li[data-key=commercials]")).to_have_class("is-met")
    expect(page.locator("#readiness li[data-key=review]")).to_have_class("is-unmet")
    offer = Offer.objects.get()
    assert (offer.client, offer.owner, offer.status, offer.value) == (
        client,
        rep,
        OfferStatus.DRAFT,
        Decimal("184000.00"),
    )
    assert offer.commitments.count() == 2
    shot(page, 2, "offer-draft")

    # --- 2. Feasibility review: the PM flags a risky commitment; the rep records the risk ----------------
    page.get_by_test_id("request-review").click()
    expect(modal).to_be_visible()
    modal.locator("select[name=reviewer]").select_option(label=pm.full_name)
    modal.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("offer-status")).to_have_text(t("In review"))
    assert Offer.objects.get().status == OfferStatus.REVIEW
    assert FeasibilityReview.objects.get().status == ReviewStatus.REQUESTED

    switch_user(page, live_server, pm)
    page.get_by_test_id("home-reviews").get_by_role("link", name=OFFER).click()
    page.get_by_label(t("Feasible with conditions")).check()
    page.fill("#id_effort_days", "120")
    page.fill("#id_duration_weeks", "24")
    page.fill("#id_notes", "Feasible if the client names a product owner with decision rights.")
    go_live = offer.commitments.get(text=GO_LIVE)
    training = offer.commitments.get(text=TRAINING)
    page.select_option(f"#id_mark_{go_live.pk}", Feasibility.RISKY)
    page.fill(f"#id_note_{go_live.pk}", "Only with a data freeze in May.")
    page.select_option(f"#id_mark_{training.pk}", Feasibility.FEASIBLE)
    page.fill("#id_milestones-0-name", "Blueprint signed off")
    page.fill("#id_milestones-0-due", "2030-05-15")
    shot(page, 3, "pm-feasibility-review")
    page.get_by_test_id("submit-review").click()
    expect(page.locator("#messages")).to_contain_text(
        t("Review of “%(title)s” sent to %(rep)s.") % {"title": OFFER, "rep": "Rita Rep"}
    )
    expect(page.get_by_test_id("review-answer")).to_contain_text(t("Feasible with conditions"))
    expect(page.locator("#commitments")).to_contain_text(t("Risky"))
    review = FeasibilityReview.objects.get()
    assert (review.status, review.verdict, review.reviewer) == (ReviewStatus.COMPLETED, "feasible_with_conditions", pm)
    go_live.refresh_from_db()
    assert go_live.feasibility == Feasibility.RISKY

    switch_user(page, live_server, rep)
    page.goto(f"{url}/offers/{offer.pk}/")
    expect(page.get_by_test_id("offer-status")).to_have_text(t("Draft"))  # the answer hands the offer back
    page.locator("#risks summary").click()
    page.locator("#risks input[name=title]").fill("Data freeze in May not agreed")
    page.locator("#risks select[name=category]").select_option("schedule")
    page.locator("#risks select[name=probability]").select_option("4")
    page.locator("#risks select[name=impact]").select_option("4")
    page.locator("#risks").get_by_role("button", name=t("Add risk")).click()
    expect(page.locator("#risks")).to_contain_text("Data freeze in May not agreed")
    assert offer.risks.get().title == "Data freeze in May not agreed"

    # The rep raises the value after the review: the review no longer covers the offer (SPEC §7.1).
    page.goto(f"{url}/offers/{offer.pk}/edit/")
    page.fill("#id_value", "214000")
    page.get_by_role("button", name=t("Save offer")).click()
    expect(page.get_by_test_id("review-stale")).to_contain_text(f"{t('value')} {money('184000')} → {money('214000')}")
    stale = page.get_by_test_id("review-stale")
    expect(stale).to_contain_text(lead("risk added: %(what)s"))
    expect(stale).to_contain_text("Data freeze in May not agreed")
    expect(page.locator("#readiness li[data-key=review]")).to_have_class("is-unmet")
    assert review_status(offer_detail(user=rep, pk=offer.pk)).state == "stale"
    shot(page, 4, "offer-changed-since-review")

    # The PM sees the changes and re-confirms the review in one step.
    switch_user(page, live_server, pm)
    page.goto(f"{url}/offers/{offer.pk}/")
    page.get_by_test_id("confirm-review").click()
    expect(modal).to_be_visible()
    expect(modal.get_by_test_id("review-changes")).to_contain_text(
        f"{t('value')} {money('184000')} → {money('214000')}"
    )
    modal.get_by_test_id("confirm").click()
    expect(page.locator("#messages")).to_contain_text(t("Review confirmed: it covers the offer as it is now."))
    expect(page.get_by_test_id("review-current")).to_be_visible()
    assert review_status(offer_detail(user=rep, pk=offer.pk)).state == "current"
    switch_user(page, live_server, rep)

    # --- 3. Send (every readiness item met) and win ---------------------------------------------------
    page.goto(f"{url}/offers/{offer.pk}/")
    # The proposal PDF goes with the offer (SPEC §7.4): attached with the file picker, with its progress bar.
    documents = page.locator("section.documents")
    documents.locator("input[type=file]").set_input_files(
        files=[{"name": "Proposal.pdf", "mimeType": "application/pdf", "buffer": PROPOSAL}]
    )
    documents.locator("input[name=title]").fill("Proposal for Kessler")
    documents.get_by_role("button", name=t("Upload")).click()
    expect(page.locator("section.documents table")).to_contain_text("Proposal for Kessler")
    proposal = Document.objects.get()
    assert (proposal.offer, proposal.sha256) == (offer, hashlib.sha256(PROPOSAL).hexdigest())
    expect(page.locator("#readiness .is-unmet")).to_have_count(0)
    expect(page.locator("#readiness .is-met")).to_have_count(5)
    shot(page, 4, "offer-ready-to-send")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("offer-status")).to_have_text(t("Sent"))
    assert Offer.objects.get().status == OfferStatus.SENT

    page.get_by_test_id("win").click()
    expect(page.locator("#modal [data-testid=confirm-win]")).to_be_visible()
    page.click("#modal [data-testid=confirm-win]")
    page.wait_for_url(re.compile(r".*/handoffs/\d+/$"))
    expect(page.locator("main")).to_contain_text(t("What was sold"))
    expect(page.locator("#sold-documents")).to_contain_text("Proposal for Kessler")
    proposal.refresh_from_db()
    assert proposal.is_frozen
    handoff = Handoff.objects.get()
    assert (handoff.status, handoff.pm) == (HandoffStatus.PENDING, pm)
    assert Offer.objects.get().status == OfferStatus.WON
    shot(page, 5, "handoff-pending")

    # --- 4. Returned with a reason, fixed, resubmitted, accepted -----------------------------------------
    switch_user(page, live_server, pm)
    page.goto(f"{url}/handoffs/{handoff.pk}/")
    # The PM downloads what was sold: the very bytes the rep attached.
    with page.expect_download() as download:
        page.get_by_test_id("sold-document").get_by_role("link").click()
    assert download.value.suggested_filename == "Proposal.pdf"
    assert hashlib.sha256(Path(download.value.path()).read_bytes()).hexdigest() == proposal.sha256
    page.get_by_test_id("return").click()
    page.fill("#modal textarea[name=reason]", RETURN_REASON)
    page.click("#modal [data-testid=confirm-return]")
    expect(page.locator("main")).to_contain_text(t("Returned to sales"))
    handoff.refresh_from_db()
    assert (handoff.status, handoff.return_count) == (HandoffStatus.RETURNED, 1)
    assert Project.objects.count() == 0

    switch_user(page, live_server, rep)
    page.goto(f"{url}/handoffs/{handoff.pk}/")
    expect(page.locator("main")).to_contain_text("rewrite it and move the desired end")
    shot(page, 6, "handoff-returned")
    page.get_by_test_id("fix-offer").click()
    page.wait_for_url(f"{url}/offers/{offer.pk}/")
    page.locator("#offer-actions").get_by_role("link", name=t("Edit"), exact=True).click()
    page.wait_for_url(f"{url}/offers/{offer.pk}/edit/")
    page.fill("#id_desired_end", "2030-10-31")
    page.get_by_role("button", name=t("Save offer")).click()
    expect(page.locator("#messages")).to_contain_text(t("Offer saved."))
    page.goto(f"{url}/offers/{offer.pk}/")
    page.locator("#commitments").get_by_role(
        "button", name=t("Remove commitment %(text)s").split("%(text)s")[0] + "Go-live"
    ).click()
    expect(page.locator("#commitments")).not_to_contain_text(GO_LIVE)
    page.fill("#id_commitment_text", GO_LIVE_FIXED)
    page.locator("#commitments").get_by_role("button", name=t("Add")).click()
    expect(page.locator("#commitments")).to_contain_text(GO_LIVE_FIXED)
    fixed = Offer.objects.get()
    assert (fixed.status, str(fixed.desired_end)) == (OfferStatus.WON, "2030-10-31")
    assert set(fixed.commitments.values_list("text", flat=True)) == {GO_LIVE_FIXED, TRAINING}
    page.goto(f"{url}/handoffs/{handoff.pk}/")
    page.get_by_test_id("resubmit").click()
    expect(page.locator("#messages")).to_contain_text(
        t("Resubmitted. The PM sees what changed since the last version.")
    )
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.PENDING

    switch_user(page, live_server, pm)
    page.goto(f"{url}/handoffs/{handoff.pk}/")
    diff = page.get_by_test_id("diff")
    expect(diff).to_contain_text(GO_LIVE_FIXED)
    diff_text = diff.inner_text()
    for text in (t("Desired end"), "2030-09-30", "2030-10-31", GO_LIVE, t("removed"), GO_LIVE_FIXED, t("added")):
        assert text in diff_text, f"{text!r} is not in the diff:\n{diff_text}"
    shot(page, 7, "handoff-what-changed")
    page.get_by_test_id("accept").click()
    page.wait_for_url(re.compile(r".*/projects/\d+/$"))
    project = Project.objects.get()
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.ACCEPTED
    assert (project.handoff, project.pm, project.budget) == (handoff, pm, Decimal("214000.00"))
    expect(page.locator("main")).to_contain_text(GO_LIVE_FIXED)
    expect(page.get_by_test_id("now-budget")).to_contain_text(money("214000"))
    shot(page, 8, "project-created")

    # --- 5. A change request signed twice; a deliverable accepted by the client -------------------------
    project_url = f"{url}/projects/{project.pk}/"
    page.click("[data-testid=raise-change]")
    page.fill("#change-requests input[name=title]", "Fourth plant interface")
    page.fill("#change-requests textarea[name=description]", "Connect the Linz plant's MES as well.")
    page.fill("#change-requests input[name=cost_impact]", "12500")
    page.fill("#change-requests input[name=schedule_impact_days]", "10")
    page.click("[data-testid=raise-change-submit]")
    expect(page.locator("#messages")).to_contain_text(
        t("Change request “%(title)s” raised.") % {"title": "Fourth plant interface"}
    )
    page.click("[data-testid=approve-change]")
    page.click("#modal [data-testid=confirm]")
    expect(page.get_by_test_id("signatures")).to_contain_text("Paula Manager")
    # Exactly the liaison is left (before the PM's signature lands, both are listed).
    expect(page.get_by_test_id("pending-signature")).to_have_text(
        f"{t('Waiting for:')} {t('Sales liaison')} (Rita Rep)"
    )
    change = ChangeRequest.objects.get()
    assert (change.status, change.approvals.count()) == (ChangeRequestStatus.PROPOSED, 1)
    assert Project.objects.get().budget == Decimal("214000.00")

    deliverable = Deliverable.objects.get(project=project, name="Blueprint signed off")
    row = page.locator(f"#deliverable-{deliverable.pk}")
    row.get_by_test_id("submit-deliverable").click()
    expect(page.locator(f"#deliverable-{deliverable.pk}")).to_contain_text(t("Submitted"))
    page.locator(f"#deliverable-{deliverable.pk} [data-testid=decide-deliverable]").click()
    page.check("#modal input[value=accepted]")
    page.select_option("#modal select[name=contact]", label="Carla Kessler (CEO)")
    page.click("#modal [data-testid=confirm]")
    expect(page.locator(f"#deliverable-{deliverable.pk}")).to_contain_text(
        t("%(status)s by %(name)s") % {"status": label(DeliverableStatus.ACCEPTED), "name": "Carla Kessler"}
    )
    deliverable.refresh_from_db()
    assert (deliverable.status, deliverable.decided_by) == (DeliverableStatus.ACCEPTED, contact)
    shot(page, 9, "project-change-signed-once-deliverable-accepted")

    switch_user(page, live_server, rep)
    page.goto(project_url)
    page.click("[data-testid=approve-change]")
    page.fill("#modal textarea[name=comment]", "Agreed with the client's CFO.")
    page.click("#modal [data-testid=confirm]")
    expect(page.get_by_test_id("now-budget")).to_contain_text(money("226500"))
    expect(page.locator("#change-requests")).to_contain_text(t("Approved"))
    change.refresh_from_db()
    assert (change.status, change.approvals.count()) == (ChangeRequestStatus.APPROVED, 2)
    assert {approval.user for approval in change.approvals.all()} == {pm, rep}
    assert Project.objects.get().budget == Decimal("226500.00")
    shot(page, 10, "project-change-approved")

    # --- 6. A follow-up raised by the PM, turned into a new offer by the account owner -------------------
    switch_user(page, live_server, pm)
    page.goto(project_url)
    page.fill("#follow_up_title", "Second plant roll-out")
    page.fill("#follow_up_estimated_value", "30000")
    page.fill("#follow_up_description", "The plant manager in Linz wants the same system.")
    page.get_by_test_id("raise-follow-up").click()
    expect(page.locator("#follow-ups")).to_contain_text("Second plant roll-out")
    follow_up = FollowUp.objects.get()
    assert (follow_up.status, follow_up.raised_by) == (FollowUpStatus.OPEN, pm)
    shot(page, 11, "project-follow-up-raised")

    switch_user(page, live_server, rep)
    page.goto(f"{url}/")
    page.get_by_test_id("home-follow-ups").get_by_test_id("follow-up").filter(
        has_text="Second plant roll-out"
    ).get_by_test_id("convert-follow-up").click()
    page.wait_for_url(re.compile(r".*/offers/\d+/$"))
    expect(page.get_by_test_id("offer-status")).to_have_text(t("Draft"))
    expect(page.get_by_test_id("from-follow-up")).to_contain_text(project.name)
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CONVERTED
    new_offer = follow_up.offer
    assert (new_offer.owner, new_offer.client, new_offer.status, new_offer.value) == (
        rep,
        client,
        OfferStatus.DRAFT,
        Decimal("30000.00"),
    )
    assert Offer.objects.count() == 2
    shot(page, 12, "follow-up-offer")

    # --- 7. The manager's dashboard shows all of it ----------------------------------------------------
    switch_user(page, live_server, manager)
    page.goto(f"{url}/dashboard/")
    pipeline = page.locator("#dash-pipeline").locator("xpath=..")
    expect(kpi(pipeline, t("Won in period"))).to_contain_text(money("214000"))
    expect(kpi(pipeline, t("Open offers")).locator("dd")).to_have_text("1")  # the follow-up's new draft
    expect(kpi(pipeline, t("Open value")).locator("dd")).to_have_text(money("30000"))
    expect(kpi(pipeline, t("Won in period"))).to_contain_text(nt("%(counter)s offer", "%(counter)s offers", 1))
    handoffs = page.locator("#dash-handoffs").locator("xpath=..")
    expect(handoffs).to_contain_text(t("No handoff is waiting for a PM."))
    expect(kpi(handoffs, t("Median time to accept"))).to_contain_text(
        nt("won → accepted, %(counter)s handoff", "won → accepted, %(counter)s handoffs", 1)
    )
    expect(kpi(handoffs, t("Return rate"))).to_contain_text(
        nt(
            "%(returned)s of %(counter)s handoff returned at least once",
            "%(returned)s of %(counter)s handoffs returned at least once",
            1,
            returned=1,
        )
    )
    expect(handoffs.locator(".reasons")).to_contain_text(RETURN_REASON)
    delivery = page.locator("#dash-delivery").locator("xpath=..")
    expect(kpi(delivery, t("Running projects"))).to_contain_text(t("of %(total)s in all") % {"total": 1})
    expect(delivery).to_contain_text(t("No change request is waiting for a decision."))
    expect(delivery).to_contain_text(
        t("%(count)s waiting for a decision, %(cost)s cost impact, %(days)s days of schedule impact.").split(",")[0]
        % {"count": 0}
    )
    funnel = page.get_by_test_id("follow-up-funnel")
    raised = funnel.locator("dt", has_text=re.compile(f"^{re.escape(t('Raised'))}$")).locator(
        "xpath=following-sibling::dd[1]"
    )
    estimated = t("%(value)s estimated") % {"value": money("30000")}
    expect(raised).to_have_text(re.compile(rf"^1 \({re.escape(estimated)}\)$"))
    converted = funnel.locator("dt", has_text=re.compile(f"^{re.escape(t('Converted into offers'))}$"))
    expect(converted.locator("xpath=following-sibling::dd[1]")).to_have_text(re.compile(r"^1 \(100([.,]0)?\s?%\)$"))
    dismissed = funnel.locator("dt", has_text=re.compile(f"^{re.escape(t('Dismissed / open'))}$"))
    expect(dismissed.locator("xpath=following-sibling::dd[1]")).to_have_text("0 / 0")
    shot(page, 13, "manager-dashboard")

    # The whole story left exactly one of each behind.
    assert Project.objects.count() == 1
    assert Handoff.objects.count() == 1
    assert list(Offer.objects.order_by("pk").values_list("status", flat=True)) == [OfferStatus.WON, OfferStatus.DRAFT]
