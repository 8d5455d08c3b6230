"""The ``documents`` storage (``STORAGES["documents"]``): a local folder by default, S3-compatible when configured.

Read at each call, not bound to a model field at import, so a test (or a
deployment switching backends) gets the storage the settings name now.
Every error of a backend that is down is turned into ``ServiceUnavailable``
(503 in the API, a message on the page).
"""

from __future__ import annotations

import logging
import secrets
from typing import IO

from django.core.files.storage import Storage, storages
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ServiceUnavailable

logger = logging.getLogger(__name__)

try:  # Only with django-storages' S3 backend installed.
    from botocore.exceptions import BotoCoreError, ClientError

    STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
except ImportError:  # pragma: no cover
    STORAGE_ERRORS = (OSError,)


def document_storage() -> Storage:
    return storages["documents"]


def generated_name(extension: str) -> str:
    """A fresh name that says nothing about the original (``2026/12/<random>.pdf``)."""
    today = timezone.now()
    return f"{today:%Y/%m}/{secrets.token_urlsafe(24)}{extension}"


def _unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(_("The document store is not reachable right now. Nothing was saved; try again later."))


def save(name: str, content: IO[bytes]) -> str:
    try:
        return document_storage().save(name, content)
    except STORAGE_ERRORS as exc:
        logger.warning("Document storage refused a save: %s", exc)
        raise _unavailable() from exc


def open_for_reading(name: str) -> IO[bytes]:
    try:
        return document_storage().open(name, "rb")
    except FileNotFoundError:
        raise
    except STORAGE_ERRORS as exc:
        logger.warning("Document storage refused a read: %s", exc)
        raise _unavailable() from exc


def delete_quietly(name: str) -> None:
    """Remove a stored file; a failure is logged (the row is already gone or never existed)."""
    try:
        document_storage().delete(name)
    except STORAGE_ERRORS as exc:
        logger.error("Could not delete stored document %s: %s", name, exc)
