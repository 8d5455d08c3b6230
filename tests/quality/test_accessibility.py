"""Accessibility gate (SPEC §6): axe-core in Chromium on the main pages of every role, labels, keyboard in modals.

axe-core comes from the npm registry (package.json, installed by `make venv`
with `npm ci`). It is loaded into each page as an init script through the
DevTools protocol, so the pages keep their strict content security policy
(and the ``page`` fixture still fails on any CSP violation or console error).
A serious or critical violation fails the test; every violation found is
written to test-output/accessibility/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from clients.models import Client
from handoff.models import Handoff, Offer
from projects.models import Project
from tests.browser import login, screenshot
from tests.factories import ClientFactory
from tests.quality.site_crawl import ROLES, crawl_demo
from tests.services import require

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
REPORTS = ROOT / "test-output" / "accessibility"
BLOCKING = {"serious", "critical"}

RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary),
  }));
}"""


def axe_reason() -> str | None:
    if not AXE.exists():
        return f"axe-core not installed ({AXE.relative_to(ROOT)} missing: run `make venv` or `npm ci`)"
    return None


def _quiet():
    return open("/dev/null", "w")


@pytest.fixture
def demo(transactional_db) -> dict[str, User]:
    """The demo data of `make run`, with its users (a rep, a PM and a manager among them)."""
    with _quiet() as out:
        call_command("seed_demo", stdout=out)
    return {role: User.objects.get(username=username) for role, username in ROLES.items()}


def main_pages(role: str, user: User) -> list[str]:
    """The pages this role works with most, on objects the role can see."""
    if role == "rep":
        clients = Client.objects.filter(account_owner=user)
        offers = Offer.objects.filter(owner=user)
        handoffs = Handoff.objects.filter(offer__owner=user)
        projects = Project.objects.filter(offer__owner=user)
    elif role == "pm":
        handoffs = Handoff.objects.filter(pm=user)
        projects = Project.objects.filter(pm=user)
        offers = Offer.objects.filter(reviews__reviewer=user)
        clients = Client.objects.filter(projects__pm=user)
    else:
        clients, offers, handoffs, projects = Client.objects, Offer.objects, Handoff.objects, Project.objects
    client, offer = clients.order_by("pk").first(), offers.order_by("pk").first()
    handoff, project = handoffs.order_by("pk").first(), projects.order_by("pk").first()
    assert client and offer and handoff and project, f"the demo data has nothing for the {role}"
    pages = ["/", "/clients/", f"/clients/{client.pk}/", "/offers/", f"/offers/{offer.pk}/"]
    pages += ["/handoffs/", f"/handoffs/{handoff.pk}/", "/projects/", f"/projects/{project.pk}/"]
    pages += ["/notifications/", "/dashboard/", "/search/?q=a"]
    if role == "rep":
        pages += ["/clients/new/", "/offers/new/", f"/offers/{offer.pk}/edit/", f"/clients/{client.pk}/edit/"]
    if role == "manager":
        pages += ["/dashboard/risks/?p=3&i=3", "/notifications/preferences/"]
    return pages


def _check(page, name: str) -> list[dict]:
    """Run axe on the current page; record every violation, return the blocking ones."""
    violations = page.evaluate(RUN_AXE)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / f"{name}.json").write_text(json.dumps(violations, indent=2))
    return [violation for violation in violations if violation["impact"] in BLOCKING]


def _slug(path: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in path).strip("-") or "home"


@pytest.fixture
def axe_page(page):
    require(axe_reason())
    page.add_init_script(path=str(AXE))
    return page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_has_no_serious_violation_on_the_login_page(axe_page, live_server):
    axe_page.goto(f"{live_server.url}/login/")

    assert _check(axe_page, "login") == []


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(ROLES))
def test_it_has_no_serious_violation_on_the_main_pages(axe_page, live_server, demo, role):
    login(axe_page, live_server, demo[role], password=DEMO_PASSWORD)
    found = {}

    for path in main_pages(role, demo[role]):
        response = axe_page.goto(f"{live_server.url}{path}")
        assert response.status == 200, f"{role} {path} answered {response.status}"
        blocking = _check(axe_page, f"{role}-{_slug(path)}")
        if blocking:
            found[path] = blocking

    assert not found, json.dumps(found, indent=2)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_has_no_serious_violation_at_phone_width(axe_page, live_server, demo):
    axe_page.set_viewport_size({"width": 390, "height": 844})
    login(axe_page, live_server, demo["rep"], password=DEMO_PASSWORD)
    axe_page.click("[data-nav-toggle]")

    assert _check(axe_page, "rep-home-phone") == []


