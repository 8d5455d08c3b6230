"""The shared cache on Redis, behind the process's Redis breaker (``core.breaker``).

Django's ``RedisCache`` raises when Redis is down and waits its socket timeout when Redis hangs, at
every call. Here the first failure opens the breaker; while it is open (and on that failure) reads
miss and writes are dropped, so a cache outage costs a request at most one timeout and never an error.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from core.breaker import redis as breaker

# What each operation answers when Redis cannot: a miss, or "nothing written".
_MISS: dict[str, Any] = {
    "add": False,
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "set_many": [],
    "delete_many": None,
    "clear": False,
}


def _guarded(name: str):
    unguarded = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not breaker.allows():
            return _miss(name, args, kwargs)
        try:
            return unguarded(self, *args, **kwargs)
        except (RedisError, OSError) as exc:
            breaker.trip(f"cache {name}", exc)
            return _miss(name, args, kwargs)

    method.__name__ = name
    method.__doc__ = unguarded.__doc__
    return method


def _miss(name: str, args: tuple, kwargs: dict) -> Any:
    if name == "get":
        return kwargs.get("default", args[1] if len(args) > 1 else None)
    if name in {"incr", "decr"}:
        raise ValueError("the cache is unreachable")  # Django's answer for a missing key
    return _MISS[name]


class BreakerRedisCache(RedisCache):
    """``RedisCache`` that answers a miss instead of raising or waiting while Redis is unreachable."""

    get = _guarded("get")
    add = _guarded("add")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")
