"""The school calendar, the one place for it: bank holidays, working days, school days,
terms and academic years. Every app asks here; none keeps its own copy of a date rule.

Which term a date is in: where an LA has loaded its term dates (a ``SchoolCalendar``; the
database read is ``calendar_of(la)``, answered by the deadlines app) and the date falls in one of them,
that term; in the holiday after a loaded term (up to 60 days), the term that has just
ended (its PEP is what is now due or late, and the next term is the one about to start).
Otherwise the default English pattern, which gives every day one term:

- autumn: 1 September to 31 December
- spring: 1 January to 31 March
- summer: 1 April to 31 August

The default covers the holidays at either end of a term (Christmas counts as autumn, the
summer holiday as summer): August belongs to the summer term of the academic year that is
ending, and the term after it is the autumn term. The academic year runs 1 September to
31 August and is labelled "2026/27".

Working-day and school-day arithmetic for PEP deadlines:

Statutory guidance sets PEP deadlines in *working days* (Monday to Friday, less the
England and Wales bank holidays) and some local authorities count *school days*
instead (working days inside the LA's own term dates, less half-term breaks).  Getting
this wrong by a day is how a Virtual School ends up chasing a PEP that is not yet late,
or missing one that is, so the rules live here in one place, in plain Python with no
Django imports, where they can be tested against a real calendar.

Term dates differ between LAs, so they are loaded from a CSV file each LA uploads;
``parse_term_dates_csv`` checks the whole file and reports every problem at once, so the
person uploading it can fix them all in one pass rather than one error per attempt.
"""

from __future__ import annotations

import bisect
import csv
import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

from . import hooks

__all__ = [
    "TERM_NAMES",
    "DateSpan",
    "SchoolCalendar",
    "Term",
    "TermDatesError",
    "add_school_days",
    "add_working_days",
    "bank_holidays",
    "is_working_day",
    "DayOffSpan",
    "parse_calendar_csv",
    "parse_term_dates_csv",
    "subtract_working_days",
    "working_days_between",
    "TermRef",
    "TermSpan",
    "academic_year_bounds",
    "academic_year_label",
    "academic_year_of",
    "academic_year_start",
    "four_terms_start",
    "last_terms",
    "loaded_term",
    "next_term",
    "term_containing",
    "term_span",
]

ONE_DAY = timedelta(days=1)

#: The three terms of the English school year, in the order they happen.
TERM_NAMES: tuple[str, ...] = ("autumn", "spring", "summer")


# --------------------------------------------------------------------------------------
# Bank holidays and working days
# --------------------------------------------------------------------------------------


def bank_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the England and Wales bank holidays (weekdays only) in ``years``.

    The ``holidays`` package lists both the real date of a holiday and, when that date
    is a weekend, the weekday "observed" substitute (Christmas Day on Saturday 25
    December 2027 is observed on Monday 27 December).  A weekend date never changes a
    working-day count, so only weekday entries are kept: that drops the weekend
    originals and keeps the substitute days, which are the real days off.

    The years are normalised to a sorted tuple so that the cache hits however the
    caller spells them.
    """
    return _bank_holidays(tuple(sorted(set(years))))


@functools.lru_cache(maxsize=64)
def _bank_holidays(years: tuple[int, ...]) -> frozenset[date]:
    """Build the bank holiday set once per tuple of years; the lookup is not cheap."""
    if not years:
        return frozenset()
    calendar = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return frozenset(day for day in calendar if day.weekday() < 5)


def _bank_holidays_near(d: date) -> frozenset[date]:
    """Bank holidays for the year of ``d`` and the years either side.

    Asking for the neighbouring years as well costs nothing (it is cached) and guards
    against a holiday of one year being observed in the next.
    """
    return bank_holidays((d.year - 1, d.year, d.year + 1))


def is_working_day(d: date) -> bool:
    """True if ``d`` is Monday to Friday and not an England and Wales bank holiday."""
    return d.weekday() < 5 and d not in _bank_holidays_near(d)


def add_working_days(start: date, n: int) -> date:
    """Return the date ``n`` working days after ``start``.

    ``start`` itself is not counted, matching how the guidance counts "within 20
    working days of entering care": a child entering care on a Friday has Monday as
    working day 1.  ``n == 0`` returns ``start`` unchanged (even if it is a weekend),
    so a zero-day deadline is "today".

    The daily run works this out for every child in England, so it is a lookup in a
    cached list of working days rather than a walk through the calendar.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if n == 0:
        return start
    days = _working_day_ordinals(start.year)
    index = bisect.bisect_right(days, start.toordinal()) + n - 1
    if index < len(days):
        return date.fromordinal(days[index])
    d = date.fromordinal(days[-1])  # Beyond the cached years: walk on from the last one.
    remaining = index - len(days) + 1
    while remaining:
        d += ONE_DAY
        if is_working_day(d):
            remaining -= 1
    return d


