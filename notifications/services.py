"""The one door through which every event notifies people (SPEC §3 "Notifications").

Services call ``notify`` inside their transaction. Until the notifications
issue lands it records nothing beyond the activity log entry the caller wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def notify(
    *, event: str, recipients: Iterable[Any], target: models.Model, actor: Any = None, context: dict | None = None
) -> None:
    """Record a notification of ``event`` about ``target`` for each recipient."""
    return None
