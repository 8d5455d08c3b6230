"""``{% load money %}``: every amount on every page goes through ``|money`` (or ``|signed_money``).

    {{ offer.value|money }}                 €12,500.00   (German: 12.500,00 €)
    {{ snapshot.value|money:snapshot.currency }}
    {{ change.cost_impact|signed_money }}   +€1,000.00

An empty amount shows "—". tests/core/test_money.py scans the templates for
amounts printed any other way.
"""

from __future__ import annotations

from typing import Any

from django import template

from core.money import format_money

register = template.Library()


@register.filter
def money(value: Any, currency: str | None = None) -> str:
    return format_money(value, currency or None)


@register.filter
def signed_money(value: Any, currency: str | None = None) -> str:
    return format_money(value, currency or None, signed=True)