# --- Modals: keyboard ---------------------------------------------------------------------
def _focus_in_modal(page) -> bool:
    return page.evaluate("() => !!document.activeElement && !!document.activeElement.closest('#modal')")


@pytest.fixture
def contact_modal(axe_page, live_server, rep):
    """The rep on a client's page with the "Add contact" modal opened from the keyboard."""
    client = ClientFactory(account_owner=rep)
    login(axe_page, live_server, rep)
    axe_page.goto(f"{live_server.url}/clients/{client.pk}/")
    opener = axe_page.get_by_role("link", name="Add contact")
    opener.focus()
    axe_page.keyboard.press("Enter")
    axe_page.wait_for_selector("#modal[open] input:not([type=hidden])")
    return axe_page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_moves_the_focus_into_an_opened_modal(contact_modal):
    assert _focus_in_modal(contact_modal)
    assert contact_modal.evaluate("() => document.activeElement.tagName") in {"INPUT", "SELECT", "TEXTAREA"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_keeps_tab_and_shift_tab_inside_the_modal(contact_modal):
    stops = contact_modal.evaluate(
        "() => document.querySelectorAll('#modal a[href], #modal button, #modal input:not([type=hidden]),"
        " #modal select, #modal textarea').length"
    )

    for _ in range(stops + 2):
        contact_modal.keyboard.press("Tab")
        assert _focus_in_modal(contact_modal)
    for _ in range(stops + 2):
        contact_modal.keyboard.press("Shift+Tab")
        assert _focus_in_modal(contact_modal)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_closes_the_modal_with_escape_and_returns_the_focus_to_its_opener(contact_modal):
    contact_modal.keyboard.press("Escape")

    contact_modal.wait_for_selector("#modal:not([open])", state="attached")
    assert contact_modal.evaluate("() => document.activeElement.textContent.trim()") == "Add contact"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_returns_the_focus_to_the_opener_after_cancel(contact_modal):
    contact_modal.get_by_role("button", name="Cancel").click()

    contact_modal.wait_for_selector("#modal:not([open])", state="attached")
    assert contact_modal.evaluate("() => document.activeElement.textContent.trim()") == "Add contact"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_has_no_serious_violation_in_an_open_modal(contact_modal):
    screenshot(contact_modal, "a11y-contact-modal")

    assert _check(contact_modal, "rep-contact-modal") == []


# --- Every form field labelled, every page titled (all pages and fragments, crawled) --------------
@pytest.mark.django_db
def test_it_labels_every_form_field_on_every_page(django_db_blocker):
    unlabelled, fields = [], 0
    for role, crawl in crawl_demo(django_db_blocker).items():
        for page in crawl.pages:
            fields += len(page.controls)
            unlabelled += [f"{role} {page.url}: {control.describe()}" for control in page.unlabelled()]

    assert fields > 100  # the crawl reached the forms
    assert not unlabelled, "\n".join(unlabelled)


@pytest.mark.django_db
def test_it_gives_every_full_page_a_language_and_a_title(django_db_blocker):
    untitled = []
    for role, crawl in crawl_demo(django_db_blocker).items():
        for page in crawl.pages:
            if not page.fragment and not (page.lang and page.title):
                untitled.append(f"{role} {page.url} ({page.route}): lang={page.lang!r} title={page.title!r}")

    assert not untitled, "\n".join(untitled)


@pytest.mark.django_db
def test_it_crawls_every_role_without_a_server_error(django_db_blocker):
    crawls = crawl_demo(django_db_blocker)

    assert all(len(crawl.pages) > 20 for crawl in crawls.values())
    assert [error for crawl in crawls.values() for error in crawl.errors] == []
