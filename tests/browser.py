"""Playwright helpers for browser tests (the fixtures live in tests/conftest.py).

A browser test looks like this::

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

    def test_it_shows_the_board(page, live_server, rep):
        login(page, live_server, rep)
        page.goto(f"{live_server.url}/offers/")
        screenshot(page, "offers-board")

Every page must work offline and cleanly: the ``page`` fixture fails the test
on a console error, an uncaught page error or any request to a host other
than the live server (such requests are aborted and recorded in
``browser_log``). A test that provokes an error on purpose (a 403 page, say)
empties ``browser_log.console_errors`` after checking it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from tests.factories import DEFAULT_PASSWORD
from tests.services import CHROMIUM

SCREENSHOT_DIR = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
VIEWPORT = {"width": 1280, "height": 900}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_options() -> dict:
    return {"executable_path": CHROMIUM, "args": LAUNCH_ARGS, "headless": True}


@dataclass
class BrowserLog:
    """What went wrong in the page during one test; must be empty at the end."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return (
            [f"console error: {text}" for text in self.console_errors]
            + [f"uncaught page error: {text}" for text in self.page_errors]
            + [f"external request (blocked): {url}" for url in self.external_requests]
        )


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOCAL_HOSTS


def watch(context, page, log: BrowserLog) -> None:
    """Record console errors and page errors; abort and record requests that leave the machine."""

    def route(route) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            log.external_requests.append(url)
            route.abort()

    def console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            log.console_errors.append(f"{message.text} ({location.get('url', '?')}:{location.get('lineNumber', '?')})")

    context.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))


def login(page, live_server, user, *, password: str = DEFAULT_PASSWORD) -> None:
    """Log ``user`` in through the real login form and wait for the home page."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    if urlsplit(page.url).path.startswith("/login/"):
        raise AssertionError(f"logging in as {user.username!r} failed; the page says: {page.inner_text('main')}")


def switch_user(page, live_server, user, *, password: str = DEFAULT_PASSWORD) -> None:
    """Sign out by forgetting the cookies, then log ``user`` in.

    The old page is left for ``about:blank`` first: its htmx requests (the inbox badge's poll, deferred panels)
    would otherwise run cookie-less, be redirected to the login page and set a new CSRF cookie while the new login
    form still carries the old token, which Django then refuses with 403.
    """
    page.goto("about:blank")
    page.context.clear_cookies()
    login(page, live_server, user, password=password)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG to test-output/screenshots/<name>.png (for people to look at)."""
    if not re.fullmatch(r"[\w.-]+", name):
        raise ValueError(f"screenshot names are plain file names, got {name!r}")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
