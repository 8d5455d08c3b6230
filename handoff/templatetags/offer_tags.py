"""Template helpers of the offer and handoff pages: the risk heatmap grid, choice labels, working days."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import formats
from django.utils.translation import ngettext

from clients.models import BuyingRole
from handoff.models import Feasibility, RiskCategory, Verdict

register = template.Library()

# The labels of the values a snapshot stores (it keeps values, not labels, so it reads in any language).
CHOICE_LABELS = {
    **dict(BuyingRole.choices),
    **dict(RiskCategory.choices),
    **dict(Feasibility.choices),
    **dict(Verdict.choices),
}


@register.filter
def choice_label(value: Any) -> str:
    """``feasible_with_conditions`` → its label in the reader's language (“Feasible with conditions”)."""
    label = CHOICE_LABELS.get(value)
    return str(label) if label is not None else str(value or "").replace("_", " ").capitalize()


@register.filter
def working_days_text(value: Any) -> str:
    """``2.5`` → “2.5 working days” (“2,5 Arbeitstage”)."""
    days = round(float(value or 0), 1)
    shown = formats.number_format(days, decimal_pos=1) if days != int(days) else str(int(days))
    return ngettext("%(days)s working day", "%(days)s working days", 1 if days == 1 else 2) % {"days": shown}


LEVELS = (1, 2, 3, 4, 5)


def heat_class(score: int) -> str:
    """The same bands as the dashboards' heatmap (``projects.templatetags.project_tags``)."""
    if score >= 15:
        return "heat-high"
    if score >= 6:
        return "heat-mid"
    return "heat-low"


@register.filter
def risk_grid(risks: Iterable[Any]) -> list[dict[str, Any]]:
    """A 5x5 probability x impact grid of ``risks``: rows from impact 5 down to 1, columns probability 1 to 5.

    Works for anything with ``probability`` and ``impact`` (offer or project risks).
    """
    cells: dict[tuple[int, int], list[Any]] = {}
    for risk in risks:
        cells.setdefault((risk.probability, risk.impact), []).append(risk)
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "probability": probability,
                    "score": probability * impact,
                    "css": heat_class(probability * impact),
                    "risks": cells.get((probability, impact), []),
                }
                for probability in LEVELS
            ],
        }
        for impact in reversed(LEVELS)
    ]


@register.filter
def heat(score: int) -> str:
    return heat_class(int(score or 0))