@functools.lru_cache(maxsize=32)
def _working_day_ordinals(year: int) -> tuple[int, ...]:
    """Every working day from 1 January of ``year`` to 31 December two years later."""
    day, last = date(year, 1, 1), date(year + 2, 12, 31)
    found = []
    while day <= last:
        if is_working_day(day):
            found.append(day.toordinal())
        day += ONE_DAY
    return tuple(found)


def subtract_working_days(start: date, n: int) -> date:
    """Return the date ``n`` working days before ``start`` (``start`` not counted).

    The mirror of ``add_working_days``: ``add_working_days(subtract_working_days(d, n), n)``
    is ``d`` for any working day ``d``.  Used to ask "did this start within the last 20
    working days?" without a loop per child.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    d = start
    remaining = n
    while remaining:
        d -= ONE_DAY
        if is_working_day(d):
            remaining -= 1
    return d


def _weekdays_up_to(d: date) -> int:
    """Count Monday-to-Friday dates from 1 January of year 1 (a Monday) up to ``d``.

    Used so that ``working_days_between`` is arithmetic, not a day-by-day loop, when a
    PEP has been waiting a long time.
    """
    o = d.toordinal()  # 1 January 0001 is ordinal 1 and a Monday.
    return (o // 7) * 5 + min(o % 7, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``.

    This is the "days waiting" figure: a PEP due on a Friday and looked at on the next
    Monday has been waiting 1 working day.  The count is negative when ``end`` is
    before ``start`` so that callers can show "due in N days" with the same function.
    """
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    years = range(start.year - 1, end.year + 2)
    holidays_in_range = sum(1 for day in bank_holidays(years) if start < day <= end)
    return weekdays - holidays_in_range


# --------------------------------------------------------------------------------------
# Terms and the school calendar
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DateSpan:
    """An inclusive run of dates, such as one half of a term."""

    starts_on: date
    ends_on: date

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.starts_on <= d <= self.ends_on


@dataclass(frozen=True, slots=True)
class Term:
    """One school term as an LA publishes it, half-term break included.

    The half-term break sits inside the term: a date in the break still belongs to the
    term for "which term's PEP is this?", but it is not a school day.
    """

    academic_year: str
    name: str
    starts_on: date
    ends_on: date
    half_term_starts_on: date
    half_term_ends_on: date

    def __post_init__(self) -> None:
        """Refuse an impossible term, so a SchoolCalendar never has to defend itself."""
        problems = _term_problems(
            self.academic_year,
            self.name,
            self.starts_on,
            self.ends_on,
            self.half_term_starts_on,
            self.half_term_ends_on,
        )
        if problems:
            raise ValueError("; ".join(problems))

    @property
    def label(self) -> str:
        """A human label such as "autumn 2026/27" for messages and the UI."""
        return f"{self.name} {self.academic_year}"

    @property
    def first_half(self) -> DateSpan:
        """From the first day of term to the day before the half-term break."""
        return DateSpan(self.starts_on, self.half_term_starts_on - ONE_DAY)

    @property
    def second_half(self) -> DateSpan:
        """From the day after the half-term break to the last day of term."""
        return DateSpan(self.half_term_ends_on + ONE_DAY, self.ends_on)

    @property
    def half_term(self) -> DateSpan:
        """The half-term break itself."""
        return DateSpan(self.half_term_starts_on, self.half_term_ends_on)

    def __contains__(self, d: object) -> bool:
        """True for any date from the first to the last day of term, break included."""
        return isinstance(d, date) and self.starts_on <= d <= self.ends_on


_ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{2})$")


def _academic_year_problem(academic_year: str) -> str | None:
    """Explain why ``academic_year`` is not like "2025/26", or return None."""
    match = _ACADEMIC_YEAR.match(academic_year)
    if not match:
        return f'academic year "{academic_year}" should look like 2025/26'
    first, second = int(match.group(1)), int(match.group(2))
    if (first + 1) % 100 != second:
        return f'academic year "{academic_year}" should be two consecutive years, like 2025/26'
    return None


def _term_problems(
    academic_year: str,
    name: str,
    starts_on: date,
    ends_on: date,
    half_term_starts_on: date,
    half_term_ends_on: date,
) -> list[str]:
    """Every reason the given term is impossible, in plain English (empty if fine).

    Shared by ``Term`` and the CSV parser so that both refuse exactly the same things.
    """
    problems: list[str] = []
    year_problem = _academic_year_problem(academic_year)
    if year_problem:
        problems.append(year_problem)
    if name not in TERM_NAMES:
        problems.append(f'unknown term "{name}" (expected autumn, spring or summer)')
    if ends_on < starts_on:
        problems.append(f"the term ends ({ends_on}) before it starts ({starts_on})")
    elif half_term_ends_on < half_term_starts_on:
        problems.append(
            f"half-term ends ({half_term_ends_on}) before it starts ({half_term_starts_on})"
        )
    elif not (starts_on < half_term_starts_on and half_term_ends_on < ends_on):
        problems.append(
            f"half-term ({half_term_starts_on} to {half_term_ends_on}) is not inside "
            f"the term ({starts_on} to {ends_on})"
        )
    if not year_problem:
        # England's academic year runs 1 September to 31 August; allow August too, for
        # LAs that start early, but catch a term typed into the wrong year.
        first_year = int(academic_year[:4])
        earliest, latest = date(first_year, 8, 1), date(first_year + 1, 8, 31)
        if not (earliest <= starts_on <= latest and earliest <= ends_on <= latest):
            problems.append(
                f"the term ({starts_on} to {ends_on}) is not in the {academic_year} academic year"
            )
    return problems


class SchoolCalendar:
    """An LA's term dates, answering "is this a school day?" and "which term is it?".

    Built from any iterable of ``Term``; they are kept in date order.  Overlapping terms
    are refused because a date would then belong to two terms.
    """

    def __init__(self, terms: Iterable[Term], days_off: Iterable[date] = ()) -> None:
        self._terms: tuple[Term, ...] = tuple(sorted(terms, key=lambda t: t.starts_on))
        # INSET (training) days and other closures inside term: not school days.
        self._days_off: frozenset[date] = frozenset(days_off)
        for earlier, later in zip(self._terms, self._terms[1:], strict=False):
            if later.starts_on <= earlier.ends_on:
                raise ValueError(f"the {later.label} term overlaps the {earlier.label} term")

    @property
    def terms(self) -> tuple[Term, ...]:
        """The terms in date order."""
        return self._terms

    @property
    def last_day(self) -> date | None:
        """The last day of the last loaded term, or None for an empty calendar."""
        return self._terms[-1].ends_on if self._terms else None

    def __iter__(self) -> Iterator[Term]:
        return iter(self._terms)

    def __len__(self) -> int:
        return len(self._terms)

    def term_on(self, d: date) -> Term | None:
        """The term containing ``d`` (half-term included), or None in the holidays."""
        for term in self._terms:
            if d < term.starts_on:
                return None
            if d <= term.ends_on:
                return term
        return None

    def term_just_ended(self, d: date, within: timedelta) -> Term | None:
        """In a holiday, the loaded term that ended last before ``d`` (at most ``within``
        before it); None in a term or when no loaded term ended that recently."""
        ended = None
        for term in self._terms:
            if term.starts_on <= d <= term.ends_on:
                return None
            if term.ends_on < d:
                ended = term
        return ended if ended is not None and d - ended.ends_on <= within else None

    def next_term_after(self, d: date) -> Term | None:
        """The first term starting after ``d``, or None if none has been loaded."""
        for term in self._terms:
            if term.starts_on > d:
                return term
        return None

    def is_school_day(self, d: date) -> bool:
        """True for a working day in a term and not in that term's half-term break."""
        term = self.term_on(d)
        return (term is not None and d not in term.half_term and d not in self._days_off
                and is_working_day(d))

    @property
    def days_off(self) -> frozenset[date]:
        """The INSET and closure days loaded with the terms."""
        return self._days_off

    def school_days_in(self, term: Term) -> int:
        """How many school days ``term`` has (190 a year is the statutory number)."""
        first, last = term.starts_on.toordinal(), term.ends_on.toordinal()
        lo = bisect.bisect_left(self.school_day_ordinals, first)
        return bisect.bisect_right(self.school_day_ordinals, last) - lo

    @functools.cached_property
    def school_day_ordinals(self) -> tuple[int, ...]:
        """Every school day of the loaded terms, as ordinals in date order (built once)."""
        if not self._terms:
            return ()
        days_off = bank_holidays(range(self._terms[0].starts_on.year, self._terms[-1].ends_on.year + 1)) \
            | self._days_off
        found = []
        for term in self._terms:
            break_from, break_to = term.half_term_starts_on.toordinal(), term.half_term_ends_on.toordinal()
            for ordinal in range(term.starts_on.toordinal(), term.ends_on.toordinal() + 1):
                # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
                if (ordinal - 1) % 7 < 5 and not break_from <= ordinal <= break_to \
                        and date.fromordinal(ordinal) not in days_off:
                    found.append(ordinal)
        return tuple(found)

    def terms_between(self, start: date, end: date) -> list[Term]:
        """Terms that have at least one day in ``start``..``end`` inclusive."""
        return [t for t in self._terms if t.starts_on <= end and t.ends_on >= start]


