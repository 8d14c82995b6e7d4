"""The integration part runs against real servers: PostgreSQL (DATABASE_URL) and Redis
(REDIS_URL), as CI provides them. A missing server fails these tests; nothing skips."""

from __future__ import annotations

import os

import pytest
import redis
from django.db import connection


@pytest.fixture
def postgres(db):
    assert connection.vendor == "postgresql", (
        "Integration tests need PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep"
    )
    return connection


@pytest.fixture
def redis_client():
    url = os.environ.get("REDIS_URL")
    assert url, "Integration tests need Redis: set REDIS_URL=redis://127.0.0.1:6379/0"
    client = redis.Redis.from_url(url)
    assert client.ping()
    return client
