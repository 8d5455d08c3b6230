"""Layout at the edges (issue 18): every main page, as every demo role, at phone, tablet and desktop width.

One Chromium, one live server and one copy of the demo data for the whole walk:
each page is loaded once per role and looked at in three widths (resizing
re-runs the media queries). Nothing may be wider than the window, and nothing
may stick out of its card (a table inside its scrolling wrapper may scroll).
Screenshots go to test-output/screenshots/layout/ (git-ignored) for people to
look at. The print test renders the offer, handoff and project pages with
print media: no navigation, buttons or forms, the content readable.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from handoff.models import Handoff, Offer
from projects.models import Project
from tests.browser import SCREENSHOT_DIR, login, switch_user
from tests.quality.site_crawl import ROLES
from tests.quality.test_accessibility import main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "tablet": 768, "desktop": 1280}
HEIGHT = 900
LAYOUT_DIR = SCREENSHOT_DIR / "layout"
PERSONAS = {**ROLES, "superuser": "admin"}

# Everything wider than the window, or sticking out of its card, that is not inside a box that scrolls
# or clips it (a .table-wrap, the modal, the search results). One line per offender, with its path.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px in a ${width}px window`);
  }
  const clipped = (el, stop) => {
    for (let node = el.parentElement; node && node !== stop; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const describe = (el) => {
    const parts = [];
    for (let node = el; node && node !== document.body && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) part += "#" + node.id;
      else if (node.classList.length) part += "." + Array.from(node.classList).join(".");
      parts.unshift(part);
    }
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 40);
    return parts.join(" > ") + (text ? ` "${text}"` : "");
  };
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".visually-hidden, .skip-link, dialog:not([open]), script, style, template")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden" || style.position === "fixed") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if ((box.right > width + 1 || box.left < -1) && !clipped(el, null)) {
      found.push(`${describe(el)} spans ${Math.round(box.left)}..${Math.round(box.right)}px in a ${width}px window`);
      continue;
    }
    const card = el.parentElement && el.parentElement.closest(".card");
    if (card && !clipped(el, card)) {
      const outer = card.getBoundingClientRect();
      if (box.right > outer.right + 1 || box.left < outer.left - 1) {
        found.push(`${describe(el)} sticks out of its card (${Math.round(box.left)}..${Math.round(box.right)}px, ` +
                   `card ${Math.round(outer.left)}..${Math.round(outer.right)}px)`);
      }
    }
  }
  return found.slice(0, 12);
}"""


def _slug(path: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in path).strip("-") or "home"


@pytest.fixture
def demo(transactional_db) -> dict[str, User]:
    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
    return {persona: User.objects.get(username=username) for persona, username in PERSONAS.items()}


def pages_for(persona: str, user: User) -> list[str]:
    if persona == "superuser":
        # No role of their own: what every signed-in user reads (handoffs are for the roles), and the dashboards.
        return [path for path in main_pages("manager", user) if not path.startswith("/handoffs/")]
    pages = main_pages(persona, user)
    return [*pages, "/no-such-page/"] if persona == "rep" else pages


def test_no_page_is_wider_than_the_window_at_any_width(page, live_server, demo, browser_log):
    LAYOUT_DIR.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    for persona, user in demo.items():
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": HEIGHT})
        switch_user(page, live_server, user, password=DEMO_PASSWORD)
        for path in pages_for(persona, user):
            response = page.goto(f"{live_server.url}{path}")
            expected = 404 if path == "/no-such-page/" else 200
            assert response.status == expected, f"{persona} {path} answered {response.status}"
            if expected == 404:  # Chromium reports the 404 on the console; it is the page under test here
                browser_log.console_errors[:] = [e for e in browser_log.console_errors if path not in e]
            for name, width in WIDTHS.items():
                page.set_viewport_size({"width": width, "height": HEIGHT})
                found = page.evaluate(OVERFLOW)
                if found:
                    problems[f"{persona} {path} at {width}px"] = found
                # JPEG: a tenth of the time of a full-page PNG, and good enough to look at.
                shot = LAYOUT_DIR / f"{persona}-{_slug(path)}-{name}.jpg"
                page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=60)
            page.set_viewport_size({"width": WIDTHS["desktop"], "height": HEIGHT})

    assert not problems, "Overflowing layout:\n" + "\n".join(
        f"  {where}:\n    " + "\n    ".join(lines) for where, lines in problems.items()
    )


# --- Printing -----------------------------------------------------------------------------------------
HIDDEN_IN_PRINT = """() => {
  const shown = (el) => {
    for (let node = el; node; node = node.parentElement) {
      if (getComputedStyle(node).display === "none") return false;
    }
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const visible = (selector) => Array.from(document.querySelectorAll(selector)).filter(shown);
  return {
    nav: visible(".site-header, nav.breadcrumbs, .site-nav, .global-search").length,
    buttons: visible("button, .button, input[type=submit]").map((el) => (el.innerText || el.value || "").trim()).slice(0, 8),
    forms: visible("form").length,
    headings: visible("main h1, main h2").map((el) => el.innerText.trim()),
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""


@pytest.mark.parametrize(
    ("persona", "what"),
    [("rep", "offer"), ("pm", "handoff"), ("pm", "project")],
)
def test_the_offer_handoff_and_project_pages_print_without_controls(page, live_server, demo, persona, what):
    user = demo[persona]
    path = {
        "offer": lambda: f"/offers/{Offer.objects.filter(owner=user).order_by('pk').first().pk}/",
        "handoff": lambda: f"/handoffs/{Handoff.objects.filter(pm=user).order_by('pk').first().pk}/",
        "project": lambda: f"/projects/{Project.objects.filter(pm=user).order_by('pk').first().pk}/",
    }[what]()
    login(page, live_server, user, password=DEMO_PASSWORD)
    page.goto(f"{live_server.url}{path}")
    page.emulate_media(media="print")
    # A4 portrait at 96 dpi, less the page margins of the print stylesheet.
    page.set_viewport_size({"width": 700, "height": 1000})

    shown = page.evaluate(HIDDEN_IN_PRINT)

    assert shown["nav"] == 0, "the navigation is printed"
    assert shown["buttons"] == [], f"buttons are printed: {shown['buttons']}"
    assert shown["forms"] == 0, "forms are printed"
    assert shown["headings"], "the content is not printed"
    assert shown["overflow"] <= 1, f"the printed page is {shown['overflow']}px wider than the paper"
    LAYOUT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(LAYOUT_DIR / f"print-{what}.png"), full_page=True)
    page.pdf(path=str(LAYOUT_DIR / f"print-{what}.pdf"), format="A4")
