"""An LA's deadlines (the Virtual School's home page and list) are read from the kept
deadline status (deadlines.status), in a fixed few queries and without a cache: any
audited write to an input shows in the next read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children import services as child_services
from deadlines import status
from deadlines.selectors import deadlines_for_user

pytestmark = pytest.mark.django_db


def test_the_las_deadlines_are_read_from_the_kept_status_and_show_a_write_at_once(world, vs_officer):
    status.roll()
    first = deadlines_for_user(vs_officer)
    with CaptureQueriesContext(connection) as ctx:
        again = deadlines_for_user(vs_officer)
    assert [d.key for d in again] == [d.key for d in first]
    assert len(ctx.captured_queries) == 2  # the LA's day, the rows: nothing is computed
    child = child_services.child_create(actor=vs_officer, local_authority=world.la, la_reference="NEW-1",
                                        first_name="Newly", last_name="Arrived", date_of_birth=dt.date(2015, 3, 1))
    child_services.care_episode_start(actor=vs_officer, child=child, entered_care_on=dt.date(2026, 11, 2))
    child_services.placement_start(actor=vs_officer, child=child, school=world.school, year_group=6,
                                   started_on=dt.date(2026, 11, 2))
    after = deadlines_for_user(vs_officer)
    assert any(d.child_id == child.pk for d in after)
    assert not any(d.child_id == child.pk for d in first)


def test_reading_a_record_writes_nothing_to_the_deadline_status(world, vs_officer):
    status.roll()
    with CaptureQueriesContext(connection) as ctx:
        child_services.child_record_viewed(actor=vs_officer, child=world.child)  # an audit event of a read
    assert not [q for q in ctx.captured_queries if "timeliness_deadlinestatus" in q["sql"]]
