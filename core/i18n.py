"""Messages translated when they are read, not when they are built (SPEC §7.6).

A notification is written while the actor's language is active, but each recipient reads it in their
own: the calling service passes ``deferred(gettext_lazy("... %(name)s ..."), name=...)`` and
``notifications.services.notify`` turns it into text once per recipient, under that recipient's
language. One sentence, named placeholders, as everywhere else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.utils import translation
from django.utils.functional import Promise, lazy


def _interpolate(message: Any, params: dict[str, Any]) -> str:
    # Values may be lazy too (an enum label): "%s" turns them into text in the active language.
    return str(message) % params if params else str(message)


_lazy_interpolate = lazy(_interpolate, str)


def deferred(message: str | Promise, /, **params: Any) -> Promise:
    """``message % params``, evaluated each time it is turned into text, in the language active then."""
    return _lazy_interpolate(message, params)


Text = str | Promise | Callable[[], str]


def render_in(language: str, text: Text | None) -> str:
    """``text`` (a string, a lazy or deferred message, or a function giving one) in ``language``."""
    if text is None:
        return ""
    with translation.override(language):
        return str(text() if callable(text) else text)


def later(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Promise:
    """``func(*args, **kwargs)`` as text, called each time it is turned into text, in the language active then.

    For a value inside a deferred message that is itself language-dependent: a status through
    ``in_sentence``, an amount through ``format_money``, a list joined from translated parts.
    """
    return lazy(lambda: str(func(*args, **kwargs)), str)()


def deferred_date(value: Any, format: str = "SHORT_DATE_FORMAT") -> Promise | str:
    """``date_format(value, format)`` in the reader's language (month names, order); "" for no date.

    An aware datetime is shown in the current time zone."""
    if value is None:
        return ""

    def render() -> str:
        from django.utils import timezone
        from django.utils.formats import date_format

        shown = (
            timezone.localtime(value) if isinstance(value, datetime.datetime) and timezone.is_aware(value) else value
        )
        return date_format(shown, format)

    return later(render)
