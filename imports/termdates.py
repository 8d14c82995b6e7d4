"""Term dates as councils publish them: the CSV (core.calendar.parse_calendar_csv reads it)
and an iCalendar (.ics) file.

In an .ics file each all-day event is read by its summary:

- "Autumn term" (or "Spring term 2", "Summer term") spanning the term, or a pair of
  one-day events "Autumn term starts" / "Autumn term ends": the term's dates. A term
  published as two halves ("Autumn term 1", "Autumn term 2") is joined, the gap between
  them being its half-term;
- "Half term" / "Half-term holiday": the half-term break of the term it falls in;
- "INSET day", "Training day", "Staff development day": INSET days; "School closed",
  "Closure day", "Polling day": closure days. Every other event (holidays, bank
  holidays) is ignored: bank holidays are known already.

DTEND of an all-day event is the day after its last day (RFC 5545).
"""

from __future__ import annotations

import datetime as dt
import re

import icalendar

from core.calendar import TERM_NAMES, DayOffSpan, Term, TermDatesError

TEMPLATE_CSV = (
    "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on,description\r\n"
    "2026/27,autumn,03/09/2026,18/12/2026,26/10/2026,30/10/2026,\r\n"
    "2026/27,spring,04/01/2027,26/03/2027,15/02/2027,19/02/2027,\r\n"
    "2026/27,summer,12/04/2027,21/07/2027,31/05/2027,04/06/2027,\r\n"
    "2026/27,inset,01/09/2026,02/09/2026,,,Staff training before term\r\n"
    "2026/27,inset,04/01/2027,,,,Staff training\r\n"
    "2026/27,closure,06/05/2027,,,,Polling day\r\n"
)

_INSET = re.compile(r"\b(inset|training day|staff development|teacher day|non[- ]pupil)", re.I)
_CLOSURE = re.compile(r"\b(school closed|closure|polling day)", re.I)
_HALF = re.compile(r"half[\s-]*term", re.I)
_TERM = re.compile(r"\b(autumn|spring|summer)\b.*\bterm\b|\bterm\b.*\b(autumn|spring|summer)\b", re.I)


def _day(value) -> dt.date:
    value = value.dt if hasattr(value, "dt") else value
    return value.date() if isinstance(value, dt.datetime) else value


def _academic_year(d: dt.date) -> str:
    start = d.year if d.month >= 8 else d.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def parse_ics(data: bytes) -> tuple[list[Term], list[DayOffSpan]]:
    """The terms and days off of an .ics file; TermDatesError lists what is wrong (line 0: no lines in .ics)."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        raise TermDatesError([(1, f"the file is not an iCalendar (.ics) file: {exc}")]) from exc
    spans: dict[tuple[str, str], list[tuple[dt.date, dt.date]]] = {}
    marks: dict[tuple[str, str], dict[str, dt.date]] = {}
    halves: list[tuple[dt.date, dt.date]] = []
    days_off: list[DayOffSpan] = []
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", "")).strip()
        if "DTSTART" not in event:
            continue
        first = _day(event["DTSTART"])
        end = event.get("DTEND")
        last = (_day(end) - dt.timedelta(days=1)) if end is not None and not isinstance(
            end.dt, dt.datetime) else (_day(end) if end is not None else first)
        last = max(last, first)
        if _INSET.search(summary):
            days_off.append(DayOffSpan("inset", first, last, summary[:200]))
        elif _CLOSURE.search(summary):
            days_off.append(DayOffSpan("closure", first, last, summary[:200]))
        elif _HALF.search(summary):
            halves.append((first, last))
        elif match := _TERM.search(summary):
            name = (match.group(1) or match.group(2)).lower()
            key = (_academic_year(first), name)
            lowered = summary.lower()
            if re.search(r"\b(starts?|begins?|first day|opens?)\b", lowered):
                marks.setdefault(key, {})["start"] = first
            elif re.search(r"\b(ends?|finish(es)?|last day|closes?)\b", lowered):
                marks.setdefault(key, {})["end"] = last
            else:
                spans.setdefault(key, []).append((first, last))
    for key, mark in marks.items():
        if "start" in mark and "end" in mark:
            spans.setdefault(key, []).append((mark["start"], mark["end"]))
    problems: list[tuple[int, str]] = []
    terms: list[Term] = []
    for (year, name), parts in sorted(spans.items(), key=lambda item: min(p[0] for p in item[1])):
        parts.sort()
        starts_on, ends_on = parts[0][0], parts[-1][1]
        half: tuple[dt.date, dt.date] | None
        if len(parts) >= 2:  # two halves: the gap is the half-term
            half = (parts[0][1] + dt.timedelta(days=1), parts[1][0] - dt.timedelta(days=1))
        else:
            half = next(((a, b) for a, b in halves if starts_on < a and b < ends_on), None)
        if half is None or half[1] < half[0]:
            problems.append((0, f"the {name} term {year} ({starts_on:%d/%m/%Y} to {ends_on:%d/%m/%Y}) has no "
                                "half-term event inside it"))
            continue
        try:
            terms.append(Term(year, name, starts_on, ends_on, half[0], half[1]))
        except ValueError as exc:
            problems.append((0, f"the {name} term {year}: {exc}"))
    if not terms and not days_off and not problems:
        problems.append((0, "the file has no events named after a term (" + ", ".join(TERM_NAMES)
                            + "), half-term, INSET day or closure"))
    if problems:
        raise TermDatesError(problems)
    return terms, days_off
