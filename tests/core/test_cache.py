"""The shared cache behind the Redis breaker (core/cache.py, core/breaker.py)."""

from __future__ import annotations

import time

import pytest

from core.breaker import redis as redis_breaker
from core.cache import BreakerRedisCache

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


@pytest.fixture
def dead_cache():
    return BreakerRedisCache(CLOSED, {"OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}})


def test_an_unreachable_cache_misses_instead_of_raising_and_opens_the_breaker(dead_cache):
    assert redis_breaker.allows()
    assert dead_cache.get("throttle", "fallback") == "fallback"
    assert not redis_breaker.allows()
    assert dead_cache.set("throttle", [1.0], 60) is None
    assert dead_cache.add("throttle", 1) is False
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.has_key("a") is False
    assert dead_cache.delete("a") is False
    with pytest.raises(ValueError):
        dead_cache.incr("a")


def test_while_the_breaker_is_open_the_cache_does_not_try_redis(dead_cache, monkeypatch):
    redis_breaker.trip("test", OSError())
    tried = []
    monkeypatch.setattr("django.core.cache.backends.redis.RedisCacheClient.get", lambda *args: tried.append(args))
    started = time.monotonic()
    assert dead_cache.get("key") is None
    assert tried == []
    assert time.monotonic() - started < 0.05


def test_the_breaker_closes_after_its_pause(settings):
    settings.REDIS_PAUSE_SECONDS = 0.05
    redis_breaker.trip("test", OSError())
    assert not redis_breaker.allows()
    time.sleep(0.06)
    assert redis_breaker.allows()


@pytest.mark.redis
def test_a_reachable_redis_works_as_the_cache():
    from django.conf import settings

    from config.settings.base import _next_database

    cache = BreakerRedisCache(_next_database(settings.REDIS_URL), {"KEY_PREFIX": "test-breaker-cache"})
    cache.set("answer", 42, 5)
    assert cache.get("answer") == 42
    assert cache.incr("answer") == 43
    cache.delete("answer")
    assert redis_breaker.allows()


def test_the_cache_takes_the_database_after_the_brokers():
    from config.settings.base import _next_database

    assert _next_database("redis://redis:6379/0") == "redis://redis:6379/1"
    assert _next_database("redis://:secret@redis:6379") == "redis://:secret@redis:6379/1"
    assert _next_database("rediss://cache.example.com:6380/7") == "rediss://cache.example.com:6380/8"
