"""Refresh-ahead: after a write, the dashboards people have looked at are computed for the
data's new version, so their next look is served from the cache with the new figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from children import services as child_services
from core.audit import Verb, audit_record
from quality import warm

pytestmark = pytest.mark.django_db


def new_child_in_care(world, actor):
    child = child_services.child_create(actor=actor, local_authority=world.la, la_reference="NEW-1",
                                        first_name="Newly", last_name="Arrived", date_of_birth=dt.date(2015, 3, 1))
    child_services.care_episode_start(actor=actor, child=child, entered_care_on=timezone.localdate())
    return child


@pytest.mark.django_db(transaction=True)
def test_after_a_write_the_dashboard_looked_at_is_ready_with_the_new_figures(world, vs_officer, client):
    # Real commits: each service's on_commit runs, and the (eager) refresh task with it.
    client.force_login(vs_officer)
    needing = client.get(reverse("quality_dashboard")).context["board"].counts["needing"]
    new_child_in_care(world, vs_officer)
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("quality_dashboard"))
    assert "board" not in page.context  # computed by the refresh, not by this request
    assert len(ctx.captured_queries) < 10
    html = page.content.decode()
    assert f'?figure=needing&amp;term={page.context["term"].key}">{needing + 1}<' in html


def test_one_transaction_asks_once_however_many_events_it_writes(world, vs_officer,
                                                                  django_capture_on_commit_callbacks):
    # The test runs in one transaction with the fixture's writes: forget what they queued.
    connection.run_on_commit.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        new_child_in_care(world, vs_officer)  # two services, two audit events
    assert [c.__name__ for c in callbacks] == ["_after_write"]


def test_reads_do_not_ask_for_a_refresh(world, vs_officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        audit_record(actor=vs_officer, verb=Verb.VIEWED, obj=world.child, child_id=world.child.pk)
    assert callbacks == []


def test_only_one_refresh_waits_at_a_time_and_old_views_are_forgotten(world, vs_officer, monkeypatch):
    sent = []
    monkeypatch.setattr("core.queue.send_task_quietly", lambda task, *args: sent.append(task.name))
    warm.data_changed()
    warm.data_changed()
    assert sent == ["quality.refresh_dashboards"]
    # A view an hour old is not computed again.
    from django.core.cache import cache

    from core.calendar import TermRef

    warm.dashboard_viewed(vs_officer, TermRef.containing(timezone.localdate()))
    assert warm.refresh_dashboards() == 1
    viewers = cache.get(warm.VIEWERS_KEY)
    cache.set(warm.VIEWERS_KEY, {k: (uid, seen - warm.VIEWED_WITHIN) for k, (uid, seen) in viewers.items()})
    assert warm.refresh_dashboards() == 0
    # The task cleared the mark: the next write asks again.
    warm.data_changed()
    assert sent == ["quality.refresh_dashboards"] * 2


def test_with_the_cache_down_no_refresh_is_asked_for(monkeypatch):
    class DownCache:
        unavailable = True

        def add(self, *args, **kwargs):
            return True  # what epep.cache.FailSoftRedisCache answers with Redis down

    sent = []
    monkeypatch.setattr(warm, "cache", DownCache())
    monkeypatch.setattr("core.queue.send_task_quietly", lambda task, *args: sent.append(task.name))
    warm.data_changed()
    assert sent == []
