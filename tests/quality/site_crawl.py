"""Crawl the portal as each role over the demo data, with the Django test client.

Shared by the security and accessibility gates: starting from the main pages,
follow every same-site link and every ``hx-get`` (fragments and modal forms,
requested the way htmx requests them) and keep the parsed HTML of each page.
A route is visited at most ``PER_ROUTE`` times, so the crawl stays small while
a page added later is found without touching this file.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from accounts.models import User

# Demo users (accounts/demo.py): a rep, a PM and a manager.
ROLES = {"rep": "rita", "pm": "paula", "manager": "mona"}
START = ["/", "/clients/", "/offers/", "/offers/new/", "/handoffs/", "/projects/", "/notifications/", "/dashboard/"]
START += ["/search/?q=a", "/notifications/preferences/"]
# Not pages: exports, calendar files, the API, the admin, and GETs that act (opening a notification marks it read).
SKIP_PREFIXES = ("/static/", "/api/", "/admin/", "/logout/", "/dashboard/export/", "/healthz")
SKIP_ROUTES = {"projects:meeting_ics", "notifications:open", "notifications:badge"}
PER_ROUTE = 3
MAX_PAGES = 250

CONTROLS = {"input", "select", "textarea"}
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class Control:
    tag: str
    attrs: dict[str, str]
    in_label: bool

    def describe(self) -> str:
        shown = {key: self.attrs[key] for key in ("name", "id", "type") if key in self.attrs}
        return f"<{self.tag} {shown}>"


@dataclass
class Form:
    attrs: dict[str, str]
    csrf_token: bool = False


@dataclass
class ParsedPage:
    url: str
    route: str
    fragment: bool
    controls: list[Control] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    forms: list[Form] = field(default_factory=list)
    inline_scripts: list[str] = field(default_factory=list)
    style_elements: int = 0
    style_attributes: list[str] = field(default_factory=list)
    handler_attributes: list[str] = field(default_factory=list)
    htmx_writes: list[tuple[str, Form | None]] = field(default_factory=list)
    csrf_header: bool = False
    lang: str = ""
    title: str = ""
    links: list[tuple[str, bool]] = field(default_factory=list)

    def unprotected_htmx_writes(self) -> list[str]:
        """htmx writes that send no CSRF token themselves (the page's hx-headers must then carry it)."""
        return [write for write, form in self.htmx_writes if form is None or not form.csrf_token]

    def unlabelled(self) -> list[Control]:
        missing = []
        for control in self.controls:
            attrs = control.attrs
            if control.tag == "input" and attrs.get("type", "text").lower() in UNLABELLED_INPUT_TYPES:
                continue
            if control.in_label or attrs.get("aria-label", "").strip():
                continue
            if attrs.get("id") and attrs["id"] in self.label_for:
                continue
            labelled_by = attrs.get("aria-labelledby", "").split()
            if labelled_by and all(ref in self.ids for ref in labelled_by):
                continue
            missing.append(control)
        return missing


class _Parser(HTMLParser):
    def __init__(self, page: ParsedPage) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.label_depth = 0
        self.form: Form | None = None
        self.script: dict[str, str] | None = None
        self.script_body: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attr_list) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        page = self.page
        if "id" in attrs:
            page.ids.add(attrs["id"])
        where = f"<{tag} {attrs.get('id') or attrs.get('class') or attrs.get('name') or ''}>"
        for name in attrs:
            if name.startswith("on"):
                page.handler_attributes.append(f"{where} {name}")
            if name.startswith("hx-on"):
                page.handler_attributes.append(f"{where} {name}")
        if "style" in attrs:
            page.style_attributes.append(f"{where} style={attrs['style']!r}")
        if tag == "form":
            self.form = Form(attrs)
            page.forms.append(self.form)
        for verb in ("hx-post", "hx-put", "hx-patch", "hx-delete"):
            if verb in attrs:
                # htmx sends the enclosing form's fields, its csrfmiddlewaretoken included.
                page.htmx_writes.append((f"{where} {verb}={attrs[verb]}", self.form))
        if "X-CSRFToken" in attrs.get("hx-headers", ""):
            page.csrf_header = True
        if tag == "html":
            page.lang = attrs.get("lang", "")
        elif tag == "title":
            self.in_title = True
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                page.label_for.add(attrs["for"])
        elif tag in CONTROLS:
            page.controls.append(Control(tag, attrs, in_label=self.label_depth > 0))
            if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken" and self.form is not None:
                self.form.csrf_token = True
        elif tag == "script":
            self.script, self.script_body = attrs, []
        elif tag == "style":
            page.style_elements += 1
        if tag == "a" and attrs.get("href"):
            page.links.append((attrs["href"], False))
        if attrs.get("hx-get"):
            page.links.append((attrs["hx-get"], True))

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in {"label", "form", "script"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "label":
            self.label_depth = max(0, self.label_depth - 1)
        elif tag == "form":
            self.form = None
        elif tag == "script" and self.script is not None:
            body = "".join(self.script_body).strip()
            if body and "src" not in self.script and self.script.get("type") != "application/json":
                self.page.inline_scripts.append(body[:80])
            self.script = None

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title += data.strip()
        if self.script is not None:
            self.script_body.append(data)


def parse(url: str, route: str, html: str, *, fragment: bool) -> ParsedPage:
    page = ParsedPage(url=url, route=route, fragment=fragment)
    parser = _Parser(page)
    parser.feed(html)
    parser.close()
    return page


def _route(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


@dataclass
class Crawl:
    pages: list[ParsedPage]
    errors: list[str]


def crawl_as(user: User) -> Crawl:
    """Every page and fragment ``user`` reaches from the main pages (GET only, so nothing changes)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    queue: deque[tuple[str, bool]] = deque((url, False) for url in START)
    seen: set[tuple[str, bool]] = set()
    per_route: dict[tuple[str, bool], int] = {}
    pages: list[ParsedPage] = []
    errors: list[str] = []
    while queue and len(pages) < MAX_PAGES:
        url, fragment = queue.popleft()
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        route = _route(parts.path)
        if route is None or route in SKIP_ROUTES or (url, fragment) in seen:
            continue
        seen.add((url, fragment))
        if per_route.get((route, fragment), 0) >= PER_ROUTE:
            continue
        per_route[(route, fragment)] = per_route.get((route, fragment), 0) + 1
        headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/"} if fragment else {}
        response = client.get(url, headers=headers)
        if response.status_code >= 500:
            errors.append(f"{url}{' (htmx)' if fragment else ''} answered {response.status_code}")
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        page = parse(url, route, response.content.decode(), fragment=fragment)
        pages.append(page)
        for link, is_fragment in page.links:
            queue.append((urljoin(url, link), is_fragment))
    return Crawl(pages, errors)


_CRAWLS: dict[str, Crawl] = {}


def crawl_demo(django_db_blocker) -> dict[str, Crawl]:
    """The crawl of every role over freshly seeded demo data, rolled back afterwards (computed once per run)."""
    if _CRAWLS:
        return _CRAWLS
    from django.core.management import call_command

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=_Null())
        for role, username in ROLES.items():
            _CRAWLS[role] = crawl_as(User.objects.get(username=username))
        transaction.set_rollback(True)
    return _CRAWLS


class _Null:
    def write(self, *_args, **_kwargs) -> None:
        pass
