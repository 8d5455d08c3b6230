"""German at phone width (SPEC §7.6): the main pages of every demo role, in German, in a 375 px window.

German words are long ("Machbarkeitsprüfung", "Vertriebsansprechpartner:in"): no button, label, table
header, badge or navigation link may cut its text off (its content wider than its box), and no page may
be wider than the window. Screenshots go to the test's tmp dir (the path is printed on failure).
"""

from __future__ import annotations

import pytest

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from tests.browser import login, switch_user
from tests.core.test_layout_browser import OVERFLOW, demo, pages_for  # noqa: F401 - demo is a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}

# A text box whose content is wider than the box itself: the label is cut off or spills out.
LABEL_OVERFLOW = """() => {
  const found = [];
  const selector = "button, .button, label, legend, th, .badge, .tabs a, .site-nav a, .breadcrumbs a, " +
                   ".kpi dt, .field label, summary, .language-switch__option";
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest(".visually-hidden, .skip-link, dialog:not([open]), .table-wrap, template")) continue;
    const style = getComputedStyle(el);
    if (style.display === "none" || style.display === "inline" || style.visibility === "hidden") continue;
    if (el.clientWidth === 0) continue;
    if (el.scrollWidth > el.clientWidth + 1) {
      const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 50);
      found.push(`${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).split(" ").join(".") : ""} ` +
                 `"${text}": ${el.scrollWidth}px of text in ${el.clientWidth}px`);
    }
  }
  return found.slice(0, 12);
}"""


def _slug(path: str) -> str:
    return "".join(char if char.isalnum() else "-" for char in path).strip("-") or "home"


def test_the_main_pages_fit_a_phone_in_german(page, live_server, demo, browser_log, tmp_path):  # noqa: F811
    User.objects.filter(pk__in=[user.pk for user in demo.values()]).update(language="de")
    problems: dict[str, list[str]] = {}
    for persona, user in demo.items():
        page.set_viewport_size(PHONE)
        switch_user(page, live_server, user, password=DEMO_PASSWORD)
        for path in [*pages_for(persona, user), "/account/"]:
            response = page.goto(f"{live_server.url}{path}")
            expected = 404 if path == "/no-such-page/" else 200
            assert response.status == expected, f"{persona} {path} answered {response.status}"
            if expected == 404:  # Chromium reports the 404 on the console; it is the page under test here
                browser_log.console_errors[:] = [e for e in browser_log.console_errors if path not in e]
            assert page.locator("html").get_attribute("lang") == "de", f"{persona} {path} is not in German"
            found = page.evaluate(OVERFLOW) + page.evaluate(LABEL_OVERFLOW)
            if found:
                problems[f"{persona} {path}"] = found
            page.screenshot(path=str(tmp_path / f"de-{persona}-{_slug(path)}.jpg"), full_page=True, type="jpeg")

    assert not problems, f"Overflowing in German at {PHONE['width']}px (screenshots in {tmp_path}):\n" + "\n".join(
        f"  {where}:\n    " + "\n    ".join(lines) for where, lines in problems.items()
    )


def test_the_language_switch_works_from_the_keyboard(page, live_server, rep):
    page.set_viewport_size(PHONE)
    login(page, live_server, rep)
    switch = page.locator(".site-header .language-switch__option[value=de]")
    switch.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.locator("html").get_attribute("lang") == "de"
    rep.refresh_from_db()
    assert rep.language == "de"
