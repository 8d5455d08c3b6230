"""The dashboard's filters and the canonical key of a filter set (the form that reads them is in ``forms.py``)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class DashboardFilters:
    """Period (dates, inclusive) and who/what to narrow the figures to. ``None`` means "not filtered"."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    rep_id: int | None = None
    pm_id: int | None = None
    client_id: int | None = None

    def params(self) -> dict[str, str]:
        """The filters as query-string parameters, empty ones left out (also the snapshot key)."""
        values = {
            "start": self.start.isoformat() if self.start else "",
            "end": self.end.isoformat() if self.end else "",
            "rep": str(self.rep_id or ""),
            "pm": str(self.pm_id or ""),
            "client": str(self.client_id or ""),
        }
        return {name: value for name, value in values.items() if value}

    @property
    def key(self) -> str:
        """One string per filter set, the same whatever order the parameters came in; "" for no filters."""
        return urlencode(sorted(self.params().items()))

    @property
    def is_empty(self) -> bool:
        return not self.params()

    def replace(self, **changes: Any) -> DashboardFilters:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("start", "end"):
            data[name] = data[name].isoformat() if data[name] else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DashboardFilters:
        return cls(
            start=datetime.date.fromisoformat(data["start"]) if data.get("start") else None,
            end=datetime.date.fromisoformat(data["end"]) if data.get("end") else None,
            rep_id=data.get("rep_id"),
            pm_id=data.get("pm_id"),
            client_id=data.get("client_id"),
        )