def add_school_days(start: date, n: int, calendar: SchoolCalendar) -> date:
    """Return the date ``n`` school days after ``start`` (``start`` not counted).

    Raises ``ValueError`` if the loaded term dates end before ``n`` school days are
    found: guessing the next term would give a wrong deadline, so the LA must load its
    later term dates instead.
    """
    if n < 0:
        raise ValueError(f"n must be 0 or more, not {n}")
    if n == 0:
        return start
    days = calendar.school_day_ordinals
    index = bisect.bisect_right(days, start.toordinal()) + n - 1
    if index >= len(days):
        last_day = calendar.last_day
        loaded = f"only run to {last_day}" if last_day else "have not been loaded"
        raise ValueError(
            f"cannot count {n} school days from {start}: the term dates {loaded}. "
            "Load the term dates for the following terms first."
        )
    return date.fromordinal(days[index])


# --------------------------------------------------------------------------------------
# Term dates CSV
# --------------------------------------------------------------------------------------

CSV_COLUMNS: tuple[str, ...] = (
    "academic_year",
    "term",
    "starts_on",
    "ends_on",
    "half_term_starts_on",
    "half_term_ends_on",
)
_DATE_COLUMNS = CSV_COLUMNS[2:]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TermDatesError(ValueError):
    """A term dates file was refused; ``errors`` lists (line number, reason) pairs.

    Line 1 is the header row.  Every problem is listed so that the file can be fixed
    in one go.
    """

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        self.errors = errors
        lines = "; ".join(f"line {line}: {reason}" for line, reason in errors)
        super().__init__(f"The term dates file has {len(errors)} problem(s): {lines}")


_DMY_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _parse_date(column: str, raw: str) -> tuple[date | None, str | None]:
    """Parse a DD/MM/YYYY or YYYY-MM-DD cell, or explain in plain English why it is not a date."""
    if not raw:
        return None, f"{column} is empty"
    dmy = _DMY_DATE.match(raw)
    if not dmy and not _ISO_DATE.match(raw):
        return None, f'{column} "{raw}" is not a date in the form DD/MM/YYYY or YYYY-MM-DD'
    try:
        if dmy:
            day, month, year = (int(g) for g in dmy.groups())
            return date(year, month, day), None
        return date.fromisoformat(raw), None
    except ValueError:
        return None, f'{column} "{raw}" is not a real date'


