"""The audit trail: one event per write, written inside the writer's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction

from core import hooks

from .models import AuditEvent
from .request_context import current_request_id

Verb = AuditEvent.Verb
T = TypeVar("T")

# Verbs that record a read (opening a record, downloading, exporting), not a change.
READ_VERBS = (Verb.VIEWED, Verb.EXPORTED, Verb.DOWNLOADED)

# The hook (core.hooks) run after the commit of every transaction that wrote data:
# `fn() -> None`, for an app keeping something ready, not business logic (it is not told
# what changed or who changed it). Register in AppConfig.ready().
AFTER_WRITE = "after_audited_write"


def _after_write() -> None:
    for hook in hooks.get_hooks(AFTER_WRITE):
        hook()


def _after_commit_once(func: Callable[[], None]) -> None:
    """transaction.on_commit, once per transaction however many events it writes."""
    connection = transaction.get_connection()
    if any(entry[1] is func for entry in connection.run_on_commit):
        return
    transaction.on_commit(func)


def _plain(value: Any) -> Any:
    """Make a field value JSON-friendly for the changes column."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def diff(old: dict[str, Any], new: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {field: [old, new]}."""
    return {
        key: [_plain(old.get(key)), _plain(new.get(key))]
        for key in sorted(set(old) | set(new))
        if _plain(old.get(key)) != _plain(new.get(key))
    }


def snapshot(obj: models.Model, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def audit_record(
    *,
    actor,
    verb: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    child_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the service's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    event = AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=object_type or "",
        object_id="" if object_id is None else str(object_id),
        child_id=child_id,
        changes=_plain(changes or {}),
        request_id=current_request_id.get(),
    )
    if verb not in READ_VERBS:
        # After the event exists: outside a transaction on_commit runs at once.
        _after_commit_once(_after_write)
    return event


def last_write_id() -> int:
    """The id of the newest audit event of a write: a version number for all the data.

    Every write goes through a service that audits it in its own transaction, so anything
    computed from the data (the dashboards) stays valid while this number stays the same.
    One backward scan of the primary key index, stopping at the first write.
    """
    return (AuditEvent.objects.exclude(verb__in=READ_VERBS).order_by("-id")
            .values_list("id", flat=True).first()) or 0


def cached_until_write(key: str, compute: Callable[[], T], timeout: int = 120) -> T:
    """compute(), kept in the cache until the next audited write (or `timeout` seconds).

    For reads that are costly and shared (an LA's deadlines, its dashboard). The version is
    read before computing, so a result computed while a write commits is stored under the
    older version and computed again on the next call. `timeout` bounds what no audit event
    records: a transaction that took its audit id before another's but committed after it.
    """
    versioned = f"{key}:w{last_write_id()}"
    value = cache.get(versioned)
    if value is None:
        value = compute()
        cache.set(versioned, value, timeout)
    return value
