"""One school calendar: every place that needs a term gives the same term for every day of
2025 to 2028, for an LA with no term dates and for one with the demo's term dates.

The places: meetings (the next term a next-meeting date must fall in; the start of "the last
four terms"), deadlines (the engine's current term, whose termly review is due), quality
assurance and the dashboards (TermRef, last_terms, the term a PEP belongs to), peps
(academic_year_for, term_for) and education (the academic year's window, term order).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from children.models import Child
from core.calendar import (
    SchoolCalendar,
    TermRef,
    academic_year_bounds,
    academic_year_of,
    four_terms_start,
    last_terms,
    next_term,
    term_containing,
    term_order,
    term_span,
)
from deadlines import services as deadline_services
from deadlines.demo import term_dates_csv
from deadlines.engine import _current_term
from deadlines.selectors import calendar_for
from education.selectors import academic_year_window
from meetings.services import check_next_meeting
from peps.models import Pep
from peps.services.workflow import academic_year_for, term_for
from tests.factories import LocalAuthorityFactory

FIRST, LAST = dt.date(2025, 1, 1), dt.date(2028, 12, 31)


def _days():
    day = FIRST
    while day <= LAST:
        yield day
        day += dt.timedelta(days=1)


def _meetings_next_term(la, day: dt.date) -> str:
    """The next term as the meetings page states it (the refusal names the term and its dates)."""
    pep = Pep(kind=Pep.Kind.TERMLY, child=Child(local_authority=la))
    with pytest.raises(ValidationError) as exc:
        check_next_meeting(pep, day, day + dt.timedelta(days=500))
    return exc.value.message_dict["next_meeting_on"][0]


def _stated(span) -> str:
    from django.utils.formats import date_format

    return (f"The next PEP meeting must be in the next term (the {span.label}, "
            f"{date_format(span.starts_on, 'j F Y')} to {date_format(span.ends_on, 'j F Y')})")


@pytest.mark.parametrize("with_term_dates", [False, True], ids=["default pattern", "demo term dates"])
def test_every_place_gives_the_same_term_for_every_day(db, with_term_dates):
    la = LocalAuthorityFactory(code="CONS")
    if with_term_dates:
        deadline_services.term_dates_import(actor=None, local_authority=la,
                                            text=term_dates_csv([2024, 2025, 2026, 2027, 2028]))
    calendar = calendar_for(la)
    assert bool(calendar.terms) is with_term_dates
    loaded = {(t.academic_year, t.name) for t in calendar.terms}
    previous = None
    for day in _days():
        term = term_containing(day, calendar)
        where = f"{day}: {term.label}"
        # Loaded term dates win where the day is in a loaded term.
        if (in_loaded := calendar.term_on(day)) is not None:
            assert (in_loaded.academic_year, in_loaded.name) == (term.academic_year, term.term), where
        # Terms follow each other without a gap or a step back.
        if previous is not None:
            assert term in (previous, previous.next()), where
        previous = term
        # peps: a PEP started on the day belongs to this term.
        assert (academic_year_for(day, calendar), term_for(day, calendar)) == (term.academic_year, term.term), where
        # quality assurance and the dashboards.
        assert TermRef.containing(day, calendar) == term, where
        assert last_terms(day, 6, calendar)[-1] == term, where
        assert last_terms(day, 6, calendar)[0] == term.shifted(-5), where
        assert TermRef.of(academic_year_for(day, calendar), term_for(day, calendar)) == term, where
        # education: the term sorts where the term is, in an academic year of that label.
        assert term_order(term.academic_year, term.term) == (term.start_year, term.index), where
        start, end = academic_year_window(term.academic_year)
        assert (start, end) == academic_year_bounds(term.start_year), where
        if not with_term_dates:
            assert start <= day <= end and academic_year_of(day) == term.academic_year, where
        # deadlines: the engine's current term (whose termly review is due) is this term,
        # when the LA has loaded it.
        current = _current_term(calendar, day)
        if (term.academic_year, term.term) in loaded:
            assert current is not None, where
            assert (current.academic_year, current.name) == (term.academic_year, term.term), where
        else:
            assert current is None, where
        # meetings: the next meeting must be in the term after this one ...
        following = next_term(day, calendar)
        assert (following.academic_year, following.name) == (term.next().academic_year, term.next().term), where
        assert following == term_span(term.next(), calendar), where
        assert term_containing(following.starts_on, calendar) == term.next(), where
        # ... and the last four terms are this one and the three before it.
        assert term_containing(four_terms_start(day, calendar), calendar) == term.shifted(-3), where
    # The meetings page's own check, once a week (it reads the calendar each time).
    for day in list(_days())[::7]:
        assert _meetings_next_term(la, day) == _stated(next_term(day, calendar)), day


# --------------------------------------------------------------------------------------
# The August rule
# --------------------------------------------------------------------------------------

EMPTY = SchoolCalendar([])


@pytest.mark.parametrize("day", [dt.date(2027, 8, 1), dt.date(2027, 8, 15), dt.date(2027, 8, 31)])
def test_august_is_the_summer_term_of_the_academic_year_that_is_ending(day):
    term = term_containing(day)
    assert (term.academic_year, term.term) == ("2026/27", "summer")
    assert term_containing(day, EMPTY) == term
    assert academic_year_of(day) == "2026/27"
    assert TermRef(2026, 2).window() == (dt.date(2027, 4, 1), dt.date(2027, 8, 31))


def test_the_term_after_august_is_autumn():
    following = next_term(dt.date(2027, 8, 20))
    assert (following.name, following.academic_year) == ("autumn", "2027/28")
    assert (following.starts_on, following.ends_on) == (dt.date(2027, 9, 1), dt.date(2027, 12, 31))
    assert term_containing(dt.date(2027, 9, 1)) == TermRef(2027, 0)


def test_every_day_has_one_default_term_and_the_windows_tile_the_year():
    start = TermRef(2026, 0)
    bounds = [start.shifted(i).window() for i in range(6)]
    for (_, end), (begin, _) in zip(bounds, bounds[1:], strict=False):
        assert begin == end + dt.timedelta(days=1)
    assert bounds[0][0] == dt.date(2026, 9, 1) and bounds[2][1] == dt.date(2027, 8, 31)


def test_four_terms_from_august():
    # Summer 2026/27 and the three before it: spring, autumn 2026/27 and summer 2025/26.
    assert four_terms_start(dt.date(2027, 8, 15)) == dt.date(2026, 4, 1)


def test_a_loaded_term_wins_over_the_default_pattern():
    from core.calendar import Term

    spring = Term("2027/28", "spring", dt.date(2028, 1, 4), dt.date(2028, 4, 7), dt.date(2028, 2, 14),
                  dt.date(2028, 2, 18))
    calendar = SchoolCalendar([spring])
    assert term_containing(dt.date(2028, 4, 5), calendar) == TermRef(2027, 1)
    assert term_containing(dt.date(2028, 4, 5)) == TermRef(2027, 2)
    # In the holiday after it: the term that has just ended, whose PEP is now due or late.
    assert term_containing(dt.date(2028, 4, 10), calendar) == TermRef(2027, 1)
    assert next_term(dt.date(2028, 4, 10), calendar).name == "summer"
    # More than 60 days after the last loaded term: the next term was never loaded, so the
    # default pattern answers rather than a stale term.
    assert term_containing(dt.date(2028, 6, 10), calendar) == TermRef(2027, 2)
    assert next_term(dt.date(2027, 12, 1), calendar).ends_on == dt.date(2028, 4, 7)


def test_a_holiday_between_loaded_terms_belongs_to_the_term_just_ended():
    from core.calendar import Term

    autumn = Term("2026/27", "autumn", dt.date(2026, 9, 3), dt.date(2026, 12, 18), dt.date(2026, 10, 26),
                  dt.date(2026, 10, 30))
    spring = Term("2026/27", "spring", dt.date(2027, 1, 5), dt.date(2027, 3, 26), dt.date(2027, 2, 15),
                  dt.date(2027, 2, 19))
    summer = Term("2026/27", "summer", dt.date(2027, 4, 12), dt.date(2027, 7, 21), dt.date(2027, 5, 31),
                  dt.date(2027, 6, 4))
    calendar = SchoolCalendar([autumn, spring, summer])
    assert term_containing(dt.date(2027, 4, 2), calendar) == TermRef(2026, 1)  # Easter: spring
    assert term_containing(dt.date(2027, 1, 2), calendar) == TermRef(2026, 0)  # Christmas: autumn
    assert term_containing(dt.date(2027, 8, 20), calendar) == TermRef(2026, 2)  # August: summer
    assert next_term(dt.date(2027, 4, 2), calendar).starts_on == dt.date(2027, 4, 12)
