"""Walk the URL resolver: every endpoint of the portal with a sample path and the methods it answers.

Shared by the anonymous-access test (tests/core/test_anonymous_access.py) and
the permission matrix (tests/quality/), so an endpoint added later shows up in
both without touching either.
"""

from __future__ import annotations

import itertools
import re
import re._parser as sre_parse
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter
from django.urls.resolvers import RegexPattern, RoutePattern

IGNORED_METHODS = frozenset({"HEAD", "OPTIONS", "TRACE"})
# A function view without require_http_methods answers any method; GET and POST are the ones that matter.
UNRESTRICTED = frozenset({"GET", "POST"})


def view_methods(callback) -> frozenset[str]:
    """The methods a URL's view answers: DRF actions, class handlers, or require_http_methods' list."""
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions is not None and view_class is not None:  # a DRF viewset route
        allowed = {method.lower() for method in view_class.http_method_names}
        return frozenset(method.upper() for method in actions if method in allowed) - IGNORED_METHODS
    if view_class is not None:  # a class-based view or a DRF APIView
        return (
            frozenset(method.upper() for method in view_class.http_method_names if hasattr(view_class, method))
            - IGNORED_METHODS
        )
    found: set[str] | None = None
    func = callback
    while func is not None:  # through the decorators (functools.wraps sets __wrapped__)
        code = getattr(func, "__code__", None)
        if code is not None and "request_method_list" in code.co_freevars and func.__closure__:
            cell = func.__closure__[code.co_freevars.index("request_method_list")]
            listed = {str(method).upper() for method in cell.cell_contents}
            found = listed if found is None else found & listed
        func = getattr(func, "__wrapped__", None)
    return frozenset(found if found is not None else UNRESTRICTED) - IGNORED_METHODS


@dataclass(frozen=True)
class Endpoint:
    path: str
    name: str
    # The HTTP methods the view answers (HEAD and OPTIONS left out): read from the
    # DRF route's actions, the class's handlers or the require_http_methods closure.
    methods: frozenset[str] = field(default=frozenset(), compare=False)

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
            yield Endpoint(prefix + _segment(entry.pattern), name, view_methods(entry.callback))


def endpoints(*, unique_paths: bool = True) -> list[Endpoint]:
    """Every URL of the portal with a concrete sample path.

    ``unique_paths``: one endpoint per path (the first route wins, as in
    resolving); without it, aliases (two names for one path) are all listed.
    """
    walked = list(_walk(get_resolver().url_patterns))
    if not unique_paths:
        return walked
    seen: dict[str, Endpoint] = {}
    for endpoint in walked:
        seen.setdefault(endpoint.path, endpoint)
    return list(seen.values())
