"""Meeting pages (right person works, wrong one refused, bad input re-renders), the PEP and
child includes, and the term arithmetic behind "next term" and "the last four terms"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core import calendar as school_calendar
from core.models import AuditEvent
from deadlines.selectors import calendar_for
from meetings.models import Invitee, Meeting, MeetingSettings
from peps.models import Pep
from peps.policies import get_pep_for
from tests.meetings.factories import clock_change_dates, london, make_pep


def _schedule_post(world, day: dt.date, **extra) -> dict:
    data = {
        "date": day.strftime("%d/%m/%Y"), "time": "10:00", "duration_minutes": "60", "format": "in_school",
        "location": "Meeting room 2", "chair": str(world.people["designated_teacher"].pk),
        "team": [str(world.people["carer"].pk), str(world.people["social_worker"].pk)],
        "other_1_name": "Pat Parent", "other_1_role": "Parent", "other_1_email": "pat@example.test",
        "other_2_name": "", "other_2_role": "", "other_2_email": "",
    }
    data.update(extra)
    return data


def test_the_dt_schedules_a_meeting_from_the_page(world, pep, client, django_capture_on_commit_callbacks):
    client.force_login(world.people["designated_teacher"])
    url = reverse("meeting_schedule", args=[pep.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Schedule the PEP meeting" in page.content.decode()
    gmt_day, _change, _bst_day = clock_change_dates()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, _schedule_post(world, gmt_day))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("meeting_detail", args=[meeting.pk])
    assert meeting.starts_at == london(gmt_day)
    assert set(meeting.invitees.values_list("role", flat=True)) >= {"Parent", "Carer", "Social worker"}
    detail = client.get(response["Location"]).content.decode()
    assert "Pat Parent" in detail and "Meeting room 2" in detail


def test_a_carer_cannot_schedule_a_meeting(world, pep, client):
    client.force_login(world.people["carer"])
    gmt_day, _change, _bst_day = clock_change_dates()
    response = client.post(reverse("meeting_schedule", args=[pep.pk]), _schedule_post(world, gmt_day))
    assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_bad_schedule_input_shows_the_errors_and_changes_nothing(world, pep, client):
    client.force_login(world.people["designated_teacher"])
    response = client.post(reverse("meeting_schedule", args=[pep.pk]),
                           _schedule_post(world, dt.date(2020, 1, 6), time="25:99", other_2_email="not-an-email"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a real time, like 10:00 or 2:30pm" in html
    assert "Enter an email address in the correct format" in html
    assert not Meeting.objects.exists()
    # A time in the past is the service's rule, shown against the date.
    response = client.post(reverse("meeting_schedule", args=[pep.pk]), _schedule_post(world, dt.date(2020, 1, 6)))
    assert "The date and time of the meeting must be in the future" in response.content.decode()
    assert not Meeting.objects.exists()


def _meeting(world, pep, day=None):
    day = day or clock_change_dates()[0]
    meeting = Meeting.objects.create(pep=pep, starts_at=london(day), format="online",
                                     location="https://meet.example/pep", chair=world.people["designated_teacher"])
    Invitee.objects.create(meeting=meeting, user=world.people["carer"], name="Cara Carer",
                           email="carer@example.test", role="Carer")
    return meeting


def test_the_vs_moves_a_meeting_and_a_social_worker_cannot(world, pep, client):
    meeting = _meeting(world, pep)
    _gmt, _change, bst_day = clock_change_dates()
    data = {"date": bst_day.strftime("%d/%m/%Y"), "time": "2:30pm", "duration_minutes": "90", "format": "online",
            "location": "https://meet.example/pep"}
    # Social workers arrange meetings by default (issue 14): this LA chose the school and the VS only.
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=["designated_teacher", "virtual_school"])
    client.force_login(world.people["social_worker"])
    assert client.post(reverse("meeting_reschedule", args=[meeting.pk]), data).status_code == 403
    client.force_login(world.people["vs_officer"])
    response = client.post(reverse("meeting_reschedule", args=[meeting.pk]), data)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.starts_at == london(bst_day, 14, 30) and meeting.sequence == 1


def test_the_dt_cancels_a_meeting_and_a_young_person_cannot(world, pep, client):
    meeting = _meeting(world, pep)
    client.force_login(world.people["young_person"])
    assert client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "x"}).status_code == 403
    client.force_login(world.people["designated_teacher"])
    response = client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": ""})
    assert "Enter why the meeting is cancelled" in response.content.decode()
    response = client.post(reverse("meeting_cancel", args=[meeting.pk]), {"reason": "Illness"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED


def _record_post(meeting, **extra) -> dict:
    invitee = meeting.invitees.get()
    data = {"held_on": "20/11/2026", f"attendance_{invitee.pk}": "apologies", "child_participation": "views_before",
            "going_well": "Settled in tutor group", "difficulties": "Maths homework", "support_in_place": "Tutor",
            "pp_plus_impact": "", "next_meeting_on": "10/02/2027"}
    data.update(extra)
    return data


def test_the_dt_records_the_meeting_and_a_carer_cannot(world, pep, client):
    meeting = _meeting(world, pep, dt.date(2026, 11, 20))
    client.force_login(world.people["carer"])
    assert client.post(reverse("meeting_record", args=[meeting.pk]), _record_post(meeting)).status_code == 403
    client.force_login(world.people["designated_teacher"])
    page = client.get(reverse("meeting_record", args=[meeting.pk]))
    assert page.status_code == 200
    response = client.post(reverse("meeting_record", args=[meeting.pk]), _record_post(meeting))
    assert response.status_code == 302
    meeting.refresh_from_db()
    pep.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and pep.meeting_held_on == dt.date(2026, 11, 20)
    assert meeting.invitees.get().attendance == "apologies"


def test_a_next_meeting_outside_the_next_term_is_refused_on_the_page(world, pep, client):
    meeting = _meeting(world, pep, dt.date(2026, 11, 20))
    client.force_login(world.people["designated_teacher"])
    audits = AuditEvent.objects.count()
    response = client.post(reverse("meeting_record", args=[meeting.pk]),
                           _record_post(meeting, next_meeting_on="15/12/2026"))
    assert response.status_code == 200
    assert "The next PEP meeting must be in the next term" in response.content.decode()
    assert AuditEvent.objects.count() == audits
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.SCHEDULED


def test_the_calendar_file_downloads_for_the_team(world, pep, client):
    meeting = _meeting(world, pep)
    client.force_login(world.people["carer"])
    response = client.get(reverse("meeting_calendar_file", args=[meeting.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert meeting.uid in response.content.decode()


def test_carers_do_not_see_invitees_email_addresses(world, pep, client):
    meeting = _meeting(world, pep)
    client.force_login(world.people["carer"])
    assert "carer@example.test" not in client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    client.force_login(world.people["social_worker"])
    assert "carer@example.test" in client.get(reverse("meeting_detail", args=[meeting.pk])).content.decode()


def test_an_la_admin_chooses_the_chair_and_a_vs_officer_cannot(world, client):
    client.force_login(world.people["vs_officer"])
    assert client.post(reverse("meeting_settings"), {"chair_role": "virtual_school"}).status_code == 403
    client.force_login(world.people["admin_user"])
    # The page also asks who arranges meetings (issue 14); the defaults are posted back.
    assert client.post(reverse("meeting_settings"), {"chair_role": "virtual_school", "scheduler_roles": [
        "designated_teacher", "social_worker", "virtual_school"]}).status_code == 302
    assert world.la.meeting_settings.chair_role == "virtual_school"


# --------------------------------------------------------------------------------------
# The includes on the PEP's section E and on the child's page
# --------------------------------------------------------------------------------------


def _render(template, user, **context):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(template, context, request=request)


def test_the_section_e_include_shows_the_meeting_record_and_links(world, pep):
    meeting = _meeting(world, pep, dt.date(2026, 11, 20))
    dt_user = world.people["designated_teacher"]
    html = _render("meetings/includes/pep_meeting.html", dt_user, pep=pep, pep_access=get_pep_for(dt_user, pep.pk))
    assert reverse("meeting_record", args=[meeting.pk]) in html
    # The PEP pages call the access object `access`; that works too. Carers get no action links.
    carer = world.people["carer"]
    html = _render("meetings/includes/pep_meeting.html", carer, pep=pep, access=get_pep_for(carer, pep.pk))
    assert reverse("meeting_detail", args=[meeting.pk]) in html
    assert reverse("meeting_record", args=[meeting.pk]) not in html


def test_the_section_e_include_offers_scheduling_when_there_is_no_meeting(world, pep):
    dt_user = world.people["designated_teacher"]
    html = _render("meetings/includes/pep_meeting.html", dt_user, pep=pep, pep_access=get_pep_for(dt_user, pep.pk))
    assert reverse("meeting_schedule", args=[pep.pk]) in html


def _held_meeting(world, held_on: dt.date, format_: str):
    pep = make_pep(world.child, status=Pep.Status.APPROVED, meeting_held_on=held_on)
    return Meeting.objects.create(pep=pep, starts_at=london(held_on), format=format_, location="x",
                                  chair=world.people["designated_teacher"], status=Meeting.Status.HELD,
                                  held_on=held_on, next_meeting_on=held_on + dt.timedelta(days=100))


def _days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def test_the_childs_page_shows_the_last_face_to_face_meeting(world):
    # The last four terms always reach back at least a year, so 150 days ago is inside them.
    _held_meeting(world, _days_ago(150), "in_school")
    _held_meeting(world, _days_ago(20), "online")
    html = _render("meetings/includes/child_meetings.html", world.people["social_worker"], child=world.child)
    assert date_format(_days_ago(150), "j F Y") in html
    assert "No face-to-face PEP meeting in the last four terms" not in html


def test_the_childs_page_flags_no_face_to_face_meeting_in_four_terms(world):
    # The last four terms never reach back more than 16 months, so 600 days ago is before them.
    world.child.care_episodes.update(entered_care_on=_days_ago(900))
    _held_meeting(world, _days_ago(600), "in_school")
    _held_meeting(world, _days_ago(20), "online")
    html = _render("meetings/includes/child_meetings.html", world.people["social_worker"], child=world.child)
    assert "No face-to-face PEP meeting in the last four terms" in html
    assert date_format(_days_ago(600), "j F Y") in html


def test_a_child_new_to_care_is_not_flagged(world):
    world.child.care_episodes.update(entered_care_on=_days_ago(30))
    html = _render("meetings/includes/child_meetings.html", world.people["social_worker"], child=world.child)
    assert "No face-to-face PEP meeting" not in html
    assert "None recorded" in html


@pytest.mark.parametrize("day, expected", [
    (dt.date(2026, 11, 20), ("spring", dt.date(2027, 1, 1), dt.date(2027, 3, 31))),
    # August is summer (core.calendar), so the default summer term runs to 31 August.
    (dt.date(2027, 2, 1), ("summer", dt.date(2027, 4, 1), dt.date(2027, 8, 31))),
    (dt.date(2027, 5, 1), ("autumn", dt.date(2027, 9, 1), dt.date(2027, 12, 31))),
    (dt.date(2027, 8, 10), ("autumn", dt.date(2027, 9, 1), dt.date(2027, 12, 31))),
])
def test_the_default_next_term(world, day, expected):
    term = school_calendar.next_term(day, calendar_for(world.la))
    assert (term.name, term.starts_on, term.ends_on) == expected


@pytest.mark.parametrize("today, expected", [
    # Autumn 2026 and the three terms before it: autumn 2025, spring 2026, summer 2026.
    (dt.date(2026, 11, 22), dt.date(2025, 9, 1)),
    (dt.date(2027, 2, 1), dt.date(2026, 1, 1)),
    (dt.date(2027, 5, 1), dt.date(2026, 4, 1)),
    (dt.date(2027, 8, 15), dt.date(2026, 4, 1)),
])
def test_the_last_four_terms_by_the_default_pattern(world, today, expected):
    assert school_calendar.four_terms_start(today, calendar_for(world.la)) == expected
