"""Wording for the activity timeline (``templates/_timeline.html``)."""

from __future__ import annotations

from django import template

from core.money import format_money

register = template.Library()


@register.filter
def verb_label(verb: str) -> str:
    """``offer_sent`` → "Offer sent"."""
    return (verb or "").replace("_", " ").capitalize()


@register.filter
def field_label(field: str) -> str:
    return (field or "").replace("_", " ").replace(".", " ")


# Fields whose logged values are amounts of money: shown like every other amount (core.money).
MONEY_FIELDS = frozenset({"value", "budget", "cost_impact", "estimated_value"})


@register.filter
def change_value(value, field: str = "") -> str:
    """A change's old or new value as a short string ("—" for nothing); ``field`` names amounts of money."""
    if value is None or value == "" or value == []:
        return "—"
    if field in MONEY_FIELDS:
        return format_money(value, empty=str(value))
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)
