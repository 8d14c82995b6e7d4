"""The operators' commands: pep_deadlines, flag_overdue, import_term_dates, beat_schedule_sync."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from deadlines.models import Notice, TermDates
from peps.models import Pep
from tests.deadlines.factories import PepFactory, child_in_care, la_with_calendar, school_in

pytestmark = pytest.mark.django_db

HEADER = "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_pep_deadlines_prints_a_csv_of_every_current_deadline():
    la = la_with_calendar("CSV")
    school = school_in(la)
    settled = child_in_care(la, entered=dt.date(2024, 9, 2), school=school, placed=dt.date(2024, 9, 2), ref="A001")
    PepFactory(child=settled, meeting_held_on=dt.date(2026, 10, 5))
    child_in_care(la, entered=dt.date(2026, 11, 2), school=school, ref="B002")
    waiting = child_in_care(la, entered=dt.date(2024, 9, 2), school=school, placed=dt.date(2024, 9, 2), ref="C003")
    PepFactory(child=waiting, status=Pep.Status.SUBMITTED, meeting_held_on=dt.date(2026, 11, 2))
    output = run("pep_deadlines", "--la", "CSV", "--today", "2026-11-23", "--format", "csv")
    assert output == (
        "child_ref,kind,due_on,status\n"
        "A001,qa,2026-10-19,met\n"
        "A001,termly,2026-12-18,met\n"
        "B002,initial,2026-11-30,due_soon\n"
        "C003,qa,2026-11-16,overdue\n"
        "C003,termly,2026-12-18,met\n"
    )


def test_pep_deadlines_refuses_an_unknown_la_and_a_bad_date():
    la_with_calendar("OK1")
    with pytest.raises(CommandError, match='No local authority has the code "NOPE"'):
        run("pep_deadlines", "--la", "NOPE")
    with pytest.raises(CommandError, match="is not a date"):
        run("pep_deadlines", "--la", "OK1", "--today", "23/11/2026")


def test_flag_overdue_reports_what_it_did_and_a_second_run_sends_nothing(world):
    first = run("flag_overdue", "--today", "2026-11-23")
    assert "2 overdue" in first and "5 digests and 2 overdue notices queued" in first
    second = run("flag_overdue", "--today", "2026-11-23")
    assert "0 digests and 0 overdue notices queued" in second
    assert Notice.objects.count() == 7


def test_import_term_dates_loads_a_good_file(tmp_path, world):
    path = tmp_path / "terms.csv"
    path.write_text(HEADER + "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n")
    assert "Imported 1 terms" in run("import_term_dates", str(path), "--la", "TEST")
    assert TermDates.objects.filter(local_authority=world.la).count() == 1


def test_import_term_dates_reports_every_bad_row_and_imports_nothing(tmp_path, world):
    path = tmp_path / "terms.csv"
    path.write_text(HEADER
                    + "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"
                    + "2026/27,spring,2027-01-04,2027-13-25,2027-02-15,2027-02-19\n"
                    + "2026/27,winter,2027-04-12,2027-07-21,2027-05-31,2027-06-04\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: the file has 2 problem"):
        call_command("import_term_dates", str(path), "--la", "TEST", stdout=StringIO(), stderr=err)
    assert "line 3: ends_on" in err.getvalue() and 'line 4: unknown term "winter"' in err.getvalue()
    assert TermDates.objects.count() == 0


def test_import_term_dates_refuses_an_unknown_la(tmp_path, db):
    path = tmp_path / "terms.csv"
    path.write_text(HEADER)
    with pytest.raises(CommandError, match="No local authority"):
        run("import_term_dates", str(path), "--la", "NOPE")


def test_the_beat_schedule_runs_flag_overdue_at_six_london_time_and_sweeps_every_minute(db):
    from django_celery_beat.models import PeriodicTask

    run("beat_schedule_sync")
    run("beat_schedule_sync")  # Idempotent: updates, never duplicates.
    daily = PeriodicTask.objects.get(name="flag-overdue-pep-deadlines")
    assert daily.task == "timeliness.flag_overdue"
    assert (daily.crontab.minute, daily.crontab.hour, str(daily.crontab.timezone)) == ("0", "6", "Europe/London")
    sweep = PeriodicTask.objects.get(name="outbox-sweep")
    assert (sweep.task, sweep.crontab.minute, sweep.crontab.hour) == ("timeliness.outbox_sweep", "*", "*")
    assert PeriodicTask.objects.filter(name__in=["flag-overdue-pep-deadlines", "outbox-sweep"]).count() == 2


def test_the_tasks_are_at_least_once():
    from core import tasks as core_tasks
    from deadlines import tasks

    for task in (tasks.flag_overdue, core_tasks.deliver_outbox, core_tasks.outbox_sweep):
        assert task.acks_late and task.reject_on_worker_lost


def test_the_beat_schedule_rolls_the_kept_deadline_status_after_midnight(db):
    from django_celery_beat.models import PeriodicTask

    from deadlines import tasks

    run("beat_schedule_sync")
    nightly = PeriodicTask.objects.get(name="deadline-status-nightly")
    assert nightly.task == "timeliness.deadline_status_nightly"
    assert (nightly.crontab.minute, nightly.crontab.hour) == ("5", "0")
    assert tasks.deadline_status_nightly.acks_late and tasks.deadline_status_nightly.reject_on_worker_lost


def test_deadlines_roll_keeps_every_la_for_today_and_refuses_an_unknown_la(world):
    from io import StringIO

    from django.core.management import CommandError
    from django.utils import timezone

    from deadlines.models import DeadlineStatus, DeadlineStatusDay

    assert not DeadlineStatusDay.objects.exists()
    out = StringIO()
    call_command("deadlines_roll", stdout=out)
    days = set(DeadlineStatusDay.objects.values_list("day", flat=True))
    assert days == {timezone.localdate()}
    assert f"{DeadlineStatus.objects.count()} deadlines" in out.getvalue()
    assert DeadlineStatus.objects.exists()
    with pytest.raises(CommandError, match="No local authority"):
        call_command("deadlines_roll", "--la", "NOPE")
