"""FailSoftRedisCache with no Redis behind it: the portal's calls answer at once, never raise.

No server is needed: one test points the cache at a port where nothing listens (the
connection is refused), the other at a socket that accepts and never answers (the read
times out). tests/integration/test_faults.py signs in and saves a section with the
portal's real Redis stopped, then starts it again.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator

import pytest

from epep.cache import FailSoftRedisCache

OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dead_cache() -> FailSoftRedisCache:
    return FailSoftRedisCache(f"redis://127.0.0.1:{_free_port()}/0", {"OPTIONS": OPTIONS})


@pytest.fixture
def silent_cache() -> Iterator[FailSoftRedisCache]:
    """A cache whose server accepts connections (the kernel does, from the backlog) and
    never says anything."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]
        yield FailSoftRedisCache(f"redis://127.0.0.1:{port}/0", {"OPTIONS": OPTIONS})


def _timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


CALLS = {
    "get": (lambda c: c.get("k", "the default"), "the default"),
    "get_many": (lambda c: c.get_many(["a", "b"]), {}),
    "has_key": (lambda c: c.has_key("k"), False),
    "get_or_set": (lambda c: c.get_or_set("k", "computed"), "computed"),
    "set": (lambda c: c.set("k", 1, 60), None),
    # allauth takes its rate-limit lock with add: it must look taken, or every sign-in
    # would be refused as rate limited.
    "add": (lambda c: c.add("k:lock", True, 10), True),
    "incr": (lambda c: c.incr("counter"), 1),
    "decr": (lambda c: c.decr("counter"), -1),
    "delete": (lambda c: c.delete("k"), False),
    "touch": (lambda c: c.touch("k"), False),
    "set_many": (lambda c: c.set_many({"a": 1, "b": 2}), ["a", "b"]),
    "delete_many": (lambda c: c.delete_many(["a", "b"]), None),
}


@pytest.mark.parametrize("name", CALLS)
def test_with_nothing_listening_each_call_answers_within_a_second(dead_cache, monkeypatch, name):
    # Try Redis on every call, so each one meets the refused connection itself.
    monkeypatch.setattr(FailSoftRedisCache, "RETRY_AFTER", 0.0)
    call, expected = CALLS[name]
    result, elapsed = _timed(lambda: call(dead_cache))
    assert result == expected
    assert elapsed < 1.0, f"{name} took {elapsed:.2f} s"


@pytest.mark.parametrize("name", ["get", "add", "set", "incr", "delete"])
def test_a_server_that_never_answers_costs_at_most_the_timeout(silent_cache, monkeypatch, name):
    monkeypatch.setattr(FailSoftRedisCache, "RETRY_AFTER", 0.0)
    call, expected = CALLS[name]
    result, elapsed = _timed(lambda: call(silent_cache))
    assert result == expected
    assert 0.4 < elapsed < 1.0, f"{name} took {elapsed:.2f} s"  # it did wait for the read timeout


def test_after_a_failure_the_next_calls_do_not_wait_for_redis(silent_cache):
    _, first = _timed(lambda: silent_cache.get("k"))
    _, rest = _timed(lambda: [silent_cache.get("k") for _ in range(20)] and silent_cache.add("k", 1))
    assert first > 0.4  # the first call met the timeout...
    assert rest < 0.1  # ...and the page's other calls do not pay it again


def test_it_warns_at_most_once_a_minute(dead_cache, monkeypatch, caplog):
    monkeypatch.setattr(FailSoftRedisCache, "RETRY_AFTER", 0.0)
    with caplog.at_level(logging.WARNING, logger="epep.security"):
        for _ in range(5):
            dead_cache.get("k")
            dead_cache.set("k", 1)
    warnings = [r for r in caplog.records if r.name == "epep.security"]
    assert [r.getMessage() for r in warnings] == [
        "cache unavailable; carrying on without it (sign-in rate limits are not enforced)"
    ]
    assert warnings[0].event == "cache_unavailable" and warnings[0].error == "ConnectionError"



def test_it_says_when_redis_is_unavailable(dead_cache):
    assert not dead_cache.unavailable
    assert dead_cache.get("anything") is None
    assert dead_cache.unavailable
