"""An LA's deadlines (the Virtual School's home page and list) are computed once per day
and version of the data: any audited write makes the next read compute afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children import services as child_services
from deadlines.selectors import deadlines_for_user

pytestmark = pytest.mark.django_db


def test_the_las_deadlines_are_kept_until_the_next_audited_write(world, vs_officer):
    first = deadlines_for_user(vs_officer)
    with CaptureQueriesContext(connection) as ctx:
        again = deadlines_for_user(vs_officer)
    assert [d.key for d in again] == [d.key for d in first]
    assert len(ctx.captured_queries) == 1  # the version, nothing else
    child = child_services.child_create(actor=vs_officer, local_authority=world.la, la_reference="NEW-1",
                                        first_name="Newly", last_name="Arrived", date_of_birth=dt.date(2015, 3, 1))
    child_services.care_episode_start(actor=vs_officer, child=child, entered_care_on=dt.date(2026, 11, 2))
    child_services.placement_start(actor=vs_officer, child=child, school=world.school, year_group=6,
                                   started_on=dt.date(2026, 11, 2))
    after = deadlines_for_user(vs_officer)
    assert any(d.child_id == child.pk for d in after)
    assert not any(d.child_id == child.pk for d in first)


def test_reading_a_record_does_not_throw_the_deadlines_away(world, vs_officer):
    deadlines_for_user(vs_officer)
    child_services.child_record_viewed(actor=vs_officer, child=world.child)  # an audit event of a read
    with CaptureQueriesContext(connection) as ctx:
        deadlines_for_user(vs_officer)
    assert len(ctx.captured_queries) == 1
