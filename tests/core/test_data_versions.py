"""The cached figures of an LA follow the version of that LA's data (core.audit): a write
in LA A leaves LA B's dashboard and deadlines in the cache and throws LA A's away; a write
that belongs to no single LA throws every LA's away; a read throws nothing away."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from children import services as child_services
from core.audit import Verb, audit_record, cached_until_write, la_version
from deadlines.selectors import deadlines_for_user

pytestmark = pytest.mark.django_db


def _write_in_la_a(world):
    """A write about one of LA A's children, as every service about a child audits it."""
    audit_record(actor=world.people["social_worker"], verb=Verb.UPDATED, obj=world.child, child_id=world.child.pk,
                 changes={"first_name": ["Ruby", "Ruby"]})


def test_a_write_in_one_la_changes_its_version_and_no_other_las(world):
    a, b = la_version(world.la.pk), la_version(world.other_la.pk)
    _write_in_la_a(world)
    assert la_version(world.la.pk) != a
    assert la_version(world.other_la.pk) == b


def test_a_write_naming_its_la_changes_that_las_version_only(world):
    a, b = la_version(world.la.pk), la_version(world.other_la.pk)
    audit_record(actor=None, verb=Verb.UPDATED, object_type="tests.settings", object_id="1",
                 local_authority_id=world.other_la.pk)
    assert la_version(world.la.pk) == a
    assert la_version(world.other_la.pk) != b


def test_a_write_that_belongs_to_no_la_changes_every_las_version(world):
    a, b = la_version(world.la.pk), la_version(world.other_la.pk)
    audit_record(actor=world.people["vs_officer"], verb=Verb.UPDATED, obj=world.people["vs_officer"])
    assert la_version(world.la.pk) != a
    assert la_version(world.other_la.pk) != b


def test_a_write_about_a_child_no_longer_recorded_changes_every_las_version(world):
    a, b = la_version(world.la.pk), la_version(world.other_la.pk)
    audit_record(actor=None, verb=Verb.RECORD_DESTROYED, object_type="children.child", object_id="999999",
                 child_id=999999)
    assert la_version(world.la.pk) != a
    assert la_version(world.other_la.pk) != b


def test_a_read_changes_no_version(world):
    a, b = la_version(world.la.pk), la_version(world.other_la.pk)
    child_services.child_record_viewed(actor=world.people["vs_officer"], child=world.child)
    assert (la_version(world.la.pk), la_version(world.other_la.pk)) == (a, b)


def test_an_la_figure_is_computed_again_only_after_a_write_in_its_la(world):
    computed = []

    def figure(la):
        return cached_until_write(f"tests:figure:la{la.pk}", lambda: computed.append(la.code) or len(computed),
                                  local_authority_id=la.pk)

    figure(world.la), figure(world.other_la)
    _write_in_la_a(world)
    figure(world.la), figure(world.other_la)
    assert computed == [world.la.code, world.other_la.code, world.la.code]


def test_the_other_las_dashboard_is_served_from_the_cache_after_a_write_in_this_la(world, client):
    vs_a, vs_b = world.people["vs_officer"], world.people["other_la_vs"]
    for person in (vs_a, vs_b):
        client.force_login(person)
        assert "board" in client.get(reverse("quality_dashboard")).context  # computed
        assert "board" not in client.get(reverse("quality_dashboard")).context  # from the cache
    _write_in_la_a(world)
    client.force_login(vs_b)
    assert "board" not in client.get(reverse("quality_dashboard")).context  # still from the cache
    client.force_login(vs_a)
    assert "board" in client.get(reverse("quality_dashboard")).context  # computed afresh


def test_a_write_in_this_la_leaves_the_other_las_deadlines_untouched(world):
    # The LAs' deadlines are no longer cached: they are the kept deadline status
    # (deadlines.status), which a write refreshes for its own child only.
    from deadlines import status
    from deadlines.models import DeadlineStatus

    vs_a, vs_b = world.people["vs_officer"], world.people["other_la_vs"]
    status.roll()
    before_b = list(DeadlineStatus.objects.filter(local_authority_id=vs_b.local_authority_id).values_list("pk", "key"))
    keys_b = [d.key for d in deadlines_for_user(vs_b)]
    _write_in_la_a(world)
    with CaptureQueriesContext(connection) as ctx:
        assert [d.key for d in deadlines_for_user(vs_b)] == keys_b
    assert len(ctx.captured_queries) == 2  # the LA's day and its rows
    assert list(DeadlineStatus.objects.filter(local_authority_id=vs_b.local_authority_id)
                .values_list("pk", "key")) == before_b
    with CaptureQueriesContext(connection) as ctx:
        deadlines_for_user(vs_a)
    assert len(ctx.captured_queries) == 2