#: What the ``term`` cell says on a row that is a day (or run of days) off, not a term.
DAY_OFF_NAMES: dict[str, str] = {
    "inset": "inset", "inset day": "inset", "inset days": "inset", "training day": "inset",
    "teacher training day": "inset", "staff training day": "inset", "non-pupil day": "inset",
    "closure": "closure", "closure day": "closure", "closed": "closure", "school closed": "closure",
}


@dataclass(frozen=True, slots=True)
class DayOffSpan:
    """INSET (training) or closure days from ``starts_on`` to ``ends_on``: weekdays in it are not school days."""

    kind: str  # "inset" or "closure"
    starts_on: date
    ends_on: date
    description: str = ""

    def days(self) -> list[date]:
        span = (self.ends_on - self.starts_on).days + 1
        return [d for d in (self.starts_on + timedelta(days=i) for i in range(span)) if d.weekday() < 5]


def parse_term_dates_csv(text: str) -> list[Term]:
    """The terms of a term dates CSV (``parse_calendar_csv`` also gives its INSET and closure days)."""
    return parse_calendar_csv(text)[0]


def parse_calendar_csv(text: str) -> tuple[list[Term], list[DayOffSpan]]:
    """Read an LA's term dates CSV into ``Term`` objects, in date order, and its days off.

    The file needs the columns academic_year, term, starts_on, ends_on,
    half_term_starts_on and half_term_ends_on (any order, extra columns ignored) with
    dates as DD/MM/YYYY or YYYY-MM-DD. A row whose term is "INSET" or "closure" (see
    DAY_OFF_NAMES) is a day off from starts_on to ends_on (or that day alone), with an
    optional description column. All or nothing: if any row is wrong, ``TermDatesError``
    lists every bad row, because loading half a year's term dates would silently give
    wrong deadlines.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header_row = next(reader, None)
    if header_row is None:
        raise TermDatesError([(1, "the file is empty; expected a header row")])
    header = [cell.strip().lower() for cell in header_row]
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise TermDatesError([(1, f"missing column(s): {', '.join(missing)}")])
    index = {column: header.index(column) for column in CSV_COLUMNS}

    errors: list[tuple[int, str]] = []
    good: list[tuple[int, Term]] = []
    seen: dict[tuple[str, str], int] = {}
    days_off: list[DayOffSpan] = []
    description_at = header.index("description") if "description" in header else None

    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # Blank lines, often at the end of a spreadsheet export.
        cells = {column: (row[i].strip() if i < len(row) else "") for column, i in index.items()}
        kind = DAY_OFF_NAMES.get(" ".join(cells["term"].lower().split()))
        if kind is not None:
            first, problem = _parse_date("starts_on", cells["starts_on"])
            last, last_problem = (first, None) if not cells["ends_on"] else _parse_date("ends_on", cells["ends_on"])
            if problem or last_problem or first is None or last is None:
                errors.extend((line, p) for p in (problem, last_problem) if p)
            elif last < first:
                errors.append((line, f"the {kind} days end ({last}) before they start ({first})"))
            elif (last - first).days > 31:
                errors.append((line, f"{(last - first).days + 1} {kind} days in a row: check the dates"))
            else:
                note = row[description_at].strip() if description_at is not None and description_at < len(row) else ""
                days_off.append(DayOffSpan(kind, first, last, note[:200]))
            continue
        row_errors: list[str] = []
        academic_year = cells["academic_year"]
        name = cells["term"].lower()
        if not academic_year:
            row_errors.append("academic_year is empty")
        if not name:
            row_errors.append("term is empty")
        dates: dict[str, date] = {}
        for column in _DATE_COLUMNS:
            parsed, problem = _parse_date(column, cells[column])
            if problem:
                row_errors.append(problem)
            elif parsed is not None:
                dates[column] = parsed
        if not row_errors:
            row_errors.extend(
                _term_problems(academic_year, name, *(dates[c] for c in _DATE_COLUMNS))
            )
        else:
            # Still say what we can about the name and year when a date is broken.
            if academic_year and (problem := _academic_year_problem(academic_year)):
                row_errors.append(problem)
            if name and name not in TERM_NAMES:
                row_errors.append(f'unknown term "{name}" (expected autumn, spring or summer)')
        key = (academic_year, name)
        if academic_year and name:
            if key in seen:
                row_errors.append(
                    f"{name} {academic_year} is listed twice (first on line {seen[key]})"
                )
            else:
                seen[key] = line
        if row_errors:
            errors.extend((line, problem) for problem in row_errors)
        else:
            good.append((line, Term(academic_year, name, *(dates[c] for c in _DATE_COLUMNS))))

    # Overlaps can only be judged between rows that are otherwise good.
    good.sort(key=lambda item: item[1].starts_on)
    latest: tuple[int, Term] | None = None
    for line, term in good:
        if latest is not None and term.starts_on <= latest[1].ends_on:
            errors.append(
                (
                    line,
                    f"the {term.label} term ({term.starts_on} to {term.ends_on}) overlaps "
                    f"the {latest[1].label} term on line {latest[0]}",
                )
            )
        if latest is None or term.ends_on > latest[1].ends_on:
            latest = (line, term)

    if errors:
        errors.sort(key=lambda item: item[0])
        raise TermDatesError(errors)
    return [term for _, term in good], days_off


# --------------------------------------------------------------------------------------
# Academic years and terms: one answer for every date
# --------------------------------------------------------------------------------------

#: A holiday longer than this after the last loaded term means the LA has not loaded its
#: next term yet: the days after it go by the default pattern, not a stale term.
MAX_HOLIDAY = timedelta(days=60)

#: How a term name reads on a page ("Autumn term 2026/27").
TERM_LABELS: dict[str, str] = {"autumn": "Autumn", "spring": "Spring", "summer": "Summer"}


def academic_year_start(d: date) -> int:
    """The first calendar year of the academic year containing ``d`` (1 September to 31 August)."""
    return d.year if d.month >= 9 else d.year - 1


def academic_year_label(start_year: int) -> str:
    """ "2026/27" for the academic year starting in September 2026."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def academic_year_of(d: date) -> str:
    """The label of the academic year containing ``d``."""
    return academic_year_label(academic_year_start(d))


