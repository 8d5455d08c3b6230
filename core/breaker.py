"""One circuit breaker per process for Redis: after a timeout or refused connection, leave it alone a while.

Redis serves two callers in a web request: the Celery broker (``deliver_email.delay`` after the
commit) and the default cache (DRF throttles, sessions). They usually share one server, so when it
hangs each would pay its own socket timeout (``BROKER_TIMEOUT``, 2 s) at every call. Both ask this
breaker first; the first failure opens it for ``REDIS_PAUSE_SECONDS`` and the others skip Redis
meanwhile:

- the broker: the e-mail rows stay pending and the sweep (beat, every minute) enqueues them;
- the cache: reads miss, writes are dropped (throttles count from zero, sessions are read from the database).

After the pause the next caller tries again (one more timeout if Redis is still gone). The breaker
is per process on purpose: it holds no shared state that could itself hang.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Breaker:
    def __init__(self, name: str) -> None:
        self.name = name
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def pause(self) -> float:
        return float(getattr(settings, "REDIS_PAUSE_SECONDS", 10))

    def allows(self) -> bool:
        """False while the breaker is open (a failure less than ``pause`` seconds ago)."""
        return time.monotonic() >= self._open_until

    def trip(self, doing: str, exc: BaseException | None = None) -> None:
        with self._lock:
            already = not self.allows()
            self._open_until = time.monotonic() + self.pause
        if not already:
            logger.warning(
                "%s unreachable (%s: %s): left alone for %.0f s", self.name, doing, exc.__class__.__name__, self.pause
            )

    def reset(self) -> None:
        self._open_until = 0.0


redis = Breaker("Redis")
