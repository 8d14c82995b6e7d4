"""Deadline arithmetic checked against a real calendar.

Every expected date below was counted by hand from a printed calendar (counting is
written out in the comments) and cross-checked against the England and Wales bank
holidays; none was copied from the code's own output.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.calendar import (
    SchoolCalendar,
    Term,
    TermDatesError,
    add_school_days,
    add_working_days,
    bank_holidays,
    is_working_day,
    parse_term_dates_csv,
    working_days_between,
)

EXAMPLE_CSV = Path("/work/shared/data/term-dates-example.csv")

HEADER = "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"

# The same dates as the shared example file, inline so the tests do not depend on it.
TERM_DATES_CSV = HEADER + (
    "2025/26,autumn,2025-09-03,2025-12-19,2025-10-27,2025-10-31\n"
    "2025/26,spring,2026-01-05,2026-03-27,2026-02-16,2026-02-20\n"
    "2025/26,summer,2026-04-13,2026-07-22,2026-05-25,2026-05-29\n"
    "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"
    "2026/27,spring,2027-01-04,2027-03-25,2027-02-15,2027-02-19\n"
    "2026/27,summer,2027-04-12,2027-07-21,2027-05-31,2027-06-04\n"
    "2027/28,autumn,2027-09-01,2027-12-17,2027-10-25,2027-10-29\n"
    "2027/28,spring,2028-01-04,2028-04-07,2028-02-14,2028-02-18\n"
    "2027/28,summer,2028-04-24,2028-07-21,2028-05-29,2028-06-02\n"
)


@pytest.fixture
def calendar() -> SchoolCalendar:
    return SchoolCalendar(parse_term_dates_csv(TERM_DATES_CSV))


# --- bank holidays ---------------------------------------------------------------------


def test_it_lists_the_2026_bank_holidays_on_weekdays():
    assert bank_holidays([2026]) == {
        date(2026, 1, 1),  # Thu New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # early May
        date(2026, 5, 25),  # late May (spring)
        date(2026, 8, 31),  # August (late summer)
        date(2026, 12, 25),  # Fri Christmas Day
        date(2026, 12, 28),  # Mon, substitute for Boxing Day (Sat 26th)
    }


def test_it_drops_weekend_holidays_but_keeps_their_weekday_substitutes_in_2027():
    holidays_2027 = bank_holidays((2027,))
    assert date(2027, 12, 25) not in holidays_2027  # Saturday
    assert date(2027, 12, 26) not in holidays_2027  # Sunday
    assert date(2027, 12, 27) in holidays_2027  # Monday, for Christmas Day
    assert date(2027, 12, 28) in holidays_2027  # Tuesday, for Boxing Day


def test_it_treats_the_new_year_substitute_in_2028_as_a_bank_holiday():
    # 1 January 2028 is a Saturday; Monday 3 January is the day off.
    assert not is_working_day(date(2028, 1, 3))
    assert is_working_day(date(2028, 1, 4))


def test_it_gives_the_same_answer_however_the_years_are_passed():
    assert bank_holidays([2027, 2026]) == bank_holidays((2026, 2027, 2026))


# --- working days ----------------------------------------------------------------------


def test_it_counts_weekdays_as_working_days_and_weekends_not():
    assert is_working_day(date(2026, 4, 2))  # Thursday
    assert not is_working_day(date(2026, 4, 4))  # Saturday
    assert not is_working_day(date(2026, 4, 5))  # Sunday


def test_it_skips_good_friday_and_easter_monday():
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    # Thu 2 April + 1: Fri 3 (Good Friday), Sat, Sun, Mon 6 (Easter Monday) -> Tue 7.
    assert add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)


def test_it_gives_twenty_working_days_across_easter_2026():
    # From Mon 30 March: Tue 31 (1), Wed 1 Apr (2), Thu 2 (3), [Fri 3, Mon 6 off],
    # Tue 7-Fri 10 (4-7), 13-17 (8-12), 20-24 (13-17), Mon 27 (18), Tue 28 (19),
    # Wed 29 April (20).  Ignoring Easter it would have been Mon 27 April.
    assert add_working_days(date(2026, 3, 30), 20) == date(2026, 4, 29)


def test_it_skips_the_early_may_bank_holiday():
    # Fri 1 May 2026 + 1: Sat, Sun, Mon 4 May (bank holiday) -> Tue 5 May.
    assert add_working_days(date(2026, 5, 1), 1) == date(2026, 5, 5)


def test_it_skips_both_may_bank_holidays_in_one_deadline():
    # From Thu 30 April: Fri 1 May (1), [Mon 4 off], Tue 5-Fri 8 (2-5), 11-15 (6-10),
    # 18-22 (11-15), [Mon 25 off], Tue 26-Fri 29 (16-19), Mon 1 June (20).
    assert add_working_days(date(2026, 4, 30), 20) == date(2026, 6, 1)


def test_it_skips_the_late_may_bank_holiday():
    # Fri 22 May 2026 + 1: Sat, Sun, Mon 25 May (bank holiday) -> Tue 26 May.
    assert add_working_days(date(2026, 5, 22), 1) == date(2026, 5, 26)


def test_a_child_entering_care_on_a_bank_holiday_starts_counting_the_next_day():
    # Entered care Mon 25 May 2026 (bank holiday, not counted anyway): Tue 26-Fri 29
    # (1-4), 1-5 June (5-9), 8-12 (10-14), 15-19 (15-19), Mon 22 June (20).
    assert add_working_days(date(2026, 5, 25), 20) == date(2026, 6, 22)


def test_a_child_entering_care_on_a_friday_has_monday_as_day_one():
    # Fri 12 June 2026: Mon 15 June is working day 1; four whole weeks later is
    # Fri 10 July (day 20).  No bank holidays in between.
    assert add_working_days(date(2026, 6, 12), 1) == date(2026, 6, 15)
    assert add_working_days(date(2026, 6, 12), 20) == date(2026, 7, 10)


def test_it_skips_the_august_bank_holiday_for_a_child_entering_care_on_a_friday():
    # Fri 28 Aug 2026: [Mon 31 Aug off], Tue 1-Fri 4 Sept (1-4), 7-11 (5-9),
    # 14-18 (10-14), 21-25 (15-19), Mon 28 Sept (20).
    assert add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    assert add_working_days(date(2026, 8, 28), 20) == date(2026, 9, 28)


def test_it_skips_christmas_day_and_the_boxing_day_substitute_in_2026():
    # Thu 24 Dec 2026 + 1: Fri 25 (Christmas), Sat 26, Sun 27, Mon 28 (substitute
    # for Boxing Day) -> Tue 29 December.
    assert not is_working_day(date(2026, 12, 28))
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)


def test_it_gives_twenty_working_days_across_christmas_and_new_year_2026():
    # From Wed 23 Dec: Thu 24 (1), [25, 28 off], Tue 29-Thu 31 (2-4), [Fri 1 Jan off],
    # Mon 4-Fri 8 Jan (5-9), 11-15 (10-14), 18-22 (15-19), Mon 25 Jan 2027 (20).
    assert add_working_days(date(2026, 12, 23), 20) == date(2027, 1, 25)


def test_it_skips_both_christmas_substitutes_in_2027():
    # Christmas Day and Boxing Day 2027 are Sat and Sun, so Mon 27 and Tue 28 are off.
    # Fri 24 Dec 2027 + 1 -> Wed 29 December.
    assert add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)


def test_it_returns_the_start_date_for_zero_days():
    assert add_working_days(date(2026, 4, 4), 0) == date(2026, 4, 4)  # even a Saturday


def test_it_refuses_a_negative_number_of_working_days():
    with pytest.raises(ValueError):
        add_working_days(date(2026, 4, 2), -1)


def test_days_waiting_counts_after_the_start_up_to_and_including_the_end():
    # Fri 22 May to Tue 26 May 2026: Mon 25 is a bank holiday, so only Tue 26.
    assert working_days_between(date(2026, 5, 22), date(2026, 5, 26)) == 1
    assert working_days_between(date(2026, 5, 22), date(2026, 5, 22)) == 0
    # Thu 24 Dec 2026 to Mon 4 Jan 2027: Tue 29, Wed 30, Thu 31, Mon 4 = 4.
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4


def test_days_waiting_is_negative_when_the_end_is_before_the_start():
    assert working_days_between(date(2026, 5, 26), date(2026, 5, 22)) == -1


def test_days_waiting_over_a_whole_year_matches_the_calendar():
    # 2026 starts on a Thursday and has 365 days: 52 weeks (260 weekdays) plus
    # Thu 31 Dec = 261 weekdays, less 8 weekday bank holidays = 253.
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 253


def test_days_waiting_agrees_with_adding_working_days():
    start = date(2026, 3, 30)
    assert working_days_between(start, add_working_days(start, 20)) == 20


# --- terms and the school calendar -----------------------------------------------------


def test_a_term_knows_its_two_halves(calendar):
    autumn = calendar.term_on(date(2026, 9, 2))
    assert autumn is not None
    assert (autumn.academic_year, autumn.name) == ("2026/27", "autumn")
    assert autumn.first_half.starts_on == date(2026, 9, 2)
    assert autumn.first_half.ends_on == date(2026, 10, 25)  # day before half-term
    assert autumn.second_half.starts_on == date(2026, 10, 31)  # day after half-term
    assert autumn.second_half.ends_on == date(2026, 12, 18)


def test_a_half_term_date_belongs_to_its_term_but_is_not_a_school_day(calendar):
    wednesday_of_half_term = date(2026, 10, 28)
    term = calendar.term_on(wednesday_of_half_term)
    assert term is not None and term.label == "autumn 2026/27"
    assert not calendar.is_school_day(wednesday_of_half_term)


def test_a_date_in_the_christmas_holiday_is_in_no_term(calendar):
    assert calendar.term_on(date(2026, 12, 25)) is None
    assert calendar.term_on(date(2026, 12, 21)) is None  # Monday after term ends
    next_term = calendar.next_term_after(date(2026, 12, 25))
    assert next_term is not None and next_term.label == "spring 2026/27"


def test_a_bank_holiday_in_term_time_is_not_a_school_day(calendar):
    # Mon 3 May 2027 (early May bank holiday) falls in the 2026/27 summer term.
    assert calendar.term_on(date(2027, 5, 3)) is not None
    assert not calendar.is_school_day(date(2027, 5, 3))
    # Fri 30 April 2027 + 1 school day -> Tue 4 May.
    assert add_school_days(date(2027, 4, 30), 1, calendar) == date(2027, 5, 4)


def test_it_lists_the_terms_a_period_touches(calendar):
    terms = calendar.terms_between(date(2026, 12, 1), date(2027, 1, 10))
    assert [t.label for t in terms] == ["autumn 2026/27", "spring 2026/27"]
    assert calendar.terms_between(date(2026, 12, 21), date(2027, 1, 1)) == []


def test_it_gives_the_next_term_when_there_is_none_loaded_as_none(calendar):
    assert calendar.next_term_after(date(2028, 7, 1)) is None


def test_add_school_days_skips_the_half_term_break(calendar):
    # Fri 23 Oct 2026 is the last day before half-term (26-30 Oct).
    # Mon 2-Fri 6 Nov (1-5), 9-13 (6-10), 16-20 (11-15), 23-27 (16-20) -> Fri 27 Nov.
    assert add_school_days(date(2026, 10, 23), 1, calendar) == date(2026, 11, 2)
    assert add_school_days(date(2026, 10, 23), 20, calendar) == date(2026, 11, 27)
    # The working-day deadline ignores half-term, so it is a week earlier: Fri 20 Nov.
    assert add_working_days(date(2026, 10, 23), 20) == date(2026, 11, 20)


def test_add_school_days_from_inside_half_term_starts_when_school_returns(calendar):
    assert add_school_days(date(2026, 10, 27), 1, calendar) == date(2026, 11, 2)


def test_add_school_days_skips_the_christmas_holiday_between_terms(calendar):
    # Fri 18 Dec 2026 is the last day of autumn term; spring starts Mon 4 Jan 2027.
    assert add_school_days(date(2026, 12, 18), 1, calendar) == date(2027, 1, 4)


def test_add_school_days_skips_the_easter_holiday_between_terms(calendar):
    # Spring 2025/26 ends Fri 27 March 2026; summer starts Mon 13 April.
    assert add_school_days(date(2026, 3, 27), 1, calendar) == date(2026, 4, 13)


def test_a_school_change_in_the_last_week_of_term_lands_in_january(calendar):
    # Started Tue 15 Dec 2026: Wed 16 (1), Thu 17 (2), Fri 18 (3), Mon 4-Fri 8 Jan
    # (4-8), 11-15 (9-13), 18-22 (14-18), Mon 25 (19), Tue 26 Jan 2027 (20).
    assert add_school_days(date(2026, 12, 15), 20, calendar) == date(2027, 1, 26)
    # Counted in working days instead: Wed 16-Thu 24 Dec (1-7), [25, 28 off],
    # Tue 29-Thu 31 (8-10), [1 Jan off], Mon 4-Fri 8 (11-15), 11-15 (16-20).
    assert add_working_days(date(2026, 12, 15), 20) == date(2027, 1, 15)


def test_add_school_days_refuses_when_the_term_dates_run_out():
    only_autumn_and_spring = SchoolCalendar(
        parse_term_dates_csv(
            HEADER
            + "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"
            + "2026/27,spring,2027-01-04,2027-03-25,2027-02-15,2027-02-19\n"
        )
    )
    # Mon 22 March 2027: Tue 23, Wed 24, Thu 25 are the last three school days loaded.
    assert add_school_days(date(2027, 3, 22), 3, only_autumn_and_spring) == date(2027, 3, 25)
    with pytest.raises(ValueError, match="2027-03-25"):
        add_school_days(date(2027, 3, 22), 4, only_autumn_and_spring)


def test_add_school_days_refuses_an_empty_calendar():
    with pytest.raises(ValueError, match="not been loaded"):
        add_school_days(date(2026, 9, 1), 1, SchoolCalendar([]))


def test_a_term_refuses_a_half_term_outside_it():
    with pytest.raises(ValueError, match="half-term"):
        Term(
            "2026/27",
            "autumn",
            date(2026, 9, 2),
            date(2026, 12, 18),
            date(2027, 2, 15),
            date(2027, 2, 19),
        )


def test_a_calendar_refuses_overlapping_terms():
    autumn = Term(
        "2026/27", "autumn", date(2026, 9, 2), date(2026, 12, 18),
        date(2026, 10, 26), date(2026, 10, 30),
    )  # fmt: skip
    spring = Term(
        "2026/27", "spring", date(2026, 12, 14), date(2027, 3, 25),
        date(2027, 2, 15), date(2027, 2, 19),
    )  # fmt: skip
    with pytest.raises(ValueError, match="overlaps"):
        SchoolCalendar([autumn, spring])


# --- term dates CSV --------------------------------------------------------------------


def test_it_accepts_the_shared_example_term_dates_file():
    terms = parse_term_dates_csv(EXAMPLE_CSV.read_text(encoding="utf-8"))
    assert len(terms) == 9
    assert terms[0].label == "autumn 2025/26"
    assert terms[-1].label == "summer 2027/28"
    autumn = next(t for t in terms if t.label == "autumn 2026/27")
    assert autumn.half_term_starts_on == date(2026, 10, 26)
    assert autumn.half_term_ends_on == date(2026, 10, 30)


def test_it_accepts_a_spreadsheet_export_with_a_bom_extra_column_and_blank_lines():
    text = (
        "\ufeffTerm,Academic_Year,starts_on,ends_on,half_term_starts_on,half_term_ends_on,notes\n"
        "Autumn,2026/27,2026-09-02,2026-12-18,2026-10-26,2026-10-30,INSET on 1 Sept\n"
        "\n"
    )
    (term,) = parse_term_dates_csv(text)
    assert term.label == "autumn 2026/27"


def test_it_refuses_a_bad_file_and_reports_every_bad_row():
    text = HEADER + (
        "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"  # 2 good
        "2026/27,spring,2027-02-30,2027-03-25,2027-02-15,2027-02-19\n"  # 3 bad date
        "2026/27,winter,2027-04-12,2027-07-21,2027-05-31,2027-06-04\n"  # 4 unknown term
        "2027/28,autumn,2027-12-17,2027-09-01,2027-10-25,2027-10-29\n"  # 5 ends first
        "2027/28,spring,2028-01-04,2028-04-07,2028-04-17,2028-04-21\n"  # 6 half-term out
        "2026/27,autumn,2026-09-03,2026-12-17,2026-10-26,2026-10-30\n"  # 7 duplicate
        "2026/27,summer,2026-12-14,2027-07-21,2027-05-31,2027-06-04\n"  # 8 overlaps 2
        "2027/28,summer,2028-04-24,2028-07-21,2028-05-29,2028-06-02\n"  # 9 good
        "2028/29,autumn,4 Sept 2028,2028-12-15,2028-10-23,2028-10-27\n"  # 10 not ISO
    )
    with pytest.raises(TermDatesError) as caught:
        parse_term_dates_csv(text)
    errors = caught.value.errors
    assert [line for line, _ in errors] == [3, 4, 5, 6, 7, 8, 10]
    reasons = dict(errors)
    assert "starts_on" in reasons[3] and "not a real date" in reasons[3]
    assert 'unknown term "winter"' in reasons[4]
    assert "ends" in reasons[5] and "before it starts" in reasons[5]
    assert "half-term" in reasons[6] and "not inside" in reasons[6]
    assert "listed twice" in reasons[7] and "line 2" in reasons[7]
    assert "overlaps" in reasons[8] and "line 2" in reasons[8]
    assert "YYYY-MM-DD" in reasons[10]


def test_it_refuses_a_file_with_a_missing_column():
    text = (
        "academic_year,term,starts_on,ends_on,half_term_starts_on\n"
        "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26\n"
    )
    with pytest.raises(TermDatesError) as caught:
        parse_term_dates_csv(text)
    assert caught.value.errors == [(1, "missing column(s): half_term_ends_on")]


def test_it_refuses_a_row_with_a_missing_value():
    text = HEADER + "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26\n"
    with pytest.raises(TermDatesError) as caught:
        parse_term_dates_csv(text)
    assert caught.value.errors == [(2, "half_term_ends_on is empty")]


def test_it_refuses_a_term_typed_into_the_wrong_academic_year():
    text = HEADER + "2026/27,autumn,2025-09-03,2025-12-19,2025-10-27,2025-10-31\n"
    with pytest.raises(TermDatesError) as caught:
        parse_term_dates_csv(text)
    ((line, reason),) = caught.value.errors
    assert line == 2 and "2026/27 academic year" in reason


def test_a_header_only_file_has_no_terms():
    assert parse_term_dates_csv(HEADER) == []


# --- the fast lookups agree with walking the calendar day by day ------------------------


def _walk(start: date, n: int, is_day, last: date = date(2100, 1, 1)) -> date:
    d, remaining = start, n
    while remaining:
        d = date.fromordinal(d.toordinal() + 1)
        if d > last:
            raise ValueError("past the last loaded day")
        if is_day(d):
            remaining -= 1
    return d


def test_add_working_days_agrees_with_walking_the_calendar():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(0, 800))
    def check(start, n):
        assert add_working_days(start, n) == _walk(start, n, is_working_day)

    check()


def test_add_school_days_agrees_with_walking_the_calendar(calendar):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None)
    @given(st.dates(min_value=date(2025, 8, 1), max_value=date(2028, 6, 30)), st.integers(0, 60))
    def check(start, n):
        try:
            expected = _walk(start, n, calendar.is_school_day, calendar.last_day)
        except ValueError:
            with pytest.raises(ValueError):
                add_school_days(start, n, calendar)
            return
        assert add_school_days(start, n, calendar) == expected

    check()
