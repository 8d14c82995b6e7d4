"""The kept per-child deadline status (deadlines.status): every write to an input, through
its service, leaves the table equal to a fresh recompute by the engine; the readers, the
daily run and the drift command read it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from children import services as child_services
from children.models import CareEpisode
from core import calendar as school_calendar
from core.roles import Role
from deadlines import selectors, services, status
from deadlines.models import DeadlineStatus, DeadlineStatusDay, TermDates
from education import services as education_services
from imports import services as import_services
from meetings import services as meeting_services
from meetings.models import Meeting
from peps.models import Pep
from peps.services import workflow
from targets import services as target_services
from tests.deadlines.factories import PepFactory, child_in_care, la_with_calendar, school_in
from tests.factories import UserFactory
from tests.imports.gias_files import gias_bytes, row
from tests.peps.factories import complete_sections
from tests.targets.factories import target_fields

pytestmark = pytest.mark.django_db


def _stored(la) -> list[tuple]:
    return sorted(DeadlineStatus.objects.filter(local_authority_id=la.pk).values_list(*status.COLUMNS), key=repr)


def _expected(la, today) -> list[tuple]:
    return sorted((status._row(d) for d in status.compute(today, la_ids=[la.pk])), key=repr)


def _assert_kept(la, today, *, kinds: set[str] | None = None) -> list[tuple]:
    stored = _stored(la)
    assert stored, "the table is empty: nothing would be compared"
    assert stored == _expected(la, today)
    assert status.drift(la_ids=[la.pk]) == []
    if kinds:
        assert kinds <= {r[3] for r in stored}, {r[3] for r in stored}
    return stored


@pytest.fixture
def kept():
    """An LA with its calendar, a school, a social worker, an admin and two children in
    care, rolled for today so that its deadline status is kept."""
    today = timezone.localdate()
    la = la_with_calendar("KEEP")
    school = school_in(la, urn="990001", name="Keep Academy")
    sw = UserFactory(local_authority=la, role=Role.SOCIAL_WORKER)
    admin = UserFactory(local_authority=la, role=Role.LA_ADMIN)
    settled = child_in_care(la, entered=today - dt.timedelta(days=600), school=school, social_worker=sw)
    arrived = child_in_care(la, entered=today - dt.timedelta(days=5), school=school, social_worker=sw)
    result = status.roll(today=today)
    assert result.local_authorities == 1 and DeadlineStatusDay.objects.get(local_authority=la).day == today
    return la, school, sw, admin, settled, arrived, today


def test_every_input_written_through_its_service_keeps_the_table_equal_to_a_recompute(kept):
    la, school, sw, admin, settled, arrived, today = kept
    _assert_kept(la, today, kinds={"initial"})

    # A care episode: a new child enters care.
    newcomer = child_services.child_create(actor=admin, local_authority=la, la_reference="KEEP-NEW",
                                           first_name="Nia", last_name="New", date_of_birth=dt.date(2014, 2, 3))
    child_services.care_episode_start(actor=admin, child=newcomer, entered_care_on=today - dt.timedelta(days=2))
    child_services.placement_start(actor=admin, child=newcomer, school=school, year_group=7,
                                   started_on=today - dt.timedelta(days=2))
    assert newcomer.pk in {r[0] for r in _assert_kept(la, today)}

    # A placement: a change of school.
    other = school_in(la, urn="990002", name="Elsewhere High")
    placement = settled.placements.get(ended_on__isnull=True)
    child_services.placement_end(actor=admin, placement=placement, ended_on=today - dt.timedelta(days=3))
    child_services.placement_start(actor=admin, child=settled, school=other, year_group=9,
                                   started_on=today - dt.timedelta(days=2))
    _assert_kept(la, today, kinds={"change_of_school"})

    # A PEP, its meeting held, then its status (submitted: QA due; approved: QA met).
    pep = workflow.pep_start(actor=None, child=arrived, kind=Pep.Kind.INITIAL)
    _assert_kept(la, today)
    # Scheduled in the past (the service only schedules future meetings), then recorded by its service.
    next_term = school_calendar.next_term(today - dt.timedelta(days=1), school_calendar.calendar_of(la))
    meeting = Meeting.objects.create(pep=pep, starts_at=timezone.now() - dt.timedelta(days=1), format="in_school",
                                     chair=sw)
    meeting_services.meeting_record(actor=None, meeting=meeting, held_on=today - dt.timedelta(days=1),
                                    child_participation="attended", going_well="Reading", difficulties="None",
                                    support_in_place="Tutor", pp_plus_impact="Tuition helped",
                                    next_meeting_on=next_term.starts_on + dt.timedelta(days=7))
    stored = _assert_kept(la, today)
    assert any(r[0] == arrived.pk and r[3] == "initial" and r[7] == today - dt.timedelta(days=1) for r in stored)
    complete_sections(pep)
    target_services.target_add(actor=None, pep=pep, **target_fields())
    pep.refresh_from_db()
    workflow.pep_submit(actor=None, pep=pep)
    assert any(r[0] == arrived.pk and r[3] == "qa" and r[7] is None for r in _assert_kept(la, today))
    pep.refresh_from_db()
    workflow.pep_approve(actor=None, pep=pep)
    assert any(r[0] == arrived.pk and r[3] == "qa" and r[8] == "met" for r in _assert_kept(la, today))

    # A concern review asked for.
    services.concern_request_create(actor=sw, child=settled, reason="Not attending")
    _assert_kept(la, today, kinds={"concern"})

    # The LA's term dates: the current term ends a day earlier.
    term = TermDates.objects.filter(local_authority=la, starts_on__lte=today).order_by("-starts_on").first()
    services.term_dates_save(actor=admin, local_authority=la, term_dates=term,
                             ends_on=term.ends_on - dt.timedelta(days=1))
    _assert_kept(la, today)

    # The LA's deadline settings, then the school's Ofsted rating (GIAS): half-termly reviews.
    services.deadline_settings_update(actor=admin, local_authority=la, half_termly_for_ri_schools=True,
                                      count_school_days=True)
    _assert_kept(la, today)
    import_services.gias_import(actor=None, data=gias_bytes([
        row(other.urn, other.name, rating="Requires improvement"), row(school.urn, "Keep Academy Trust")]))
    stored = _assert_kept(la, today)
    if any(r[0] == settled.pk and r[3] in ("termly", "half_termly") for r in stored):  # in term time
        assert any(r[0] == settled.pk and r[3] == "half_termly" for r in stored)

    # The education record: a part-time timetable and an EHCP.
    education_services.part_time_timetable_save(
        actor=None, child=settled, school=other, starts_on=today - dt.timedelta(days=20), ends_on=None,
        hours_per_week=Decimal("15"), review_on=today - dt.timedelta(days=1), reason="")
    education_services.sen_status_save(
        actor=None, child=arrived, status="ehcp", starts_on=today, primary_need="ASD",
        ehcp_started_on=today - dt.timedelta(days=400), maintaining_la=la, last_annual_review_on=None,
        next_annual_review_on=None)
    _assert_kept(la, today, kinds={"part_time_review", "ehcp_review"})
    # Section B writes the record's SEN status inside the section's own event: SEN support
    # instead of the EHCP ends the EHCP's review.
    from peps.services.sections import section_save

    b = workflow.pep_start(actor=None, child=arrived, kind=Pep.Kind.TERMLY).sections.get(letter="B")
    section_save(actor=None, section=b, data={**(b.data or {}), "sen_status": "sen_support"}, version=b.version)
    assert not [r for r in _assert_kept(la, today) if r[0] == arrived.pk and r[3] == "ehcp_review"]

    # The child's own record (date of birth), and a child leaving care.
    child_services.child_update(actor=admin, child=newcomer, date_of_birth=dt.date(2013, 2, 3))
    _assert_kept(la, today)
    episode = CareEpisode.objects.get(child=newcomer)
    child_services.care_episode_end(actor=admin, episode=episode, left_care_on=today)
    assert newcomer.pk not in {r[0] for r in _assert_kept(la, today)}


def test_a_write_that_fails_leaves_the_table_as_it_was(kept):
    la, school, sw, admin, settled, arrived, today = kept
    before = _stored(la)
    with pytest.raises(RuntimeError), transaction.atomic():
        child_services.care_episode_end(actor=admin, episode=CareEpisode.objects.get(child=settled),
                                        left_care_on=today)
        assert _stored(la) != before  # refreshed inside the writer's transaction
        raise RuntimeError
    assert _stored(la) == before


def test_an_la_never_rolled_is_answered_by_the_engine_and_keeps_no_rows(db):
    today = timezone.localdate()
    la = la_with_calendar("NEVER")
    child = child_in_care(la, entered=today - dt.timedelta(days=600), school=school_in(la))
    assert not DeadlineStatus.objects.exists()  # its writes kept nothing: the LA has no day
    engine = sorted((d for d in status.compute(today, la_ids=[la.pk]) if d.child_id == child.pk),
                    key=lambda d: (d.due_on, d.kind))
    assert engine
    assert [d.key for d in selectors.deadlines_for_child(child)] == [d.key for d in engine]


def test_the_readers_read_the_table_in_a_fixed_few_queries(kept):
    la, school, sw, admin, settled, arrived, today = kept
    vs = UserFactory(local_authority=la, role=Role.VIRTUAL_SCHOOL)
    engine = sorted(d.key for d in status.compute(today, la_ids=[la.pk]))
    with CaptureQueriesContext(connection) as ctx:
        rows = selectors.deadlines_for_user(vs)
    assert sorted(d.key for d in rows) == engine
    assert len(ctx.captured_queries) == 2  # the LA's day, the rows
    with CaptureQueriesContext(connection) as ctx:
        mine = selectors.deadlines_for_child(settled)
    assert len(ctx.captured_queries) == 2
    assert [d.key for d in mine] == [d.key for d in sorted(
        (d for d in status.compute(today, la_ids=[la.pk]) if d.child_id == settled.pk),
        key=lambda d: (d.due_on, d.kind))]
    # A write shows at once: there is no cache to wait for.
    services.concern_request_create(actor=sw, child=settled, reason="Worried")
    assert any(d.kind == "concern" for d in selectors.deadlines_for_child(settled))
    # Asked about another day, the engine answers.
    other_day = today - dt.timedelta(days=1)
    assert sorted(d.key for d in selectors.deadlines_for_la(la, today=other_day)) == sorted(
        d.key for d in status.compute(other_day, la_ids=[la.pk]))


def test_the_daily_run_reads_the_table_and_sends_the_records_reviews_too(kept, django_capture_on_commit_callbacks):
    la, school, sw, admin, settled, arrived, today = kept
    education_services.part_time_timetable_save(
        actor=None, child=settled, school=school, starts_on=today - dt.timedelta(days=40), ends_on=None,
        hours_per_week=Decimal("10"), review_on=today - dt.timedelta(days=2), reason="")
    education_services.sen_status_save(
        actor=None, child=arrived, status="ehcp", starts_on=today, primary_need="ASD",
        ehcp_started_on=today - dt.timedelta(days=400), maintaining_la=la, last_annual_review_on=None,
        next_annual_review_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.flag_overdue(today=today)
    body = next(m.body for m in mail.outbox if m.to == [sw.email])
    assert "Part-time timetable review" in body and "EHCP annual review" in body
    assert result.deadlines == DeadlineStatus.objects.count()


def test_the_drift_command_reports_a_write_that_missed_the_table_and_fix_mends_it(kept):
    la, school, sw, admin, settled, arrived, today = kept
    call_command("deadlines_drift")  # nothing to report
    # A PEP meeting written straight to the database, past every service (and so the table).
    PepFactory(child=settled, kind=Pep.Kind.TERMLY, meeting_held_on=today - dt.timedelta(days=1),
               status=Pep.Status.SUBMITTED)
    with pytest.raises(SystemExit) as exited:
        call_command("deadlines_drift")
    assert exited.value.code == 1
    with pytest.raises(SystemExit):
        call_command("deadlines_drift", "--fix")
    call_command("deadlines_drift")
    assert _stored(la) == _expected(la, today)


def test_the_nightly_task_rolls_every_la_to_the_new_day(kept):
    la, school, sw, admin, settled, arrived, today = kept
    tomorrow = today + dt.timedelta(days=1)
    result = status.nightly(today=tomorrow)
    assert result["drifted_local_authorities"] == 0 and result["local_authorities"] == 1
    assert DeadlineStatusDay.objects.get(local_authority=la).day == tomorrow
    assert _stored(la) == _expected(la, tomorrow)


def test_other_writes_do_not_touch_the_table(kept):
    la, school, sw, admin, settled, arrived, today = kept
    carer = UserFactory(local_authority=la, role=Role.CARER)
    with CaptureQueriesContext(connection) as ctx:
        child_services.team_link(actor=admin, child=settled, user=carer, role=Role.CARER)
    assert not [q for q in ctx.captured_queries if "timeliness_deadlinestatus" in q["sql"]]
