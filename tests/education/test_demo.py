"""The demo data: three years of education record for the demo children."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts.models import User
from deadlines.selectors import deadlines_for_user
from education.models import Attainment, Attendance, EetStatus, Exclusion, PartTimeTimetable, SchoolMove, SenStatus
from peps.models import Section

pytestmark = pytest.mark.django_db


def _seed():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output


def test_the_demo_children_have_three_years_of_education_record():
    _seed()
    years = set(Attendance.objects.values_list("academic_year", flat=True))
    assert len(years) == 3
    busiest = max(Attendance.objects.values_list("child_id", flat=True).distinct(),
                  key=lambda c: Attendance.objects.filter(child_id=c).count())
    assert Attendance.objects.filter(child_id=busiest).count() >= 7
    assert Exclusion.objects.filter(kind="suspension").count() >= 5 and Exclusion.objects.filter(kind="permanent")
    assert SenStatus.objects.filter(status="ehcp").exists() and SenStatus.objects.filter(status="sen_support")
    assert {a for a in Attainment.objects.values_list("assessment", flat=True)} >= {
        "termly", "eyfs", "phonics", "ks2", "mtc", "gcse", "post_16"}
    assert EetStatus.objects.filter(status="neet").exists()
    assert SchoolMove.objects.count() >= 25
    vs = User.objects.get(email="vs@demo.test")
    kinds = {d.kind for d in deadlines_for_user(vs)}
    assert {"part_time_review", "ehcp_review"} <= kinds
    assert PartTimeTimetable.objects.get().review_overdue
    # Section B of the demo PEPs agrees with the record: one filled in says the record's attendance.
    filled = [s for s in Section.objects.filter(letter="B", state="complete").select_related("pep")
              if s.data.get("term_sessions_possible")]
    assert filled
    counts = Attendance.objects.count(), Exclusion.objects.count()
    _seed()
    assert (Attendance.objects.count(), Exclusion.objects.count()) == counts  # idempotent
