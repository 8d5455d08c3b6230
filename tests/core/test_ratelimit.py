"""Fixed-window limits in the shared cache (core.ratelimit): client-link guesses and actions, the detailed /healthz."""

from __future__ import annotations

from django.test import override_settings

from core import ratelimit
from core.breaker import redis as redis_breaker


def test_it_counts_up_to_the_limit_then_names_the_wait():
    answers = [ratelimit.hit("someone", limit=3, window=60) for _ in range(4)]

    assert answers[:3] == [None, None, None]
    assert 1 <= answers[3] <= 60
    assert ratelimit.blocked_for("someone", limit=3, window=60) == answers[3]
    assert ratelimit.blocked_for("someone-else", limit=3, window=60) is None


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "core.cache.BreakerRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens: refused at once
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
)
def test_an_unreachable_cache_counts_nothing_and_refuses_nobody():
    try:
        answers = [ratelimit.hit("someone", limit=1, window=60) for _ in range(3)]

        assert answers == [None, None, None]
        assert ratelimit.blocked_for("someone", limit=1, window=60) is None
        assert not redis_breaker.allows()  # the first refusal opened the breaker: one failure, not one per call
    finally:
        redis_breaker.reset()
