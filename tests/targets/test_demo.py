"""The demo data: every target status and PP+ state, meetings held and scheduled, idempotent."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

from meetings import demo as meetings_demo
from meetings.models import Meeting
from peps.models import Pep
from targets import demo as targets_demo
from targets.models import PpPlusAllocation, PpPlusRequest, Target, TargetReview


def _counts() -> tuple[int, ...]:
    return (Meeting.objects.count(), Target.objects.count(), TargetReview.objects.count(),
            PpPlusRequest.objects.count(), PpPlusAllocation.objects.count(),
            tuple(Target.objects.order_by("pk").values_list("status", flat=True)))


def test_the_demo_has_every_status_and_a_second_run_changes_nothing(db):
    call_command("seed_demo", stdout=StringIO())
    assert Pep.objects.exists(), "the PEP app's demo data comes first"
    assert set(Target.objects.values_list("status", flat=True)) == set(Target.Status.values)
    # Every decision the Virtual School takes (a withdrawn request is the school's, not in the demo).
    assert set(PpPlusRequest.objects.values_list("status", flat=True)) == \
        set(PpPlusRequest.Status.values) - {PpPlusRequest.Status.WITHDRAWN}
    assert {m.status for m in Meeting.objects.all()} >= {Meeting.Status.HELD, Meeting.Status.SCHEDULED}
    assert Meeting.objects.filter(format="in_school", status="held").exists()
    assert any(r.payable for r in PpPlusRequest.objects.select_related("pep"))
    assert PpPlusAllocation.objects.filter(local_authority__code="DEMO").count() == 1
    # Every held meeting's PEP has the date the deadlines count.
    for meeting in Meeting.objects.filter(status="held").select_related("pep"):
        assert meeting.pep.meeting_held_on == meeting.held_on
    before = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == before


def test_seeding_without_peps_does_nothing_but_the_allocation(world):
    people = {"vs@demo.test": world.people["vs_officer"], "dt@demo.test": world.people["designated_teacher"]}
    meetings_demo.seed(world.la, [world.school], people)
    targets_demo.seed(world.la, [world.school], people)
    targets_demo.seed(world.la, [world.school], people)
    assert not Meeting.objects.exists() and not Target.objects.exists()
    assert PpPlusAllocation.objects.filter(local_authority=world.la).count() == 1
