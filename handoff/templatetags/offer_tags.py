"""Template helpers of the offer pages: the risk heatmap grid."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template

register = template.Library()

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
