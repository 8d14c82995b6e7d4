"""Scheduling, moving, cancelling and recording PEP meetings: the rules, one audit event per
write, and the .ics invitations parsed with the icalendar package."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from core.refusals import Refused
from core.roles import Role
from meetings import services
from meetings.checks import problems_before_submit
from meetings.models import Invitee, Meeting, MeetingSettings
from peps.models import Pep
from tests.factories import UserFactory
from tests.meetings.factories import clock_change_dates, london, make_pep

LONDON = ZoneInfo("Europe/London")


def _schedule(world, pep, starts_at, **extra):
    kwargs = dict(actor=world.people["designated_teacher"], pep=pep, starts_at=starts_at, format="in_school",
                  location="Room 4", chair=world.people["designated_teacher"],
                  team_user_ids=[world.people[k].pk for k in ("social_worker", "carer", "young_person", "vs_officer")],
                  others=[{"name": "Pat Parent", "role": "Parent", "email": "pat@example.test"},
                          {"name": "Ivy Iro", "role": "Independent reviewing officer (IRO)", "email": ""}])
    kwargs.update(extra)
    return services.meeting_schedule(**kwargs)


def _ics(message) -> icalendar.Calendar:
    (name, content, mimetype), = message.attachments
    assert name.endswith(".ics")
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def _event(cal: icalendar.Calendar) -> icalendar.Event:
    (event,) = cal.walk("VEVENT")
    return event


def _audit_count() -> int:
    return AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEWED).count()


# --------------------------------------------------------------------------------------
# Scheduling and the .ics invitation
# --------------------------------------------------------------------------------------


def test_scheduling_invites_the_team_and_named_others_with_one_audit_event(
        world, pep, django_capture_on_commit_callbacks):
    gmt_day, _change, _bst_day = clock_change_dates()
    before = _audit_count()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(world, pep, london(gmt_day))
    assert _audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.verb == "created" and event.object_type == "meetings.meeting" and event.child_id == world.child.pk
    names = set(meeting.invitees.values_list("name", flat=True))
    assert {"Pat Parent", "Ivy Iro", world.people["carer"].full_name,
            world.people["designated_teacher"].full_name} <= names
    # Every invitee with an email gets one; the IRO has none here.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted({i.email for i in meeting.invitees.all() if i.email})
    assert "pat@example.test" in recipients
    assert all(world.child.first_name not in m.subject + m.body for m in mail.outbox)


def test_no_email_leaves_before_the_transaction_commits(world, pep, django_capture_on_commit_callbacks):
    gmt_day, _change, _bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _schedule(world, pep, london(gmt_day))
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_an_invitation_waits_in_the_outbox_with_its_ics_and_is_delivered_with_it(
        world, pep, django_capture_on_commit_callbacks):
    from core.models import Outbox
    from core.notifications import outbox_deliver

    gmt_day, _change, _bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=False):
        meeting = _schedule(world, pep, london(gmt_day))
    rows = list(Outbox.objects.filter(sent_at__isnull=True).order_by("to"))
    assert [r.to for r in rows] == sorted({i.email.lower() for i in meeting.invitees.all() if i.email})
    (attachment,) = rows[0].attachments
    assert attachment["filename"] == "pep-meeting.ics"
    assert attachment["mimetype"] == "text/calendar; method=REQUEST; charset=UTF-8"
    assert mail.outbox == []
    assert outbox_deliver() == len(rows)
    assert sorted(m.to[0] for m in mail.outbox) == [r.to for r in rows]
    for message in mail.outbox:
        (name, content, mimetype), = message.attachments
        assert (name, mimetype) == ("pep-meeting.ics", "text/calendar; method=REQUEST; charset=UTF-8")
        cal = icalendar.Calendar.from_ical(content)
        assert str(cal["METHOD"]) == "REQUEST" and str(_event(cal)["UID"]) == meeting.uid


def test_the_invitation_is_at_10_london_time_in_gmt(world, pep, django_capture_on_commit_callbacks):
    gmt_day, _change, _bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(world, pep, london(gmt_day))
    cal = _ics(mail.outbox[0])
    assert str(cal["METHOD"]) == "REQUEST"
    # A real VTIMEZONE for Europe/London travels with the event.
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    event = _event(cal)
    start = event.decoded("DTSTART")
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert (start.date(), start.hour, start.minute) == (gmt_day, 10, 0)
    assert start.utcoffset() == dt.timedelta(0)
    assert start.astimezone(dt.UTC).hour == 10
    assert str(event["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTEND") - start == dt.timedelta(minutes=60)


def test_the_invitation_is_at_10_london_time_in_british_summer_time(world, pep, django_capture_on_commit_callbacks):
    _gmt_day, _change, bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=True):
        _schedule(world, pep, london(bst_day))
    start = _event(_ics(mail.outbox[0])).decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (bst_day, 10, 0)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(dt.UTC).hour == 9


def test_rescheduling_across_the_clock_change_keeps_the_local_time_uid_and_bumps_the_sequence(
        world, pep, django_capture_on_commit_callbacks):
    gmt_day, change, bst_day = clock_change_dates()
    assert gmt_day < change < bst_day
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(world, pep, london(gmt_day))
    first = _event(_ics(mail.outbox[0]))
    mail.outbox.clear()
    before = _audit_count()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_reschedule(actor=world.people["vs_officer"], meeting=meeting,
                                              starts_at=london(bst_day))
    assert _audit_count() == before + 1
    assert AuditEvent.objects.latest("id").verb == "updated"
    cal = _ics(mail.outbox[0])
    assert str(cal["METHOD"]) == "REQUEST"
    event = _event(cal)
    assert str(event["UID"]) == str(first["UID"]) == meeting.uid
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 == 1
    start = event.decoded("DTSTART")
    assert (start.date(), start.hour, start.minute) == (bst_day, 10, 0)
    assert start.astimezone(dt.UTC).hour == 9
    assert "moved" in mail.outbox[0].subject


def test_cancelling_sends_method_cancel_with_the_same_uid(world, pep, django_capture_on_commit_callbacks):
    gmt_day, _change, _bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = _schedule(world, pep, london(gmt_day))
    mail.outbox.clear()
    before = _audit_count()
    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_cancel(actor=world.people["designated_teacher"], meeting=meeting,
                                          reason="The carer is unwell")
    assert _audit_count() == before + 1
    assert meeting.status == Meeting.Status.CANCELLED
    cal = _ics(mail.outbox[0])
    assert str(cal["METHOD"]) == "CANCEL"
    event = _event(cal)
    assert str(event["UID"]) == meeting.uid
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    # The reason stays in ePEP.
    assert "unwell" not in mail.outbox[0].body
    # A new meeting can be scheduled once the old one is cancelled.
    _schedule(world, pep, london(gmt_day, 14))


def test_a_cancelled_meeting_cannot_be_cancelled_or_moved_again(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    meeting = _schedule(world, pep, london(gmt_day))
    services.meeting_cancel(actor=world.people["designated_teacher"], meeting=meeting, reason="Clash")
    with pytest.raises(Refused):
        services.meeting_cancel(actor=world.people["designated_teacher"], meeting=meeting, reason="Again")
    with pytest.raises(Refused):
        services.meeting_reschedule(actor=world.people["designated_teacher"], meeting=meeting,
                                    starts_at=london(gmt_day, 11))


def test_cancelling_needs_a_reason(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    meeting = _schedule(world, pep, london(gmt_day))
    with pytest.raises(ValidationError) as exc:
        services.meeting_cancel(actor=world.people["designated_teacher"], meeting=meeting, reason="  ")
    assert exc.value.message_dict == {"reason": ["Enter why the meeting is cancelled"]}


def test_it_refuses_a_meeting_in_the_past(world, pep):
    with pytest.raises(ValidationError) as exc:
        _schedule(world, pep, london(dt.date(2020, 1, 6)))
    assert "must be in the future" in exc.value.message_dict["date"][0]
    assert not Meeting.objects.exists()


def test_it_refuses_an_online_meeting_without_a_link(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    with pytest.raises(ValidationError) as exc:
        _schedule(world, pep, london(gmt_day), format="online", location="")
    assert exc.value.message_dict == {"location": ["Enter the link to the online meeting"]}


def test_it_refuses_a_second_live_meeting(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    _schedule(world, pep, london(gmt_day))
    with pytest.raises(Refused):
        _schedule(world, pep, london(gmt_day, 14))


def test_only_the_dt_and_the_virtual_school_schedule(world, pep):
    # Social workers arrange meetings by default (issue 14): this LA chose the school and the VS only.
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=["designated_teacher", "virtual_school"])
    gmt_day, _change, _bst_day = clock_change_dates()
    for key in ("social_worker", "carer", "young_person", "admin_user", "outsider_designated_teacher"):
        with pytest.raises(PermissionDenied):
            _schedule(world, pep, london(gmt_day), actor=world.people[key])
    assert not Meeting.objects.exists()


def test_a_submitted_pep_meeting_cannot_be_scheduled(world):
    pep = make_pep(world.child, status=Pep.Status.SUBMITTED)
    gmt_day, _change, _bst_day = clock_change_dates()
    with pytest.raises(PermissionDenied):
        _schedule(world, pep, london(gmt_day))


def test_the_chair_is_the_schools_dt_by_default_and_a_vs_officer_when_the_la_says_so(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    assert list(services.chair_candidates(pep)) == [world.people["designated_teacher"]]
    with pytest.raises(ValidationError) as exc:
        _schedule(world, pep, london(gmt_day), chair=world.people["vs_officer"])
    assert exc.value.message_dict == {"chair": ["Select who will chair the meeting"]}

    MeetingSettings.objects.create(local_authority=world.la, chair_role=Role.VIRTUAL_SCHOOL)
    assert list(services.chair_candidates(pep)) == [world.people["vs_officer"]]
    meeting = _schedule(world, pep, london(gmt_day), chair=world.people["vs_officer"])
    assert meeting.chair == world.people["vs_officer"]
    # The chair is always invited, and organises the calendar event.
    assert meeting.invitees.filter(user=world.people["vs_officer"]).exists()
    event = _event(icalendar.Calendar.from_ical(services.ical.meeting_ics(meeting)))
    assert str(event["ORGANIZER"]) == f"mailto:{world.people['vs_officer'].email}"


def test_another_las_vs_officer_cannot_chair(world, pep):
    MeetingSettings.objects.create(local_authority=world.la, chair_role=Role.VIRTUAL_SCHOOL)
    assert world.people["other_la_vs"] not in services.chair_candidates(pep)


def test_meeting_settings_change_writes_one_audit_event(world):
    before = _audit_count()
    services.meeting_settings_set(actor=world.people["admin_user"], local_authority=world.la,
                                  chair_role=Role.VIRTUAL_SCHOOL)
    assert _audit_count() == before + 1
    assert MeetingSettings.objects.get(local_authority=world.la).chair_role == Role.VIRTUAL_SCHOOL


# --------------------------------------------------------------------------------------
# Recording the meeting
# --------------------------------------------------------------------------------------


def _held(world, pep, held_on, next_meeting_on, **extra):
    meeting = Meeting.objects.create(pep=pep, starts_at=london(held_on), format="in_school",
                                     chair=world.people["designated_teacher"])
    invitee = Invitee.objects.create(meeting=meeting, user=world.people["carer"], name="Cara Carer",
                                     email="carer@example.test", role="Carer")
    kwargs = dict(actor=world.people["designated_teacher"], meeting=meeting, held_on=held_on,
                  child_participation="attended", attendance={invitee.pk: "attended"},
                  going_well="Reading", difficulties="None", support_in_place="Tutor",
                  pp_plus_impact="Tuition helped", next_meeting_on=next_meeting_on)
    kwargs.update(extra)
    return services.meeting_record(**kwargs)


def test_recording_sets_the_peps_meeting_date_in_one_audit_event(world, pep):
    held_on = dt.date(2026, 11, 20)
    before = _audit_count()
    meeting = _held(world, pep, held_on, dt.date(2027, 2, 10))
    assert _audit_count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes["pep.meeting_held_on"] == [None, "2026-11-20"]
    assert event.changes["status"] == ["scheduled", "held"]
    pep.refresh_from_db()
    assert pep.meeting_held_on == held_on
    assert meeting.status == Meeting.Status.HELD and meeting.face_to_face
    assert meeting.invitees.get().attendance == "attended"
    assert meeting.recorded_by == world.people["designated_teacher"]


def test_the_next_meeting_must_be_in_the_next_term_by_the_default_pattern(world, pep):
    # Held in the autumn term: the next must be in the spring term (1 January to 31 March).
    for too_soon_or_late in (dt.date(2026, 12, 15), dt.date(2027, 4, 20)):
        with pytest.raises(ValidationError) as exc:
            _held(world, pep, dt.date(2026, 11, 20), too_soon_or_late)
        assert "must be in the next term (the spring term 2026/27" in exc.value.message_dict["next_meeting_on"][0]
        Meeting.objects.all().delete()
    pep.refresh_from_db()
    assert pep.meeting_held_on is None
    _held(world, pep, dt.date(2026, 11, 20), dt.date(2027, 1, 4))


def test_a_concern_review_may_meet_again_sooner(world):
    pep = make_pep(world.child, kind=Pep.Kind.CONCERN)
    meeting = _held(world, pep, dt.date(2026, 11, 20), dt.date(2026, 12, 10))
    assert meeting.next_meeting_on == dt.date(2026, 12, 10)
    with pytest.raises(ValidationError):
        Meeting.objects.all().delete()
        _held(world, pep, dt.date(2026, 11, 20), dt.date(2026, 11, 19))


def test_the_next_term_comes_from_the_las_term_dates_when_loaded(world, pep):
    from deadlines.models import TermDates

    for term, starts, ends, hs, he in (
        ("autumn", "2026-09-02", "2026-12-18", "2026-10-26", "2026-10-30"),
        ("spring", "2027-01-05", "2027-03-26", "2027-02-15", "2027-02-19"),
        ("summer", "2027-04-12", "2027-07-21", "2027-05-31", "2027-06-04"),
    ):
        TermDates.objects.create(local_authority=world.la, academic_year="2026/27", term=term, starts_on=starts,
                                 ends_on=ends, half_term_starts_on=hs, half_term_ends_on=he)
    # 30 March is in the default spring term, but after this LA's spring term ends.
    with pytest.raises(ValidationError) as exc:
        _held(world, pep, dt.date(2026, 11, 20), dt.date(2027, 3, 30))
    assert "5 January 2027 to 26 March 2027" in exc.value.message_dict["next_meeting_on"][0]
    Meeting.objects.all().delete()
    _held(world, pep, dt.date(2026, 11, 20), dt.date(2027, 3, 26))


def test_recording_needs_the_discussion_and_a_past_date(world, pep):
    with pytest.raises(ValidationError) as exc:
        _held(world, pep, dt.date(2026, 11, 20), dt.date(2027, 2, 1), going_well="  ")
    assert exc.value.message_dict == {"going_well": ["Enter what is going well"]}
    Meeting.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        _held(world, pep, dt.date(2030, 1, 1), dt.date(2030, 2, 1))
    assert "today or in the past" in exc.value.message_dict["held_on"][0]


def test_a_cancelled_meeting_cannot_be_recorded(world, pep):
    meeting = Meeting.objects.create(pep=pep, starts_at=london(dt.date(2026, 11, 20)), format="online",
                                     location="https://meet.example/x", chair=world.people["designated_teacher"],
                                     status=Meeting.Status.CANCELLED)
    with pytest.raises(Refused):
        services.meeting_record(actor=world.people["designated_teacher"], meeting=meeting,
                                held_on=dt.date(2026, 11, 20), child_participation="attended", going_well="x",
                                difficulties="x", support_in_place="x", next_meeting_on=dt.date(2027, 2, 1))


def test_carers_cannot_record_a_meeting(world, pep):
    with pytest.raises(PermissionDenied):
        _held(world, pep, dt.date(2026, 11, 20), dt.date(2027, 2, 1), actor=world.people["carer"])


def test_submit_is_blocked_while_a_booked_meeting_is_not_written_up(world, pep):
    gmt_day, _change, _bst_day = clock_change_dates()
    assert problems_before_submit(pep) == []
    _schedule(world, pep, london(gmt_day))
    (problem,) = problems_before_submit(pep)
    assert problem.startswith("Record what happened at the PEP meeting of ")


def test_the_pep_submit_check_includes_the_meeting_problems(world, pep):
    from peps.services.workflow import submit_problems

    gmt_day, _change, _bst_day = clock_change_dates()
    _schedule(world, pep, london(gmt_day))
    texts = [str(getattr(p, "message", p)) for p in submit_problems(pep)]
    assert any(t.startswith("Record what happened at the PEP meeting of ") for t in texts)


def test_a_dt_of_another_school_is_not_offered_as_chair(world, pep):
    stranger = UserFactory(role=Role.DESIGNATED_TEACHER, school=world.other_school, local_authority=world.la)
    assert stranger not in services.chair_candidates(pep)
