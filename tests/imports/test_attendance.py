"""Attendance files: MIS header names, matching by UPN among the uploader's children, one write path."""

from __future__ import annotations

import pytest

from children.upn import with_check_letter
from core.models import AuditEvent
from education.models import Attendance
from imports import services
from imports.readers import FileProblem

UPN_RUBY = with_check_letter("860200012345")
UPN_OTTO = with_check_letter("860200054321")
TERM = ("2025/26", "autumn")


@pytest.fixture
def upns(world):
    world.child.upn, world.other_child.upn = UPN_RUBY, UPN_OTTO
    world.child.save(update_fields=["upn"])
    world.other_child.save(update_fields=["upn"])
    return world


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_a_designated_teacher_records_their_childrens_attendance_from_sims_headers(upns):
    data = _csv("UPN,Legal Surname,Forename,Sessions Possible,Sessions Present,Authorised Absences,"
                "Unauthorised Absences", f"{UPN_RUBY},Testchild,Ruby,120,110,8,2")
    result = services.attendance_import(actor=upns.people["designated_teacher"], data=data, term=TERM)
    row = Attendance.objects.get(child=upns.child)
    assert (row.sessions_possible, row.sessions_present, row.sessions_authorised_absence,
            row.sessions_unauthorised_absence, row.school) == (120, 110, 8, 2, upns.school)
    assert str(row.percent) == "91.7" and result.recorded == 1


def test_the_figures_land_in_the_education_record_and_a_row_that_does_not_add_up_is_refused(upns):
    """The attendance upload writes the child's education record through its own service,
    so the record's checks hold: sessions that do not add up are reported, not written."""
    from core.models import AuditEvent

    before = AuditEvent.objects.count()
    data = _csv("UPN,Possible,Present,Authorised,Unauthorised", f"{UPN_RUBY},120,100,8,2")
    result = services.attendance_import(actor=upns.people["designated_teacher"], data=data, term=TERM)
    assert result.recorded == 0 and not Attendance.objects.filter(child=upns.child).exists()
    assert [line for line, _ in result.problems] == [2]
    assert "add up" in result.problems[0][1]
    assert AuditEvent.objects.count() == before


def test_rows_of_children_the_uploader_cannot_see_are_listed_and_not_written(upns):
    data = _csv("UPN,Possible,Present,Authorised absence,Unauthorised absence",
                f"{UPN_RUBY},100,100,0,0", f"{UPN_OTTO},100,90,10,0", f"{with_check_letter('860200099999')},1,1,0,0")
    result = services.attendance_import(actor=upns.people["designated_teacher"], data=data, term=TERM)
    assert [line for line, _ in result.unmatched] == [3, 4]
    assert list(Attendance.objects.values_list("child", flat=True)) == [upns.child.pk]


def test_the_virtual_school_records_at_the_childs_current_school(upns):
    data = _csv("upn,possible_sessions,present,authorised,unauthorised", f"{UPN_OTTO},100,90,5,5")
    services.attendance_import(actor=upns.people["vs_officer"], data=data, term=TERM)
    assert Attendance.objects.get(child=upns.other_child).school == upns.other_school


def test_another_las_virtual_school_cannot_record_for_this_las_children(upns):
    data = _csv("UPN,Possible sessions,Present,Authorised absence,Unauthorised absence", f"{UPN_RUBY},100,90,5,5")
    result = services.attendance_import(actor=upns.people["other_la_vs"], data=data, term=TERM)
    assert result.recorded == 0 and len(result.unmatched) == 1
    assert not Attendance.objects.exists()


def test_bad_numbers_and_a_wrong_check_letter_are_reported_per_row(upns):
    wrong = "A" + UPN_RUBY[1:] if UPN_RUBY[0] != "A" else "B" + UPN_RUBY[1:]
    data = _csv("UPN,Possible sessions,Present,Authorised absence,Unauthorised absence",
                f"{UPN_RUBY},100,95,10,0", f"{UPN_RUBY},abc,1,0,0", f"{wrong},10,10,0,0")
    result = services.attendance_import(actor=upns.people["designated_teacher"], data=data, term=TERM)
    messages = dict(result.problems)
    assert "add up to more" in messages[2] and "not a whole number" in messages[3]
    assert "wrong check letter" in messages[4]
    assert not Attendance.objects.exists()


def test_a_missing_column_refuses_the_file(upns):
    with pytest.raises(FileProblem, match="Unauthorised absence"):
        services.attendance_import(actor=upns.people["designated_teacher"],
                                   data=_csv("UPN,Possible,Present,Authorised", f"{UPN_RUBY},1,1,0"), term=TERM)


def test_record_attendance_writes_one_event_and_nothing_the_second_time(upns):
    before = AuditEvent.objects.count()
    kwargs = dict(child=upns.child, school=upns.school, term=TERM, possible=10, present=9, authorised=1,
                  unauthorised=0, actor=upns.people["designated_teacher"])
    services.record_attendance(**kwargs)
    assert AuditEvent.objects.count() == before + 1
    _row, changed = services.record_attendance(**kwargs)
    assert not changed and AuditEvent.objects.count() == before + 1
    services.record_attendance(**{**kwargs, "present": 8, "authorised": 2})
    event = AuditEvent.objects.filter(object_type="education.attendance").latest("id")
    assert event.changes["sessions_present"] == [9, 8] and event.child_id == upns.child.pk
