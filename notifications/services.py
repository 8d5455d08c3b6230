"""The one door through which every event notifies people (SPEC §3 "Notifications").

Services call ``notify`` inside their own transaction, so the notification
rows commit or roll back with the event; delivery is scheduled on commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from notifications.events import Event


def notify(
    *,
    event: Event,
    recipients: Iterable[Any],
    target: models.Model,
    actor: Any = None,
    title: str = "",
    body: str = "",
    attachments: list[dict[str, str]] | None = None,
) -> None:
    """Record an in-app and an e-mail notification of ``event`` about ``target`` for each recipient.

    ``attachments``: ``[{"filename", "content", "mimetype"}]`` of text content
    (an .ics invitation) attached to the e-mail.
    """
    return None
