"""Dashboards kept ready: after a write, a worker computes the dashboards people have been
looking at, so that their next look finds the figures in the cache (refresh-ahead).

The figures are keyed on the version of the data (core.audit.cached_until_write), so a page
never shows figures older than the data: it finds the ones computed for the current
version or computes them itself. This module only makes the first case the usual one:
without it, in an LA where somebody saves something every few seconds, nearly every look
at the dashboard would follow a write and compute 2,500 children's figures itself.

- The dashboard view calls `dashboard_viewed`: the scope, role and term looked at in the
  last hour are remembered (one small cache entry).
- Every audited write calls `data_changed` after its commit (a core.audit.AFTER_WRITE hook):
  at most one refresh task is waiting at a time.
- The task (`refresh_dashboards`) computes each remembered dashboard for the version the
  data has when it runs, and the LA's deadlines for the Virtual School's home page, then
  the reporting pages looked at in the last hour (`reporting_viewed`, at most 20).
"""

from __future__ import annotations

import time

from django.core.cache import cache

from accounts.models import User
from core.roles import Role

VIEWERS_KEY = "quality:dashboard:viewers"
# Dashboards not looked at for an hour are not kept ready.
VIEWED_WITHIN = 3600
PENDING_KEY = "quality:dashboard:refresh-pending"
# The task clears the mark when it starts; the mark's own life only matters if the task
# is lost (the broker was down): then the next write after it schedules another.
PENDING_SECONDS = 30


def dashboard_viewed(user: User, term) -> None:
    from .selectors import scope_key

    now = time.time()
    viewers: dict = cache.get(VIEWERS_KEY) or {}
    entry = (scope_key(user), user.role, term.key)
    if entry in viewers and now - viewers[entry][1] < 60:
        return  # remembered a moment ago: no write
    viewers = {k: v for k, v in viewers.items() if now - v[1] < VIEWED_WITHIN}
    viewers[entry] = (user.pk, now)
    cache.set(VIEWERS_KEY, viewers, VIEWED_WITHIN)


REPORTING_VIEWERS_KEY = "quality:reporting:viewers"
# At most this many reporting views (LA, year, filters) are kept ready, the latest looked at.
REPORTING_KEPT = 20


def reporting_viewed(user: User, start_year: int, filters: dict[str, str]) -> None:
    """The reporting page (an LA, a year and its filters) looked at: kept ready for an hour."""
    now = time.time()
    viewers: dict = cache.get(REPORTING_VIEWERS_KEY) or {}
    entry = (user.local_authority_id, start_year, tuple(sorted(filters.items())))
    if entry in viewers and now - viewers[entry][1] < 60:
        return
    viewers = {k: v for k, v in viewers.items() if now - v[1] < VIEWED_WITHIN}
    viewers[entry] = (user.pk, now)
    viewers = dict(sorted(viewers.items(), key=lambda kv: -kv[1][1])[:REPORTING_KEPT])
    cache.set(REPORTING_VIEWERS_KEY, viewers, VIEWED_WITHIN)


def refresh_reporting() -> int:
    """Compute the remembered reporting pages for the current version of the data."""
    from .reporting import may_see_reporting, summary_cached

    now = time.time()
    done = 0
    for (_la, start_year, filters), (user_id, seen) in (cache.get(REPORTING_VIEWERS_KEY) or {}).items():
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if now - seen >= VIEWED_WITHIN or user is None or not may_see_reporting(user):
            continue
        summary_cached(user, start_year, dict(filters))
        done += 1
    return done


def data_changed() -> None:
    """After any audited write: ask for a refresh unless one is already waiting."""
    if cache.add(PENDING_KEY, 1, PENDING_SECONDS) and not getattr(cache, "unavailable", False):
        # (With Redis down, epep.cache answers add() with True and keeps nothing, and the
        # broker is Redis too: there is nothing to refresh into and nobody to ask.)
        from core.queue import send_task_quietly

        from .tasks import refresh_dashboards

        send_task_quietly(refresh_dashboards)


def refresh_dashboards() -> int:
    """Compute the remembered dashboards for the current version; returns how many."""
    from core.calendar import TermRef
    from deadlines.selectors import deadlines_for_user

    from .figures import dashboard_figures

    cache.delete(PENDING_KEY)  # writes from now on ask for the next refresh
    now = time.time()
    done = 0
    for (_scope, role, term_key), (user_id, seen) in (cache.get(VIEWERS_KEY) or {}).items():
        if now - seen >= VIEWED_WITHIN:
            continue
        user = User.objects.filter(pk=user_id, is_active=True).first()
        term = TermRef.parse(term_key)
        if user is None or user.role != role or term is None:
            continue
        dashboard_figures(user, term)
        if role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
            deadlines_for_user(user)  # the home page's panel and the deadline list
        done += 1
    refresh_reporting()  # counted apart: the figure returned is the dashboards'
    return done
