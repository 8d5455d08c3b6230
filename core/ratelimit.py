"""Fixed-window rate limits kept in the default cache: Redis when configured, so every process shares them,
behind the process's Redis breaker (``core.cache``), so an unreachable Redis counts nothing and refuses nobody.

Used for client links (SPEC §7.5: token guesses per address, actions per link) and the detailed /healthz.
"""

from __future__ import annotations

import time

from django.core.cache import cache as _default_cache


def _cache():
    return _default_cache


def _window_key(key: str, window: int, now: float) -> tuple[str, int]:
    start = int(now // window) * window
    return f"rl:{key}:{start}", int(start + window - now) or 1


def blocked_for(key: str, *, limit: int, window: int) -> int | None:
    """Seconds until ``key`` may try again when it used up ``limit`` in this window, else None."""
    cache_key, retry_after = _window_key(key, window, time.time())
    count = _cache().get(cache_key) or 0
    return retry_after if count >= limit else None


def hit(key: str, *, limit: int, window: int) -> int | None:
    """Count one use of ``key``; returns the seconds to wait when this use is over ``limit``, else None."""
    cache_key, retry_after = _window_key(key, window, time.time())
    cache = _cache()
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr, or the cache is unreachable (the set is then dropped)
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    return retry_after if count > limit else None
