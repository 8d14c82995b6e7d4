"""The audit trail: one event per write, written inside the writer's transaction.

It also keeps the versions of the data that costly shared reads are cached on
(`cached_until_write`):

- Per LA. A write about a child (an event with a `child_id`) bumps the version of the
  child's LA; a write that names its LA (`local_authority_id=`) bumps that LA's. The
  children app tells core how to find a child's LA (the `CHILD_LA` hook): core imports
  no app of the portal.
- Everything else bumps the version every LA's figures also depend on ("all"): a write
  with no child and no LA (a person's own settings, a school from GIAS, an import of a
  whole file, the deletion of a child's record whose LA can no longer be found) may
  change what any LA sees, so it invalidates every LA's figures. When in doubt, all.
- Reads (READ_VERBS) bump nothing.

A figure scoped to one LA (the Virtual School's dashboard, the LA's deadlines, reporting)
asks for that LA's version: a write in LA A leaves LA B's figures in the cache. A figure
scoped otherwise (a designated teacher's caseload, which may span LAs) asks for the
version of all the data, the newest audit event of a write, as before.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection, models, transaction

from core import hooks

from .models import AuditEvent, DataVersion
from .request_context import current_request_id

Verb = AuditEvent.Verb
T = TypeVar("T")

# Verbs that record a read (opening a record, downloading, exporting), not a change.
READ_VERBS = (Verb.VIEWED, Verb.EXPORTED, Verb.DOWNLOADED)

# The hook (core.hooks) run after the commit of every transaction that wrote data:
# `fn() -> None`, for an app keeping something ready, not business logic (it is not told
# what changed or who changed it). Register in AppConfig.ready().
AFTER_WRITE = "after_audited_write"

# The hook (core.hooks) run INSIDE audit_record, in the writer's transaction, for every
# event of a write (not of a read): `fn(*, object_type: str, object_id: str,
# child_id: int | None, local_authority_id: int | None, changes: dict) -> None`, where
# `local_authority_id` is the LA the event was given or the child's (CHILD_LA). For data
# derived from the write that must commit or roll back with it (the per-child deadline
# status, deadlines.status). Runs for every write, so it must return at once for the
# object types it does not derive from. Register in AppConfig.ready().
IN_WRITE = "audited_write_in_transaction"


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
    local_authority_id: int | None = None,
) -> AuditEvent:
    """Write one audit event. Call it inside the service's transaction.

    `local_authority_id` names the LA a write without a child belongs to (one LA's
    settings), so that only that LA's cached figures are thrown away (see the module's
    docstring for the rule)."""
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
        la_id = _la_of(child_id, local_authority_id)
        _bump(DataVersion.ALL if la_id is None else f"la{la_id}")
        for hook in hooks.get_hooks(IN_WRITE):
            hook(object_type=event.object_type, object_id=event.object_id, child_id=child_id,
                 local_authority_id=la_id, changes=event.changes or {})
        # After the event exists: outside a transaction on_commit runs at once.
        _after_commit_once(_after_write)
    return event


#: The hook (core.hooks) that tells core a child's LA, for the per-LA versions:
#: ``fn(child_id) -> local_authority_id | None``. The children app registers it; without it
#: every write about a child counts as a write to all the data.
CHILD_LA = "child_local_authority"


def _la_of(child_id: int | None, local_authority_id: int | None) -> int | None:
    if local_authority_id is None and child_id is not None:
        lookups = hooks.get_hooks(CHILD_LA)
        local_authority_id = lookups[0](child_id) if lookups else None
    return local_authority_id


def _bump(scope: str) -> None:
    """One more write in `scope`, in the writer's transaction (one statement; the row stays
    locked until the commit, so two writers in one LA bump it one after the other)."""
    table = connection.ops.quote_name(DataVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (scope, n) VALUES (%s, 1) "  # noqa: S608 - the table's own name
                       f"ON CONFLICT (scope) DO UPDATE SET n = {table}.n + 1", [scope])


def la_version(local_authority_id: int) -> str:
    """The version of one LA's data: its own writes and the writes to all the data."""
    scope = f"la{local_authority_id}"
    counts = dict(DataVersion.objects.filter(scope__in=[scope, DataVersion.ALL]).values_list("scope", "n"))
    return f"{scope}.{counts.get(scope, 0)}.{counts.get(DataVersion.ALL, 0)}"


def last_write_id() -> int:
    """The id of the newest audit event of a write: a version number for all the data.

    Every write goes through a service that audits it in its own transaction, so anything
    computed from the data (the dashboards) stays valid while this number stays the same.
    One backward scan of the primary key index, stopping at the first write.
    """
    return (AuditEvent.objects.exclude(verb__in=READ_VERBS).order_by("-id")
            .values_list("id", flat=True).first()) or 0


def cached_until_write(key: str, compute: Callable[[], T], timeout: int = 120, *,
                       local_authority_id: int | None = None) -> T:
    """compute(), kept in the cache until the next audited write that may change it (or
    `timeout` seconds).

    For reads that are costly and shared (an LA's deadlines, its dashboard). With
    `local_authority_id`, only a write in that LA or to all the data (la_version) throws it
    away; without, any write (last_write_id). The version is read before computing, so a
    result computed while a write commits is stored under the older version and computed
    again on the next call. `timeout` bounds what no version records: with last_write_id,
    a transaction that took its audit id before another's but committed after it.
    """
    version = f"v{la_version(local_authority_id)}" if local_authority_id is not None else f"w{last_write_id()}"
    versioned = f"{key}:{version}"
    value = cache.get(versioned)
    if value is None:
        value = compute()
        cache.set(versioned, value, timeout)
    return value
