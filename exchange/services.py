"""The import's writes: keeping an uploaded file between preview and confirmation, and the confirmed import.

Preview and confirmation run the same ``exchange.imports.run_import`` on the same
bytes: the preview with ``dry_run=True`` (everything checked, every write rolled
back), the confirmation with ``dry_run=False``. The file waits in between as a
``PendingImport`` row (the database, so any machine can confirm it); its token
is claimed once, under a row lock, and deleted with the import's own writes.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from clients.services import ensure_can_write
from exchange.imports import ImportResult, run_import
from exchange.models import PendingImport

PENDING_TTL = datetime.timedelta(hours=2)


def pending_import_store(*, actor: Any, content: bytes, filename: str) -> PendingImport:
    """Keep the previewed file for its confirmation; files older than ``PENDING_TTL`` go on the way."""
    ensure_can_write(actor)
    PendingImport.objects.filter(created_at__lt=timezone.now() - PENDING_TTL).delete()
    return PendingImport.objects.create(
        owner=actor,
        filename=filename[:255],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def pending_import_get(*, actor: Any, token: Any) -> PendingImport:
    """The actor's own pending file (``PendingImport.DoesNotExist`` for someone else's, a used or an old one)."""
    return PendingImport.objects.get(token=token, owner_id=actor.pk, created_at__gte=timezone.now() - PENDING_TTL)


def contacts_import(*, actor: Any, content: bytes, filename: str, dry_run: bool) -> ImportResult:
    """Check (``dry_run``) or import a file of clients and contacts; all rows or none."""
    ensure_can_write(actor)
    return run_import(actor=actor, content=content, filename=filename, dry_run=dry_run)


@transaction.atomic
def pending_import_confirm(*, actor: Any, token: Any) -> ImportResult:
    """Import the previewed file, checked again as it is now; its token is used up only when it imports.

    ``PendingImport.DoesNotExist`` when the token is not the actor's, expired or already used
    (a second click waits for the first on the row lock, then finds it gone).
    """
    ensure_can_write(actor)
    pending = PendingImport.objects.select_for_update().get(pk=pending_import_get(actor=actor, token=token).pk)
    content = bytes(pending.content)
    if hashlib.sha256(content).hexdigest() != pending.sha256:
        raise PendingImport.DoesNotExist("The stored file changed.")
    result = run_import(actor=actor, content=content, filename=pending.filename, dry_run=False)
    if result.written:
        pending.delete()
    return result
