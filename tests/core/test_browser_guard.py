"""The browser fixture's guard: pages may not reach other hosts or log errors."""

import pytest

from tests.browser import BrowserLog, is_local, screenshot


@pytest.mark.parametrize(
    "url",
    ["http://localhost:8081/static/css/app.css", "http://127.0.0.1:9/", "http://[::1]:80/", "data:image/png;base64,AA"],
)
def test_it_treats_the_machine_itself_as_local(url):
    assert is_local(url)


@pytest.mark.parametrize("url", ["https://cdn.jsdelivr.net/npm/htmx.org", "https://fonts.googleapis.com/css"])
def test_it_treats_other_hosts_as_external(url):
    assert not is_local(url)


def test_it_lists_every_problem():
    log = BrowserLog(console_errors=["boom (a.js:1)"], external_requests=["https://cdn.test/x.js"])

    assert log.problems() == ["console error: boom (a.js:1)", "external request (blocked): https://cdn.test/x.js"]


def test_it_refuses_odd_screenshot_names():
    with pytest.raises(ValueError, match="plain file names"):
        screenshot(page=None, name="../escape")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_blocks_and_records_requests_to_other_hosts(page, live_server, browser_log):
    from playwright.sync_api import Error as PlaywrightError

    with pytest.raises(PlaywrightError, match="net::ERR_FAILED"):
        page.goto("https://cdn.example.com/htmx.min.js")

    assert browser_log.external_requests == ["https://cdn.example.com/htmx.min.js"]
    browser_log.external_requests.clear()  # expected here; anywhere else it fails the test


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_records_console_errors_and_csp_violations(page, live_server, browser_log):
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "https://cdn.example.com/tracker.png";
            document.body.append(img);
            console.error("deliberate");
        }"""
    )
    page.wait_for_timeout(300)

    errors = list(browser_log.console_errors)
    browser_log.console_errors.clear()  # expected here; anywhere else they fail the test
    assert any("deliberate" in error for error in errors)
    assert any("Content Security Policy" in error for error in errors)  # blocked before the network


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_loads_the_login_page_without_any_problem(page, live_server, browser_log):
    page.goto(f"{live_server.url}/login/")
    page.wait_for_load_state("networkidle")

    assert page.title() == "Log in · Handoff portal"
    assert browser_log.problems() == []
