"""The education record's reviews on the deadlines lists, beside the PEP deadlines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deadlines.engine import compute_deadlines
from deadlines.selectors import deadlines_for_child, deadlines_for_la, deadlines_for_user
from education import services
from tests.education import helpers

pytestmark = pytest.mark.django_db


def _timetable(world, review_on):
    return services.part_time_timetable_save(actor=None, child=world.child, school=world.school,
                                             starts_on=review_on - dt.timedelta(days=40), ends_on=None,
                                             hours_per_week=Decimal(12), review_on=review_on, reason="")


def test_a_part_time_timetable_past_its_review_date_is_overdue_on_the_deadlines_list(client, world, vs_officer):
    today = timezone.localdate()
    timetable = _timetable(world, today - dt.timedelta(days=3))
    rows = [d for d in deadlines_for_la(world.la) if d.kind == "part_time_review"]
    assert [(d.child_id, d.status, d.due_on) for d in rows] == [(world.child.pk, "overdue", timetable.review_on)]
    client.force_login(vs_officer)
    page = client.get(reverse("deadlines_list")).content.decode()
    assert "Part-time timetable review" in page and "12 hours a week at Ruby&#x27;s School" in page


def test_an_ended_timetable_has_no_review_deadline(world):
    timetable = _timetable(world, timezone.localdate() - dt.timedelta(days=3))
    services.part_time_timetable_save(actor=None, child=world.child, instance=timetable,
                                      ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert not [d for d in deadlines_for_child(world.child) if d.kind == "part_time_review"]


def test_an_ehcp_annual_review_is_a_deadline_12_months_after_the_last(world, designated_teacher):
    helpers.ehcp(world.child, world.la, last=dt.date(2025, 3, 10))
    rows = [d for d in deadlines_for_user(designated_teacher) if d.kind == "ehcp_review"]
    assert [(d.due_on, d.kind_label) for d in rows] == [(dt.date(2026, 3, 10), "EHCP annual review")]


def test_the_daily_pep_run_still_counts_pep_deadlines_only(world):
    _timetable(world, timezone.localdate() - dt.timedelta(days=3))
    assert not [d for d in compute_deadlines(la_ids=[world.la.pk]) if d.kind == "part_time_review"]


def test_another_las_virtual_school_sees_none_of_these_reviews(world):
    _timetable(world, timezone.localdate() - dt.timedelta(days=3))
    assert not [d for d in deadlines_for_user(world.people["other_la_vs"]) if d.kind == "part_time_review"]
