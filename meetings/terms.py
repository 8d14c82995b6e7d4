"""Which term a date is in, the next term's dates, and "the last four terms", per LA.

An LA that has loaded its term dates (deadlines.TermDates) is answered from them
(peps.deadlines.SchoolCalendar). Where a date falls outside the loaded terms, or the LA
has loaded none, the default English pattern is used instead:

- autumn: 1 September to 31 December
- spring: 1 January to 31 March
- summer: 1 April to 31 July

The default deliberately covers the holidays at either end of a term (Christmas counts as
autumn, Easter as spring or summer depending on the date), so a next-meeting date typed
on the first days of a term is never refused because Easter moved. August belongs to no
term: the next term after it is the autumn term.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peps import deadlines

_ORDER = ("autumn", "spring", "summer")


@dataclass(frozen=True)
class TermSpan:
    name: str
    academic_year: str
    starts_on: dt.date
    ends_on: dt.date

    @property
    def label(self) -> str:
        return f"{self.name} term {self.academic_year}"

    def __contains__(self, d: object) -> bool:
        return isinstance(d, dt.date) and self.starts_on <= d <= self.ends_on


def _ay(start_year: int) -> str:
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def default_term(start_year: int, index: int) -> TermSpan:
    """The default term `index` (0 autumn, 1 spring, 2 summer) of the academic year starting `start_year`.

    `index` may run past 2 or below 0; it wraps into the following or previous years.
    """
    start_year += index // 3
    index %= 3
    if index == 0:
        return TermSpan("autumn", _ay(start_year), dt.date(start_year, 9, 1), dt.date(start_year, 12, 31))
    if index == 1:
        return TermSpan("spring", _ay(start_year), dt.date(start_year + 1, 1, 1), dt.date(start_year + 1, 3, 31))
    return TermSpan("summer", _ay(start_year), dt.date(start_year + 1, 4, 1), dt.date(start_year + 1, 7, 31))


def _default_position(d: dt.date) -> tuple[int, int]:
    """(academic year start, term index) of the default term containing d; August counts as summer."""
    if d.month >= 9:
        return d.year, 0
    if d.month <= 3:
        return d.year - 1, 1
    return d.year - 1, 2


def _calendar(local_authority) -> deadlines.SchoolCalendar:
    """The LA's loaded term dates, or an empty calendar when there are none (or no deadlines app)."""
    if local_authority is None:
        return deadlines.SchoolCalendar([])
    try:
        from deadlines.selectors import calendar_for
    except ImportError:  # the deadlines app is optional for this module
        return deadlines.SchoolCalendar([])
    return calendar_for(local_authority)


def _span(term: deadlines.Term) -> TermSpan:
    return TermSpan(term.name, term.academic_year, term.starts_on, term.ends_on)


def next_term(local_authority, d: dt.date) -> TermSpan:
    """The term after the one `d` is in (or, in the holidays, the next one to start)."""
    calendar = _calendar(local_authority)
    if calendar.term_on(d) is not None or (calendar.terms and calendar.terms[0].starts_on <= d):
        upcoming = calendar.next_term_after(d)
        if upcoming is not None:
            return _span(upcoming)
    start_year, index = _default_position(d)
    if d.month == 8:
        return default_term(d.year, 0)
    return default_term(start_year, index + 1)


def four_terms_start(local_authority, today: dt.date) -> dt.date:
    """The first day of the term three terms before the current one: the current term and the
    three before it are "the last four terms" (seed 003: face to face at least once every four terms)."""
    calendar = _calendar(local_authority)
    started = [t for t in calendar.terms if t.starts_on <= today]
    if len(started) >= 4:
        return started[-4].starts_on
    start_year, index = _default_position(today)
    return default_term(start_year, index - 3).starts_on
