"""Small template helpers for the handoff and project pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_date, parse_datetime

register = template.Library()


@register.simple_tag
def url_or_empty(name: str, *args: Any) -> str:
    """``reverse`` that yields "" when another app has not defined the page (yet)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def iso_date(value: Any):
    """A snapshot's ISO date (or date-time) string as a date object, for the ``date`` filter."""
    if not value or not isinstance(value, str):
        return value
    return parse_datetime(value) or parse_date(value) or value


@register.filter
def working_days(value: float) -> str:
    days = round(float(value or 0), 1)
    return f"{days:g} working day" + ("" if days == 1 else "s")


@register.filter
def heat(score: Any) -> str:
    """The heatmap class of a risk score (1 to 25)."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        return ""
    return "heat-high" if score >= 15 else "heat-mid" if score >= 6 else "heat-low"


@register.simple_tag(takes_context=True)
def handoff_slot(context, offer) -> dict[str, Any]:
    """What the offer page shows of the handoff: may this user win it, and the handoff they may open."""
    from handoff.models import Offer
    from handoff.selectors import handoff_visible_to, handoffs_visible_to
    from handoff.services.handoffs import can_win

    user = context.get("user") or getattr(context.get("request"), "user", None)
    handoff = None
    if offer.status == "won":
        if Offer.handoff.is_cached(offer):  # loaded with the offer (the offer page): no query
            handoff = getattr(offer, "handoff", None)
            if handoff is not None and not handoff_visible_to(user, handoff, offer_owner_id=offer.owner_id):
                handoff = None
        else:
            handoff = handoffs_visible_to(user).filter(offer_id=offer.pk).first()
    return {"can_win": can_win(user, offer), "handoff": handoff}
