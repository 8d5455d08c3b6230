"""Geometry of the dashboard's charts, drawn by the templates as inline SVG (no script, no external request)."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext, ngettext

from core.money import format_money
from core.palette import BAR_FILL, LOST_FILL, WEIGHTED_FILL, WON_FILL


def month_label(month: str) -> str:
    """ "2026-01" as the month's short name and its year in the active language ("Jan 2026", "Jan. 2026")."""
    year, number = (int(part) for part in month.split("-"))
    return formats.date_format(datetime.date(year, number, 1), "M Y")


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10ⁿ at or above ``value`` (axis maximum)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def compact(value: float) -> str:
    """12 500 → 12.5k, 3 400 000 → 3.4M (axis labels)."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def month_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Won and lost value per month as side-by-side bars."""
    width, height = 720, 240
    left, right, top, bottom = 52, 8, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    count = max(len(rows), 1)
    peak = max([float(Decimal(row[key])) for row in rows for key in ("won_value", "lost_value")] or [0])
    scale = nice_ceiling(peak)
    group = plot_w / count
    bar = max(group * 0.36, 1.0)
    bars, labels = [], []
    for index, row in enumerate(rows):
        x0 = left + index * group + group * 0.12
        for offset, key, fill, title in (
            (0, "won_value", WON_FILL, gettext("%(month)s: %(value)s won (%(count)s)")),
            (1, "lost_value", LOST_FILL, gettext("%(month)s: %(value)s lost (%(count)s)")),
        ):
            value = float(Decimal(row[key]))
            bar_h = plot_h * value / scale
            bars.append(
                {
                    "x": round(x0 + offset * bar, 1),
                    "y": round(top + plot_h - bar_h, 1),
                    "width": round(bar, 1),
                    "height": round(bar_h, 1),
                    "fill": fill,
                    "title": title
                    % {
                        "month": row["label"],
                        "value": format_money(value),
                        "count": row[key.replace("value", "count")],
                    },
                }
            )
        # The label is the month's short name and its year ("Jan 2026"), in the reader's language.
        month, year = row["label"].rsplit(" ", 1)
        show_year = index == 0 or row["month"].endswith("-01")
        labels.append(
            {"x": round(left + index * group + group / 2, 1), "text": month, "year": year if show_year else ""}
        )
    ticks = [
        {"y": round(top + plot_h - plot_h * fraction, 1), "text": compact(scale * fraction)} for fraction in (0, 0.5, 1)
    ]
    return {
        "width": width,
        "height": height,
        "left": left,
        "right": width - right,
        "baseline": top + plot_h,
        "bars": bars,
        "labels": labels,
        "ticks": ticks,
        "label_y": top + plot_h + 14,
        "year_y": top + plot_h + 28,
        "won_fill": WON_FILL,
        "lost_fill": LOST_FILL,
    }


def status_bars(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Open value per status as horizontal bars, the weighted value drawn inside each."""
    width, row_h, left, right = 480, 34, 84, 120
    plot_w = width - left - right
    scale = max([float(Decimal(row["value"])) for row in rows] or [0]) or 1.0
    bars = []
    for index, row in enumerate(rows):
        value, weighted = float(Decimal(row["value"])), float(Decimal(row["weighted"]))
        y = index * row_h + 6
        bars.append(
            {
                "label": row["label"],
                "y": y,
                "text_y": y + 15,
                "width": round(plot_w * value / scale, 1),
                "weighted_width": round(plot_w * weighted / scale, 1),
                "text_x": round(left + plot_w * value / scale + 6, 1),
                "text": f"{compact(value)} ({row['count']})",
                "title": ngettext(
                    "%(status)s: %(count)d offer, %(value)s value, %(weighted)s weighted",
                    "%(status)s: %(count)d offers, %(value)s value, %(weighted)s weighted",
                    row["count"],
                )
                % {
                    "status": row["label"],
                    "count": row["count"],
                    "value": format_money(value),
                    "weighted": format_money(weighted),
                },
            }
        )
    return {
        "width": width,
        "height": len(rows) * row_h + 8,
        "left": left,
        "bar_height": 22,
        "bars": bars,
        "fill": BAR_FILL,
        "weighted_fill": WEIGHTED_FILL,
    }
