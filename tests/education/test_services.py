"""The education record's services: each writes exactly one audit event, and refuses bad data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from education import services
from education.models import Attendance, Exclusion, SenStatus, absence_flag, add_months
from tests.education import helpers

pytestmark = pytest.mark.django_db


def _one_event(call, *, object_type=None):
    before = AuditEvent.objects.count()
    result = call()
    assert AuditEvent.objects.count() == before + 1
    if object_type:
        assert AuditEvent.objects.order_by("-id").first().object_type == object_type
    return result


def test_attendance_save_writes_one_audit_event_and_computes_the_percentage(world, designated_teacher):
    row = _one_event(lambda: helpers.attendance(world.child, world.school, possible=120, present=107, authorised=8,
                                                actor=designated_teacher), object_type="education.attendance")
    assert row.percent == Decimal("89.2")
    assert row.persistent_absence and not row.severe_absence
    event = AuditEvent.objects.order_by("-id").first()
    assert event.child_id == world.child.pk and event.actor == designated_teacher


def test_changing_attendance_writes_one_event_and_nothing_when_nothing_changed(world, vs_officer):
    row = helpers.attendance(world.child, world.school)
    _one_event(lambda: services.attendance_save(actor=vs_officer, child=world.child, instance=row,
                                                sessions_present=100, sessions_authorised_absence=10,
                                                sessions_unauthorised_absence=10))
    before = AuditEvent.objects.count()
    services.attendance_save(actor=vs_officer, child=world.child, instance=row, sessions_present=100)
    assert AuditEvent.objects.count() == before


def test_attendance_sessions_must_add_up_and_nothing_is_written(world):
    with pytest.raises(ValidationError, match="must add up to the possible sessions"):
        helpers.attendance(world.child, world.school, possible=100, present=90, authorised=5, unauthorised=1)
    assert not Attendance.objects.exists()
    assert not AuditEvent.objects.filter(object_type="education.attendance").exists()


def test_a_second_attendance_row_for_the_same_term_is_refused_with_a_message(world):
    helpers.attendance(world.child, world.school)
    with pytest.raises(ValidationError, match="already recorded"):
        helpers.attendance(world.child, world.school)


def test_absence_flags_follow_the_dfe_definitions():
    assert absence_flag(Decimal("49.9")) == "Severe absence"
    assert absence_flag(Decimal("50")) == "Persistent absence"
    assert absence_flag(Decimal("89.9")) == "Persistent absence"
    assert absence_flag(Decimal("90")) == "Below 95%"
    assert absence_flag(Decimal("95")) == ""


@pytest.mark.parametrize("save", [
    lambda w: helpers.exclusion(w.child, w.school),
    lambda w: helpers.ehcp(w.child, w.la),
    lambda w: helpers.termly(w.child),
    lambda w: services.part_time_timetable_save(actor=None, child=w.child, school=w.school,
                                                starts_on=dt.date(2025, 9, 8), ends_on=None,
                                                hours_per_week=Decimal(15), review_on=dt.date(2025, 10, 20),
                                                reason="Anxiety"),
    lambda w: services.alternative_provision_save(actor=None, child=w.child, provider="The Bridge",
                                                  hours_per_week=Decimal(6), starts_on=dt.date(2025, 9, 8),
                                                  ends_on=None),
    lambda w: services.eet_status_save(actor=None, child=w.child, status="neet", starts_on=dt.date(2025, 9, 1),
                                       ends_on=None, provider="", personal_adviser="Pat",
                                       pathway_plan_reviewed_on=None),
    lambda w: services.school_move_save(actor=None, placement=w.child.placements.get(), reason="care_placement"),
], ids=["exclusion", "sen", "attainment", "part_time", "alternative_provision", "eet", "school_move"])
def test_every_record_service_writes_exactly_one_audit_event(world, save):
    _one_event(lambda: save(world))


def test_a_suspension_needs_its_length_and_a_future_date_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        helpers.exclusion(world.child, world.school, days=None)
    assert "Enter how long the suspension is" in str(exc.value)
    with pytest.raises(ValidationError, match="today or in the past"):
        helpers.exclusion(world.child, world.school, on=dt.date.today() + dt.timedelta(days=3))
    assert not Exclusion.objects.exists()


def test_an_ehcp_needs_its_start_and_maintaining_la_and_a_review_within_12_months(world):
    with pytest.raises(ValidationError) as exc:
        services.sen_status_save(actor=None, child=world.child, status="ehcp", starts_on=dt.date(2025, 1, 1),
                                 primary_need="ASD", ehcp_started_on=None, maintaining_la=None)
    assert set(exc.value.message_dict) == {"ehcp_started_on", "maintaining_la"}
    with pytest.raises(ValidationError, match="within 12 months of the last"):
        services.sen_status_save(actor=None, child=world.child, status="ehcp", starts_on=dt.date(2025, 1, 1),
                                 primary_need="ASD", ehcp_started_on=dt.date(2025, 1, 1), maintaining_la=world.la,
                                 last_annual_review_on=dt.date(2025, 3, 1),
                                 next_annual_review_on=dt.date(2026, 3, 2))
    assert not SenStatus.objects.exists()


def test_an_ehcp_review_is_due_12_months_after_the_last():
    plan = SenStatus(status="ehcp", ehcp_started_on=dt.date(2024, 2, 29), last_annual_review_on=dt.date(2025, 2, 28))
    assert plan.review_due_on == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)


def test_attainment_results_are_checked_per_assessment(world):
    with pytest.raises(ValidationError, match="scaled score is from 80 to 120"):
        services.attainment_save(actor=None, child=world.child, academic_year="2023/24", term="summer",
                                 assessment="ks2", subject="Reading", result="exs", score=130)
    with pytest.raises(ValidationError, match="target, predicted or actual"):
        services.attainment_save(actor=None, child=world.child, academic_year="2027/28", term="summer",
                                 assessment="gcse", subject="English", result="5")
    with pytest.raises(ValidationError, match="0 to 25"):
        services.attainment_save(actor=None, child=world.child, academic_year="2021/22", term="summer",
                                 assessment="mtc", subject="Multiplication", score=None)
    with pytest.raises(ValidationError, match="like 2026/27"):
        helpers.termly(world.child, year="2025/27")
    gcse = services.attainment_save(actor=None, child=world.child, academic_year="2027/28", term="summer",
                                    assessment="gcse", subject="English", result="5", grade_kind="predicted")
    assert gcse.result_label == "Predicted: Grade 5"


def test_a_move_at_the_start_of_september_is_not_mid_year(world):
    placement = world.child.placements.get()  # started 2 September 2024
    move = services.school_move_save(actor=None, placement=placement, reason="phase_transfer")
    assert move.mid_year is False
    placement.started_on = dt.date(2025, 2, 24)
    assert services.school_move_save(actor=None, placement=placement, reason="care_placement").mid_year is True


def test_record_from_pep_writes_one_event_for_everything_it_changes(world, designated_teacher):
    before = AuditEvent.objects.count()
    written = services.record_from_pep(
        actor=designated_teacher, child=world.child, academic_year="2025/26", term="autumn",
        day=dt.date(2025, 11, 1), school=world.school, sen_status="sen_support",
        attainment={"English": "at", "Maths": "below"},
        attendance={"sessions_possible": 100, "sessions_present": 96, "sessions_authorised_absence": 4,
                    "sessions_unauthorised_absence": 0})
    assert len(written.written) == 4
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").changes["attainment:Maths"] == [None, "below"]
    # The same again changes nothing and writes no event.
    again = services.record_from_pep(
        actor=designated_teacher, child=world.child, academic_year="2025/26", term="autumn",
        day=dt.date(2025, 11, 2), school=world.school, sen_status="sen_support",
        attainment={"English": "at", "maths": "below"})
    assert not again and again.changes == {}
    assert AuditEvent.objects.count() == before + 1


def test_record_from_pep_leaves_the_event_to_a_caller_that_writes_its_own(world, designated_teacher):
    before = AuditEvent.objects.count()
    written = services.record_from_pep(
        actor=designated_teacher, child=world.child, academic_year="2025/26", term="autumn",
        day=dt.date(2025, 11, 1), school=world.school, attainment={"Art": "above"}, audit=False)
    assert written.changes == {"attainment:Art": [None, "above"]}
    assert AuditEvent.objects.count() == before
    assert world.child.attainment.get(subject="Art").result == "above"


def test_a_second_result_for_the_same_subject_and_term_is_refused_with_a_message(world):
    helpers.termly(world.child, "English", "at")
    with pytest.raises(ValidationError, match="already recorded"):
        helpers.termly(world.child, "English", "above")
