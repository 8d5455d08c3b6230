"""Wording for the activity timeline (``templates/_timeline.html``)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    """``offer_sent`` → "Offer sent"."""
    return (verb or "").replace("_", " ").capitalize()


@register.filter
def field_label(field: str) -> str:
    return (field or "").replace("_", " ").replace(".", " ")


@register.filter
def change_value(value) -> str:
    """A change's old or new value as a short string ("—" for nothing)."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
