"""A Redis cache that keeps the portal working while Redis is unreachable.

Production uses Redis as Django's cache, and the cache holds only things the portal can
do without for a while: allauth's sign-in rate-limit counters and the TOTP codes already
used. Django's own RedisCache raises redis.ConnectionError from every call when Redis is
down, which turns each sign-in into a 500. FailSoftRedisCache answers instead as if
the cache were empty: reads return the default, writes do nothing (and say they
succeeded where the caller would otherwise refuse), and a warning is logged at most once
a minute.

What that means while Redis is down, chosen on purpose over a portal that is down:

* Sign-in rate limits are not enforced. allauth's limiter takes a lock with cache.add and
  reads and writes a list of hits; with every read empty, every attempt is allowed.
  `add` reports success because allauth treats a lock it cannot take as "rate limited"
  and would otherwise refuse every sign-in after waiting a second.
* A TOTP code is not remembered as used (allauth marks it with cache.add), so the same
  code could be replayed within its 90-second window. The password is still required.

Both come back as soon as Redis does. Connect and read timeouts belong in OPTIONS
(`socket_connect_timeout`, `socket_timeout`; see epep/settings/production.py) so that an
unreachable host costs at most that long; after a failure the cache is not tried again
for RETRY_AFTER seconds, so a page that makes several cache calls pays it once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("epep.security")

# Redis is down or unreachable (ConnectionError includes "loading the dataset"), does not
# answer in time, is a read-only replica after a failover, or something other than Redis
# answered. Other errors (a wrong type, a bad argument) are bugs and still raise.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError, InvalidResponse)


class _Health:
    """Whether one Redis location is reachable, shared by every thread of the process
    (Django makes one cache object per thread)."""

    def __init__(self) -> None:
        self.down_until = 0.0
        self.last_warning = float("-inf")
        self.failing = False


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


class FailSoftRedisCache(RedisCache):
    # After a failure, answer from the fallback without trying Redis for this long.
    RETRY_AFTER = 5.0
    # Log "cache unavailable" at most this often.
    WARN_EVERY = 60.0

    def __init__(self, server, params):
        super().__init__(server, params)
        key = ",".join(self._servers)
        with _health_lock:
            self._health = _health.setdefault(key, _Health())

    @property
    def unavailable(self) -> bool:
        """Redis failed lately (and is not being tried again yet)."""
        return self._health.failing

    def _try(self, call: Callable[..., Any], fallback: Any, *args: Any, **kwargs: Any) -> Any:
        health = self._health
        if health.failing and time.monotonic() < health.down_until:
            return fallback
        try:
            result = call(*args, **kwargs)
        except UNREACHABLE as exc:
            now = time.monotonic()
            health.failing, health.down_until = True, now + self.RETRY_AFTER
            if now - health.last_warning >= self.WARN_EVERY:
                health.last_warning = now
                log.warning("cache unavailable; carrying on without it (sign-in rate limits are not enforced)",
                            extra={"event": "cache_unavailable", "error": type(exc).__name__})
            return fallback
        if health.failing:
            health.failing = False
            log.info("cache reachable again", extra={"event": "cache_recovered"})
        return result

    # Reads: the default, as for a key that is not there.

    def get(self, key, default=None, version=None):
        return self._try(super().get, default, key, default, version)

    def get_many(self, keys, version=None):
        return self._try(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._try(super().has_key, False, key, version)

    # Writes: nothing stored. `add` says it stored the value (see the module docstring);
    # `incr` answers as if the key had been 0, the way a counter starts.

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().add, True, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._try(super().delete, False, key, version)

    def incr(self, key, delta=1, version=None):
        return self._try(super().incr, delta, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # The keys that were not stored, as BaseCache.set_many documents.
        return self._try(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._try(super().delete_many, None, keys, version)

    def clear(self):
        return self._try(super().clear, False)
