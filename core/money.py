"""One way to show an amount of money on every page: ``format_money`` (and ``{% load money %}``).

The number follows the active language's formats (Django's l10n, with the
thousands separator always on): English ``€12,500.00``, German
``12.500,00 €``. The currency is the amount's own when it has one (a handoff
snapshot records it), else ``settings.CURRENCY``.

Machine-readable output (the API, CSV exports) keeps the plain decimal string
with a dot (``"12500.00"``, SPEC §4) — see ``plain_money``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import formats, translation

# The symbol shown for the currencies a company is likely to use; any other code is shown as is.
SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
NBSP = "\u00a0"
DASH = "—"
MINUS = "-"


def to_decimal(value: Any) -> Decimal | None:
    """``value`` as a Decimal, or None for nothing or something that is not a number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return amount if amount.is_finite() else None


def _symbol_after(language: str) -> bool:
    """German (and most continental languages) put the symbol after the number: ``12.500,00 €``."""
    return not (language or "en").lower().startswith("en")


def format_money(
    value: Any,
    currency: str | None = None,
    *,
    places: int = 2,
    signed: bool = False,
    empty: str = DASH,
) -> str:
    """``value`` as money for the active language; ``empty`` when there is no amount.

    ``signed``: a positive amount gets a "+" (a change's cost impact: "+€1,000.00").
    """
    amount = to_decimal(value)
    if amount is None:
        return empty
    quantum = Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    sign = MINUS if amount < 0 else ("+" if signed and amount > 0 else "")
    number = formats.number_format(abs(amount), places, use_l10n=True, force_grouping=True)
    code = (currency or settings.CURRENCY or "").upper()
    symbol = SYMBOLS.get(code, code)
    if _symbol_after(translation.get_language()):
        text = f"{sign}{number}{NBSP}{symbol}"
    elif len(symbol) > 1:  # "CHF 12,500.00"
        text = f"{sign}{symbol}{NBSP}{number}"
    else:
        text = f"{sign}{symbol}{number}"
    return text


def plain_money(value: Any) -> str:
    """The machine-readable form (API, CSV): ``"12500.00"``, a dot and no grouping; "" for nothing."""
    amount = to_decimal(value)
    if amount is None:
        return ""
    return str(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
