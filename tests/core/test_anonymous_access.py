"""Every URL refuses anonymous users, except the few that must be public.

The URLs come from walking the resolver at collection time, so an endpoint
added later is covered without touching this file: a page must redirect to
the login form, an API endpoint must answer 401/403, the admin must send to
its own login.
"""

from __future__ import annotations

import itertools
import re
import re._parser as sre_parse
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

# Public on purpose: the login form, the API's token exchange (its login),
# the health check for load balancers, and the admin's own login form.
PUBLIC = {"login", "api-token", "healthz", "admin:login"}
# Polled by htmx from every page: signed out, they answer an empty 286 ("stop
# polling") instead of a redirect whose login page htmx would swap in.
STOP_POLLING = {"notifications:badge"}


@dataclass(frozen=True)
class Endpoint:
    path: str
    name: str

    def __str__(self) -> str:
        return f"{self.path} ({self.name})"


_CLASSES = {"CATEGORY_DIGIT": r"\d", "CATEGORY_WORD": r"\w", "CATEGORY_SPACE": r"\s"}


def _char_in(items) -> str:
    """A character from a parsed character class like ``[^/.]`` or ``[a-z]``."""
    if str(items[0][0]) == "NEGATE":
        excluded = "".join(
            re.escape(chr(arg)) if str(op) == "LITERAL" else _CLASSES.get(str(arg), "")
            for op, arg in items[1:]
            if str(op) in {"LITERAL", "CATEGORY"}
        )
        return next(char for char in "x1az" if not re.fullmatch(f"[{excluded}]", char))
    op, arg = items[0]
    if str(op) == "LITERAL":
        return chr(arg)
    if str(op) == "RANGE":
        return chr(arg[0])
    return "1" if "DIGIT" in str(arg) else "x"


def _build(parsed, named: dict[int, str]) -> str:
    """A short string matching a parsed regex; named groups become placeholders."""
    out = []
    for op, arg in parsed:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(arg))
        elif kind in {"NOT_LITERAL", "ANY"}:
            out.append("x" if arg != ord("x") else "y")
        elif kind == "IN":
            out.append(_char_in(arg))
        elif kind in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            low, _high, sub = arg
            out.append(_build(sub, named) * low)
        elif kind == "SUBPATTERN":
            group, body = arg[0], arg[-1]
            out.append(f"\0{group}\0" if group in named else _build(body, named))
        elif kind == "BRANCH":
            out.append(_build(arg[1][0], named))
        elif kind == "CATEGORY":
            out.append("1" if "DIGIT" in str(arg) else "x")
        elif kind in {"AT", "ASSERT", "ASSERT_NOT"}:
            continue
        else:
            raise ValueError(f"no sample for the regex construct {kind}")
    return "".join(out)


def _sample_for_regex(regex: re.Pattern) -> str:
    """A path matching ``regex``: 1 or "x" for each named group when they fit, else a generated value."""
    parsed = sre_parse.parse(regex.pattern, regex.flags)
    named = {number: name for name, number in regex.groupindex.items()}
    template = _build(parsed, named)
    fallback = {number: _build(_group_body(parsed, number), {}) for number in named}
    for values in itertools.product(["1", "x"], repeat=len(named)):
        sample = template
        for number, value in zip(named, values, strict=True):
            sample = sample.replace(f"\0{number}\0", value)
        if regex.fullmatch(sample):
            return sample
    sample = template
    for number, value in fallback.items():
        sample = sample.replace(f"\0{number}\0", value)
    return sample


def _group_body(parsed, number: int):
    for op, arg in parsed:
        kind = str(op)
        if kind == "SUBPATTERN":
            if arg[0] == number:
                return arg[-1]
            children = [arg[-1]]
        elif kind in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            children = [arg[2]]
        elif kind == "BRANCH":
            children = arg[1]
        else:
            continue
        for child in children:
            found = _group_body(child, number)
            if found is not None:
                return found
    return None


def _segment(pattern) -> str:
    """A concrete path segment for one level of the URLconf: 1 for ints, "x" for strings."""
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        for name, converter in pattern.converters.items():
            value = "1" if isinstance(converter, IntConverter) else "x"
            if not re.fullmatch(converter.regex, value):
                value = _sample_for_regex(re.compile(converter.regex))
            route = re.sub(rf"<(?:[^>:]+:)?{re.escape(name)}>", value, route)
        return route
    if isinstance(pattern, RegexPattern):
        return _sample_for_regex(pattern.regex)
    raise TypeError(f"unknown URL pattern type {type(pattern).__name__}")


def _walk(patterns, prefix: str = "/", namespace: str = "") -> Iterator[Endpoint]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + _segment(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"{namespace}<unnamed>"
            yield Endpoint(prefix + _segment(entry.pattern), name)


def _endpoints() -> list[Endpoint]:
    seen: dict[str, Endpoint] = {}
    for endpoint in _walk(get_resolver().url_patterns):
        seen.setdefault(endpoint.path, endpoint)
    return list(seen.values())


ENDPOINTS = _endpoints()
PROTECTED = [endpoint for endpoint in ENDPOINTS if endpoint.name not in PUBLIC]


def test_it_finds_the_endpoints_of_every_part_of_the_portal():
    paths = {endpoint.path for endpoint in ENDPOINTS}
    assert {"/", "/login/", "/healthz", "/admin/", "/admin/auth/", "/api/v1/users/", "/api/v1/users/1/"} <= paths
    assert {endpoint.name for endpoint in ENDPOINTS} >= PUBLIC


def test_it_builds_paths_that_resolve():
    for endpoint in ENDPOINTS:
        resolve(endpoint.path)  # raises Resolver404 for a badly built sample path


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", PROTECTED, ids=str)
def test_it_refuses_anonymous_users(client, endpoint):
    response = client.get(endpoint.path)

    if endpoint.name in STOP_POLLING:
        assert (response.status_code, response.content) == (286, b""), f"{endpoint} revealed something"
    elif endpoint.path.startswith("/api/"):
        assert response.status_code in {401, 403}, f"{endpoint} answered {response.status_code} to anonymous"
    elif endpoint.path.startswith("/admin/"):
        # The admin's logout sends to its index first, which then sends to its login.
        assert response.status_code == 302, f"{endpoint} answered {response.status_code} to anonymous"
        final = client.get(endpoint.path, follow=True)
        assert final.request["PATH_INFO"] == "/admin/login/"
    else:
        assert response.status_code == 302, f"{endpoint} answered {response.status_code} to anonymous"
        location = urlsplit(response["Location"])
        assert location.path == "/login/"
        assert location.query.startswith("next=")


@pytest.mark.django_db
def test_it_refuses_anonymous_posts_to_pages(client):
    response = client.post("/logout/")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == "/login/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/healthz", "/admin/login/"])
def test_it_serves_the_public_pages_to_anonymous_users(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.django_db
def test_it_serves_static_files_to_anonymous_users_without_collectstatic(client):
    response = client.get("/static/css/app.css")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
