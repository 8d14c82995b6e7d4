"""Term dates as councils publish them: DD/MM/YYYY, INSET and closure days, .ics, 190 school days."""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import TermDatesError, parse_calendar_csv
from deadlines.models import DayOff, TermDates
from deadlines.selectors import calendar_for
from imports import services
from imports.termdates import TEMPLATE_CSV, parse_ics

# A published year: the term weekdays less half-terms, bank holidays, 4 INSET days and a polling-day closure.
YEAR_CSV = (
    "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on,description\n"
    "2025/26,autumn,01/09/2025,19/12/2025,27/10/2025,31/10/2025,\n"
    "2025/26,spring,05/01/2026,27/03/2026,16/02/2026,20/02/2026,\n"
    "2025/26,summer,13/04/2026,20/07/2026,25/05/2026,29/05/2026,\n"
    "2025/26,INSET,01/09/2025,02/09/2025,,,Staff training\n"
    "2025/26,inset day,05/01/2026,,,,Staff training\n"
    "2025/26,Training day,13/04/2026,,,,\n"
    "2025/26,closure,07/05/2026,,,,Polling station\n"
)

ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Council//Term dates//EN\r
BEGIN:VEVENT\r
UID:1@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Autumn term\r
DTSTART;VALUE=DATE:20250901\r
DTEND;VALUE=DATE:20251220\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Half term\r
DTSTART;VALUE=DATE:20251027\r
DTEND;VALUE=DATE:20251101\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:3@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:INSET day\r
DTSTART;VALUE=DATE:20250901\r
DTEND;VALUE=DATE:20250903\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:4@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Spring term starts\r
DTSTART;VALUE=DATE:20260105\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:5@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Spring term ends\r
DTSTART;VALUE=DATE:20260327\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:6@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Spring half-term holiday\r
DTSTART;VALUE=DATE:20260216\r
DTEND;VALUE=DATE:20260221\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:7@council\r
DTSTAMP:20250101T000000Z\r
SUMMARY:Christmas holiday\r
DTSTART;VALUE=DATE:20251222\r
DTEND;VALUE=DATE:20260105\r
END:VEVENT\r
END:VCALENDAR\r
"""


def test_a_published_year_with_inset_days_has_190_school_days(world):
    services.term_dates_file_import(actor=None, local_authority=world.la, data=YEAR_CSV.encode())
    calendar = calendar_for(world.la)
    assert sum(calendar.school_days_in(t) for t in calendar.terms) == 190
    assert not calendar.is_school_day(dt.date(2025, 9, 2)) and calendar.is_school_day(dt.date(2025, 9, 3))
    assert DayOff.objects.get(local_authority=world.la, day=dt.date(2026, 5, 7)).kind == "closure"


def test_reloading_the_same_file_writes_no_audit_event(world):
    from core.models import AuditEvent

    services.term_dates_file_import(actor=None, local_authority=world.la, data=YEAR_CSV.encode())
    count = AuditEvent.objects.count()
    services.term_dates_file_import(actor=None, local_authority=world.la, data=YEAR_CSV.encode())
    assert AuditEvent.objects.count() == count


def test_iso_and_dd_mm_yyyy_dates_are_the_same():
    iso, _ = parse_calendar_csv("academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
                                "2025/26,autumn,2025-09-01,2025-12-19,2025-10-27,2025-10-31\n")
    dmy, _ = parse_calendar_csv("academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
                                "2025/26,autumn,1/9/2025,19/12/2025,27/10/2025,31/10/2025\n")
    assert iso == dmy


def test_a_bad_inset_row_is_reported_with_its_line():
    with pytest.raises(TermDatesError) as caught:
        parse_calendar_csv("academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
                           "2025/26,inset,31/09/2025,,,\n")
    assert caught.value.errors[0][0] == 2 and "not a real date" in caught.value.errors[0][1]


def test_an_ics_file_gives_terms_half_terms_and_inset_days(world):
    terms, days_off = parse_ics(ICS)
    assert [(t.name, t.starts_on, t.half_term_starts_on) for t in terms] == [
        ("autumn", dt.date(2025, 9, 1), dt.date(2025, 10, 27)), ("spring", dt.date(2026, 1, 5), dt.date(2026, 2, 16))]
    assert terms[0].ends_on == dt.date(2025, 12, 19)  # DTEND is the day after
    assert [d for span in days_off for d in span.days()] == [dt.date(2025, 9, 1), dt.date(2025, 9, 2)]
    services.term_dates_file_import(actor=None, local_authority=world.la, data=ICS, filename="terms.ics")
    assert TermDates.objects.filter(local_authority=world.la).count() == 2


def test_a_term_without_a_half_term_in_an_ics_is_refused():
    text = ICS.replace(b"SUMMARY:Half term", b"SUMMARY:Staff party")
    with pytest.raises(TermDatesError, match="no half-term"):
        parse_ics(text)


def test_the_template_loads_as_it_is(world):
    terms, days_off = parse_calendar_csv(TEMPLATE_CSV)
    assert len(terms) == 3 and sum(len(s.days()) for s in days_off) == 4
