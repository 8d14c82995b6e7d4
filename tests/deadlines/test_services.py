"""The daily run and the writes: who is told what, once (the outbox itself: tests/core)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import calendar as school_calendar
from core.models import AuditEvent, Outbox
from deadlines import services
from deadlines.engine import compute_deadlines
from deadlines.models import ConcernRequest, DeadlineSettings, Notice, TermDates
from peps.models import Pep
from tests.deadlines.factories import ConcernRequestFactory, PepFactory, child_in_care, la_with_calendar, school_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def _audit_count(**filters) -> int:
    return AuditEvent.objects.filter(**filters).count()


# --- flag_overdue -------------------------------------------------------------------------------


def test_the_daily_run_sends_each_person_one_digest_and_the_virtual_school_one_overdue_notice(
        world, django_capture_on_commit_callbacks):
    # Ruby and Otto entered care in 2024 and have never had a PEP meeting: both initial
    # PEPs are overdue.
    with django_capture_on_commit_callbacks(execute=True):
        result = services.flag_overdue(today=MONDAY)
    people = world.people
    digests = {m.to[0] for m in mail.outbox if m.subject.startswith("PEP deadlines")}
    assert digests == {people[p].email for p in (
        "social_worker", "designated_teacher", "vs_officer", "outsider_social_worker",
        "outsider_designated_teacher")}
    overdue = [m for m in mail.outbox if "became overdue" in m.subject]
    assert [m.to[0] for m in overdue] == [people["vs_officer"].email]
    assert overdue[0].subject == "2 PEP deadlines became overdue"
    assert (result.digests, result.overdue_notices, result.overdue) == (5, 2, 2)
    assert Outbox.objects.filter(sent_at__isnull=False).count() == 6


def test_a_digest_lists_only_the_persons_children_with_links_and_no_names(world,
                                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_overdue(today=MONDAY)
    body = next(m.body for m in mail.outbox if m.to == [world.people["social_worker"].email])
    assert world.child.la_reference in body and world.other_child.la_reference not in body
    assert f"/children/{world.child.pk}/" in body and "/deadlines/" in body
    assert "Ruby" not in body and "Testchild" not in body
    assert "Initial PEP" in body and "Overdue" in body


def test_running_the_daily_job_twice_sends_nothing_twice(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_overdue(today=MONDAY)
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.flag_overdue(today=MONDAY)
    assert (second.digests, second.overdue_notices) == (0, 0)
    assert len(mail.outbox) == sent
    # The next day brings a new digest, but the Virtual School is not told again.
    with django_capture_on_commit_callbacks(execute=True):
        third = services.flag_overdue(today=MONDAY + dt.timedelta(days=1))
    assert (third.digests, third.overdue_notices) == (5, 0)


def test_the_daily_run_writes_one_audit_event(world):
    before = _audit_count(object_type="timeliness.flag_overdue")
    services.flag_overdue(today=MONDAY)
    assert _audit_count(object_type="timeliness.flag_overdue") == before + 1


def test_nobody_is_emailed_when_nothing_is_due(world, django_capture_on_commit_callbacks):
    for child in (world.child, world.other_child):
        PepFactory(child=child, kind=Pep.Kind.INITIAL, meeting_held_on=dt.date(2024, 9, 20))
        PepFactory(child=child, meeting_held_on=MONDAY - dt.timedelta(days=7))
    with django_capture_on_commit_callbacks(execute=True):
        result = services.flag_overdue(today=MONDAY)
    assert result.digests == 0 and mail.outbox == []


def test_people_who_left_the_team_or_are_inactive_get_no_digest(world, django_capture_on_commit_callbacks):
    from children import services as child_services

    link = world.child.team.get(user=world.people["social_worker"])
    child_services.team_unlink(actor=world.people["admin_user"], link=link)
    world.people["outsider_designated_teacher"].is_active = False
    world.people["outsider_designated_teacher"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.flag_overdue(today=MONDAY)
    recipients = {m.to[0] for m in mail.outbox}
    assert world.people["social_worker"].email not in recipients
    assert world.people["outsider_designated_teacher"].email not in recipients


def test_the_notice_constraint_refuses_a_second_digest_for_the_same_day(world):
    # The unique constraint is the last line of defence: a Notice already written (by a run
    # that committed in between) makes the later INSERT fail, and the whole run rolls back.
    from django.db import IntegrityError, transaction

    Notice.objects.create(recipient=world.people["vs_officer"], kind=Notice.Kind.DIGEST,
                          deadline_key=Notice.DIGEST_KEY, day=MONDAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Notice.objects.create(recipient=world.people["vs_officer"], kind=Notice.Kind.DIGEST,
                              deadline_key=Notice.DIGEST_KEY, day=MONDAY)


def _populate(la, n: int) -> None:
    school = school_in(la)
    ri = school_in(la, ofsted_rating="requires_improvement")
    sw = UserFactory(local_authority=la)
    for i in range(n):
        child = child_in_care(la, entered=dt.date(2024, 9, 2) if i % 3 else MONDAY - dt.timedelta(days=20),
                              school=ri if i % 4 == 0 else school, placed=dt.date(2024, 9, 2) if i % 3 else None,
                              social_worker=sw)
        if i % 2:
            PepFactory(child=child, meeting_held_on=dt.date(2026, 10, 1))
        if i % 5 == 0:
            PepFactory(child=child, status=Pep.Status.SUBMITTED, meeting_held_on=dt.date(2026, 11, 2))
        if i % 7 == 0:
            ConcernRequestFactory(child=child, requested_on=dt.date(2026, 11, 19))


def test_the_engine_uses_the_same_number_of_queries_for_10_and_200_children():
    small, large = la_with_calendar("SMALL", half_termly_for_ri_schools=True), la_with_calendar("LARGE")
    _populate(small, 10)
    _populate(large, 200)
    counts = []
    for la in (small, large):
        with CaptureQueriesContext(connection) as queries:
            rows = compute_deadlines(today=MONDAY, la_ids=[la.pk])
        counts.append(sum(1 for q in queries if q["sql"].startswith("SELECT")))
        assert rows
    assert counts[0] == counts[1] == 8  # with the LA's INSET and closure days


def test_the_daily_run_uses_the_same_number_of_queries_for_10_and_200_children():
    small = la_with_calendar("SMALL")
    _populate(small, 10)
    with CaptureQueriesContext(connection) as first:
        services.flag_overdue(today=MONDAY)
    Notice.objects.all().delete()
    Outbox.objects.all().delete()
    _populate(la_with_calendar("LARGE"), 190)
    with CaptureQueriesContext(connection) as second:
        services.flag_overdue(today=MONDAY)
    assert len(first) == len(second)


# --- term dates, settings and concern requests ------------------------------------------------------

GOOD_CSV = ("academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
            "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"
            "2026/27,spring,2027-01-04,2027-03-25,2027-02-15,2027-02-19\n")


def test_importing_term_dates_writes_one_audit_event(world):
    before = _audit_count(verb=AuditEvent.Verb.IMPORTED)
    services.term_dates_import(actor=world.people["admin_user"], local_authority=world.la, text=GOOD_CSV)
    assert TermDates.objects.filter(local_authority=world.la).count() == 2
    assert _audit_count(verb=AuditEvent.Verb.IMPORTED) == before + 1


def test_importing_a_term_again_replaces_its_dates(world):
    services.term_dates_import(actor=None, local_authority=world.la, text=GOOD_CSV)
    services.term_dates_import(actor=None, local_authority=world.la, text=GOOD_CSV.replace("2026-12-18", "2026-12-17"))
    assert TermDates.objects.get(local_authority=world.la, term="autumn").ends_on == dt.date(2026, 12, 17)


def test_a_term_overlapping_one_already_loaded_is_refused_and_nothing_changes(world):
    services.term_dates_import(actor=None, local_authority=world.la, text=GOOD_CSV)
    clash = GOOD_CSV.splitlines()[0] + "\n2026/27,summer,2027-03-01,2027-07-20,2027-05-03,2027-05-07\n"
    with pytest.raises(school_calendar.TermDatesError) as caught:
        services.term_dates_import(actor=None, local_authority=world.la, text=clash)
    assert "overlaps the spring 2026/27 term" in str(caught.value)
    assert TermDates.objects.filter(local_authority=world.la).count() == 2


def test_saving_one_term_writes_one_audit_event_and_refuses_an_impossible_term(world):
    row = services.term_dates_import(actor=None, local_authority=world.la, text=GOOD_CSV)[0]
    before = AuditEvent.objects.count()
    services.term_dates_save(actor=world.people["admin_user"], local_authority=world.la, term_dates=row,
                             ends_on=dt.date(2026, 12, 17))
    assert AuditEvent.objects.count() == before + 1
    with pytest.raises(ValidationError):
        services.term_dates_save(actor=world.people["admin_user"], local_authority=world.la, term_dates=row,
                                 half_term_starts_on=dt.date(2027, 1, 5), half_term_ends_on=dt.date(2027, 1, 6))


def test_updating_the_deadline_settings_writes_one_audit_event(world):
    before = AuditEvent.objects.count()
    services.deadline_settings_update(actor=world.people["admin_user"], local_authority=world.la,
                                      count_school_days=True, post16_pattern="staffordshire")
    assert DeadlineSettings.objects.get(local_authority=world.la).count_school_days
    assert AuditEvent.objects.count() == before + 1


def test_a_concern_request_writes_one_audit_event_and_tells_the_virtual_school(world,
                                                                            django_capture_on_commit_callbacks):
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.concern_request_create(actor=world.people["social_worker"], child=world.child,
                                                  reason="Not attending since half-term")
    assert AuditEvent.objects.count() == before + 1
    assert ConcernRequest.objects.get().reason == "Not attending since half-term"
    assert [m.to for m in mail.outbox] == [[world.people["vs_officer"].email]]
    assert "Not attending" not in mail.outbox[0].body and world.child.la_reference in mail.outbox[0].body
    assert request.requested_on == timezone.localdate()


def test_a_concern_request_needs_a_reason(world):
    with pytest.raises(ValidationError):
        services.concern_request_create(actor=world.people["social_worker"], child=world.child, reason="  ")
    assert ConcernRequest.objects.count() == 0
