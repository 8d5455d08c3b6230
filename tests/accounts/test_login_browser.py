"""Logging in through the real form in Chromium, as each persona (SPEC §2)."""

import pytest

from tests.browser import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("persona", ["rep", "pm", "manager"])
def test_it_logs_each_persona_in_and_shows_the_navigation(page, live_server, request, persona):
    user = request.getfixturevalue(persona)

    login(page, live_server, user)

    header = page.locator("header.site-header")
    assert header.locator(".user-menu__name").inner_text() == user.full_name
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Home").is_visible()
    assert header.get_by_role("button", name="Log out").is_visible()
    assert page.title().endswith("Handoff portal")
    screenshot(page, f"login-{persona}")


def test_it_shows_an_error_for_a_wrong_password(page, live_server, rep):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", rep.username)
    page.fill("#id_password", "not-the-password")
    with page.expect_navigation():
        page.click("button[type=submit]")

    assert page.url.startswith(f"{live_server.url}/login/")
    assert "correct username and password" in page.get_by_role("alert").inner_text()
    assert page.locator("header.site-header").count() == 0
    screenshot(page, "login-wrong-password")


def test_it_logs_out_through_the_header_button(page, live_server, pm):
    login(page, live_server, pm)

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()

    assert page.url.startswith(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login/?next=/")


def test_it_folds_the_navigation_at_phone_width(page, live_server, rep):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, rep)
    toggle = page.get_by_role("button", name="Menu")
    home = page.get_by_role("navigation", name="Main").get_by_role("link", name="Home")

    assert toggle.is_visible()
    assert not home.is_visible()
    toggle.click()
    assert home.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "login-phone-menu-open")