def academic_year_bounds(start_year: int) -> tuple[date, date]:
    """1 September to 31 August of the academic year starting ``start_year``."""
    return date(start_year, 9, 1), date(start_year + 1, 8, 31)


def term_order(academic_year: str, name: str) -> tuple[int, int]:
    """Sortable (start year, term index) of a term given by its academic year and name;
    an unknown name sorts as autumn."""
    return int(academic_year[:4]), TERM_NAMES.index(name) if name in TERM_NAMES else 0


@dataclass(frozen=True, order=True)
class TermRef:
    """A term as a value: the academic year starting ``start_year`` and its term ``index``
    (0 autumn, 1 spring, 2 summer). Ordered by date; ``key`` ("2026-autumn") round-trips
    through ``parse``."""

    start_year: int  # 2026 for 2026/27
    index: int  # 0 autumn, 1 spring, 2 summer

    @property
    def academic_year(self) -> str:
        return academic_year_label(self.start_year)

    @property
    def term(self) -> str:
        return TERM_NAMES[self.index]

    name = term

    @property
    def key(self) -> str:
        return f"{self.start_year}-{self.term}"

    @property
    def label(self) -> str:
        return f"{TERM_LABELS[self.term]} term {self.academic_year}"

    @property
    def short_label(self) -> str:
        return f"{TERM_LABELS[self.term][:3]} {self.academic_year}"

    def window(self) -> tuple[date, date]:
        """The default pattern's bounds of this term (used when an LA has loaded no term
        dates): every day of the year belongs to exactly one term."""
        y = self.start_year
        if self.index == 0:
            return date(y, 9, 1), date(y, 12, 31)
        if self.index == 1:
            return date(y + 1, 1, 1), date(y + 1, 3, 31)
        return date(y + 1, 4, 1), date(y + 1, 8, 31)

    def shifted(self, n: int) -> TermRef:
        """The term ``n`` terms later (earlier when ``n`` is negative)."""
        position = self.start_year * 3 + self.index + n
        return TermRef(position // 3, position % 3)

    def previous(self) -> TermRef:
        return self.shifted(-1)

    def next(self) -> TermRef:
        return self.shifted(1)

    @classmethod
    def containing(cls, d: date, calendar: SchoolCalendar | None = None) -> TermRef:
        """The term ``d`` belongs to: the LA's loaded term containing it; in a holiday after
        a loaded term (up to MAX_HOLIDAY, so a next term not yet loaded does not leave the
        old one current for ever), the term that has just ended, whose PEP is what is now
        due or late; else the default pattern."""
        if calendar is not None:
            loaded = calendar.term_on(d) or calendar.term_just_ended(d, MAX_HOLIDAY)
            if loaded is not None:
                return cls.of(loaded.academic_year, loaded.name)
        if d.month >= 9:
            return cls(d.year, 0)
        if d.month <= 3:
            return cls(d.year - 1, 1)
        return cls(d.year - 1, 2)

    @classmethod
    def parse(cls, key: str | None) -> TermRef | None:
        try:
            year, name = (key or "").split("-", 1)
            return cls(int(year), TERM_NAMES.index(name))
        except (ValueError, TypeError):
            return None

    @classmethod
    def of(cls, academic_year: str, term: str) -> TermRef:
        return cls(int(academic_year[:4]), TERM_NAMES.index(term))


@dataclass(frozen=True)
class TermSpan:
    """A term with its dates: the LA's loaded dates where it has them, else the default pattern's."""

    name: str
    academic_year: str
    starts_on: date
    ends_on: date

    @property
    def label(self) -> str:
        return f"{self.name} term {self.academic_year}"

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.starts_on <= d <= self.ends_on


def term_containing(d: date, calendar: SchoolCalendar | None = None) -> TermRef:
    """The one term ``d`` belongs to (see the module docstring)."""
    return TermRef.containing(d, calendar)


def loaded_term(term: TermRef, calendar: SchoolCalendar | None) -> Term | None:
    """The LA's loaded ``Term`` of that academic year and name, or None if it has not loaded it."""
    for loaded in calendar.terms if calendar is not None else ():
        if loaded.academic_year == term.academic_year and loaded.name == term.term:
            return loaded
    return None


def term_span(term: TermRef, calendar: SchoolCalendar | None = None) -> TermSpan:
    """``term`` with its dates: the LA's loaded term of that name and year, else the default window."""
    loaded = loaded_term(term, calendar)
    if loaded is not None:
        return TermSpan(loaded.name, loaded.academic_year, loaded.starts_on, loaded.ends_on)
    starts_on, ends_on = term.window()
    return TermSpan(term.term, term.academic_year, starts_on, ends_on)


def next_term(d: date, calendar: SchoolCalendar | None = None) -> TermSpan:
    """The term after the one ``d`` is in, with its dates (after August: the autumn term)."""
    return term_span(term_containing(d, calendar).next(), calendar)


def last_terms(today: date, n: int = 6, calendar: SchoolCalendar | None = None) -> list[TermRef]:
    """The current term and the n-1 before it, oldest first."""
    current = term_containing(today, calendar)
    return [current.shifted(-i) for i in range(n - 1, -1, -1)]


def four_terms_start(today: date, calendar: SchoolCalendar | None = None) -> date:
    """The first day of the term three terms before the current one: the current term and the
    three before it are "the last four terms" (seed 003: face to face at least once every four terms)."""
    return term_span(term_containing(today, calendar).shifted(-3), calendar).starts_on


# --------------------------------------------------------------------------------------
# An LA's own calendar
# --------------------------------------------------------------------------------------

#: The hook (core.hooks) that reads an LA's loaded term dates: ``fn(local_authority) ->
#: SchoolCalendar``. The deadlines app, which keeps the term dates, registers it; apps below
#: it (meetings, peps) ask ``calendar_of`` instead of importing deadlines.
LA_CALENDAR = "la_calendar"


def calendar_of(local_authority) -> SchoolCalendar:
    """The LA's school calendar (its loaded term dates and days off), or an empty one when
    it has none or no app keeps term dates."""
    readers = hooks.get_hooks(LA_CALENDAR)
    if local_authority is None or not readers:
        return SchoolCalendar([])
    return readers[0](local_authority)
