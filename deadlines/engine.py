"""The deadline engine: every child's current PEP deadlines, in a fixed number of queries.

The rules (issue 6; the arithmetic is in core/calendar.py):

- initial: 20 working days (or school days, per LA) after the day the child entered
  care, that day not counted; met by a meeting of an *initial* PEP held from that day
  to the due date.
- change_of_school: 20 working (or school) days after a new placement starts. A
  placement is "new" when it starts after the child entered care and the child had an
  earlier placement; the placement the child had on entering care (or the first one
  recorded) is covered by the initial PEP. Met by a *change of school* PEP meeting.
- termly / half_termly / post16: in the current term of the LA's calendar, a child in
  care and in a setting needs a PEP meeting (of any kind: any PEP meeting is a review)
  held within the term, by its last day. Half-termly (two deadlines, the first on the
  day before half-term) for a statutory-school-age child at a school rated "requires
  improvement" or "inadequate" where the LA turns it on. Post-16 (Years 12 and 13)
  follows the LA's pattern: every term, or Staffordshire's (Year 12 autumn and summer,
  Year 13 spring). No termly review is due in a term the initial PEP falls in or
  after: the initial meeting is that term's PEP.
- concern: 10 working days after someone asked; met by a *concern* PEP meeting held
  from the request to the due date.
- qa: 10 working days after the meeting of a submitted PEP; met when the Virtual School
  approved it by then (approved_at) or returned it (the PEP keeps no return date, so a
  returned PEP counts as met: the Virtual School has acted on it).

A deadline is met when done by its due date, overdue after it (a meeting held late
leaves it overdue, but `done_on` records it so nobody is chased again), due soon within
10 working days before it, else on track. Children who have left care, and children
under school age not in a setting, have no deadlines.

"Current" deadlines, the ones listed: the initial one if due in the current term or
later, or never met with no meeting at all since entering care; changes of school that
started this term or in the last 20 working days; this term's review(s); concern
requests made this term or still without a meeting; QA of PEPs still waiting for it or
met this term. The current term is the LA's loaded term that today belongs to by
core.calendar: the one containing today or, in a holiday, the term that has just ended;
if the LA has not loaded that term (a holiday of more than 60 days after its last loaded
term), or has loaded no term dates, there is no current term and scope starts 13 weeks ago.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone

from accounts.models import School
from children.models import CareEpisode, SchoolPlacement
from core import calendar as school_calendar
from peps.models import Pep

from .models import ConcernRequest, DayOff, DeadlineSettings, TermDates

log = logging.getLogger(__name__)

RULE_DAYS = 20  # initial and change of school
SHORT_DAYS = 10  # concern review and quality assurance
DUE_SOON_DAYS = 10
NO_CALENDAR_SCOPE = dt.timedelta(weeks=13)
DEEP_LOOKBACK = dt.timedelta(days=150)
RI_RATINGS = frozenset({School.Ofsted.REQUIRES_IMPROVEMENT, School.Ofsted.INADEQUATE})
STAFFORDSHIRE_POST16 = frozenset({(12, "autumn"), (12, "summer"), (13, "spring")})


# The rules, once: the engine below and the dashboards' figures for past terms
# (quality.selectors.fallback_deadlines) both answer through these.


def initial_pep_due(entered_care_on: dt.date, *, calendar: school_calendar.SchoolCalendar | None = None,
                    count_school_days: bool = False) -> dt.date:
    """The initial PEP's due date: 20 working days (or, where the LA counts them, school
    days of its calendar) after the day the child entered care, that day not counted."""
    if count_school_days and calendar is not None:
        try:
            return school_calendar.add_school_days(entered_care_on, RULE_DAYS, calendar)
        except ValueError:
            pass  # The LA's term dates run out: working days give the earlier (safer) date.
    return school_calendar.add_working_days(entered_care_on, RULE_DAYS)


def review_due(term_ends_on: dt.date) -> dt.date:
    """A termly review's due date: the term's last working day."""
    return _last_working_day(term_ends_on)


@functools.lru_cache(maxsize=4096)
def is_due_soon(today: dt.date, due_on: dt.date) -> bool:
    """Due soon: not yet past, and within 10 working days of today."""
    return due_on >= today and school_calendar.working_days_between(today, due_on) <= DUE_SOON_DAYS


class Kind:
    INITIAL = "initial"
    CHANGE_OF_SCHOOL = "change_of_school"
    TERMLY = "termly"
    HALF_TERMLY = "half_termly"
    POST16 = "post16"
    CONCERN = "concern"
    QA = "qa"
    # Kept by the education record (education.selectors.reviews_due), listed beside the PEP ones.
    PART_TIME_REVIEW = "part_time_review"
    EHCP_REVIEW = "ehcp_review"

    ALL = (INITIAL, CHANGE_OF_SCHOOL, TERMLY, HALF_TERMLY, POST16, CONCERN, QA, PART_TIME_REVIEW, EHCP_REVIEW)
    LABELS = {
        INITIAL: "Initial PEP",
        CHANGE_OF_SCHOOL: "Change of school PEP",
        TERMLY: "Termly PEP review",
        HALF_TERMLY: "Half-termly PEP review",
        POST16: "Post-16 PEP review",
        CONCERN: "Concern review",
        QA: "Quality assurance",
        PART_TIME_REVIEW: "Part-time timetable review",
        EHCP_REVIEW: "EHCP annual review",
    }


class Status:
    MET = "met"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ON_TRACK = "on_track"

    ALL = (MET, OVERDUE, DUE_SOON, ON_TRACK)
    LABELS = {MET: "Met", OVERDUE: "Overdue", DUE_SOON: "Due soon", ON_TRACK: "On track"}
    TAGS = {MET: "govuk-tag--green", OVERDUE: "govuk-tag--red", DUE_SOON: "govuk-tag--yellow",
            ON_TRACK: "govuk-tag--grey"}


@dataclass(slots=True)  # Not frozen: frozen dataclasses are slow to build, and there are 150,000 a day.
class Deadline:
    child_id: int
    child_ref: str
    child_name: str
    local_authority_id: int
    kind: str
    due_on: dt.date
    status: str
    # Identifies the deadline across runs: notices are keyed on it.
    key: str
    # What the deadline is for, in words ("autumn 2026/27", "Oakfield Academy").
    detail: str
    # When the meeting (or QA) was done, even if late; None while still to do.
    done_on: dt.date | None
    school_id: int | None

    @property
    def kind_label(self) -> str:
        return Kind.LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]

    @property
    def status_tag(self) -> str:
        return Status.TAGS[self.status]

    @property
    def needs_action(self) -> bool:
        """Overdue or due soon and not yet done: what digests and home pages list."""
        return self.done_on is None and self.status in (Status.OVERDUE, Status.DUE_SOON)

    @property
    def child_initials(self) -> str:
        return "".join(part[0].upper() + "." for part in self.child_name.split() if part)


@dataclass(frozen=True, slots=True)
class LaRules:
    calendar: school_calendar.SchoolCalendar
    count_school_days: bool
    half_termly_for_ri_schools: bool
    post16_pattern: str
    current_term: school_calendar.Term | None
    scope_start: dt.date
    change_of_school_cutoff: dt.date


def _current_term(calendar: school_calendar.SchoolCalendar, today: dt.date) -> school_calendar.Term | None:
    """The loaded term today belongs to (core.calendar), or None when the LA has not loaded it."""
    return school_calendar.loaded_term(school_calendar.term_containing(today, calendar), calendar)


def _load_rules(today: dt.date, la_filter: Q) -> dict[int, LaRules]:
    """Three queries: every LA's term dates, days off and deadline settings."""
    terms: dict[int, list[school_calendar.Term]] = defaultdict(list)
    for pk, la_id, year, term, starts, ends, half_starts, half_ends in TermDates.objects.filter(
            la_filter).order_by("starts_on").values_list(
            "pk", "local_authority_id", "academic_year", "term", "starts_on", "ends_on", "half_term_starts_on",
            "half_term_ends_on"):
        try:
            terms[la_id].append(school_calendar.Term(year, term, starts, ends, half_starts, half_ends))
        except ValueError:
            log.warning("impossible term dates ignored", extra={"event": "term_dates_invalid", "object_id": pk})
    days_off: dict[int, list[dt.date]] = defaultdict(list)
    for la_id, day in DayOff.objects.filter(la_filter).values_list("local_authority_id", "day"):
        days_off[la_id].append(day)
    settings_by_la = {s.local_authority_id: s for s in DeadlineSettings.objects.filter(la_filter)}
    la_ids = set(terms) | set(settings_by_la)
    defaults = DeadlineSettings()
    cutoff_20 = school_calendar.subtract_working_days(today, RULE_DAYS)
    rules = {}
    for la_id in la_ids:
        try:
            calendar = school_calendar.SchoolCalendar(terms.get(la_id, []), days_off.get(la_id, ()))
        except ValueError:
            log.warning("overlapping term dates ignored", extra={"event": "term_dates_overlap", "object_id": la_id})
            calendar = school_calendar.SchoolCalendar([])
        rules[la_id] = _rules_for(calendar, settings_by_la.get(la_id, defaults), today, cutoff_20)
    rules[0] = _rules_for(school_calendar.SchoolCalendar([]), defaults, today, cutoff_20)  # LAs with neither
    return rules


def _rules_for(calendar, settings: DeadlineSettings, today: dt.date, cutoff_20: dt.date) -> LaRules:
    term = _current_term(calendar, today)
    scope_start = term.starts_on if term else today - NO_CALENDAR_SCOPE
    return LaRules(
        calendar=calendar,
        count_school_days=settings.count_school_days,
        half_termly_for_ri_schools=settings.half_termly_for_ri_schools,
        post16_pattern=settings.post16_pattern,
        current_term=term,
        scope_start=scope_start,
        change_of_school_cutoff=min(scope_start, cutoff_20),
    )


def _first_meeting(kind: str, since_field: str) -> Subquery:
    """The first meeting of a PEP of ``kind`` for the row's child on or after a date."""
    return Subquery(
        Pep.objects.filter(child_id=OuterRef("child_id"), kind=kind, meeting_held_on__isnull=False,
                           meeting_held_on__gte=OuterRef(since_field))
        .order_by("meeting_held_on").values("meeting_held_on")[:1]
    )


class _Counter:
    """Memoised day arithmetic: thousands of children share a few hundred start dates."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self._working: dict[tuple[dt.date, int], dt.date] = {}
        self._school: dict[tuple[int, dt.date, int], dt.date] = {}
        self._soon: dict[dt.date, bool] = {}

    def working(self, start: dt.date, n: int) -> dt.date:
        key = (start, n)
        if key not in self._working:
            self._working[key] = school_calendar.add_working_days(start, n)
        return self._working[key]

    def rule_days(self, start: dt.date, rules: LaRules) -> dt.date:
        if not rules.count_school_days:
            return self.working(start, RULE_DAYS)
        key = (id(rules), start, RULE_DAYS)
        if key not in self._school:
            self._school[key] = initial_pep_due(start, calendar=rules.calendar, count_school_days=True)
        return self._school[key]

    def status(self, due_on: dt.date, done_on: dt.date | None) -> str:
        if done_on is not None and done_on <= due_on:
            return Status.MET
        if self.today > due_on:
            return Status.OVERDUE
        if due_on not in self._soon:
            self._soon[due_on] = is_due_soon(self.today, due_on)
        return Status.DUE_SOON if self._soon[due_on] else Status.ON_TRACK


INITIAL, CHANGE_OF_SCHOOL = Pep.Kind.INITIAL.value, Pep.Kind.CHANGE_OF_SCHOOL.value
DRAFT, SUBMITTED, APPROVED, RETURNED = (Pep.Status.DRAFT.value, Pep.Status.SUBMITTED.value,
                                        Pep.Status.APPROVED.value, Pep.Status.RETURNED.value)
PEP_KIND_LABELS = dict(Pep.Kind.choices)


@functools.lru_cache(maxsize=4096)
def _long_date(d: dt.date) -> str:
    """"5 October 2026"; cached, as thousands of deadlines share a few hundred dates."""
    return f"{d:%-d %B %Y}"


def _review_category(rules: LaRules, year_group: int, rating: str, term_name: str) -> str:
    """Which review a child in this year group at a school of this rating needs this term."""
    if year_group >= 12:
        if rules.post16_pattern == DeadlineSettings.Post16Pattern.TERMLY \
                or (year_group, term_name) in STAFFORDSHIRE_POST16:
            return Kind.POST16
        return ""  # No post-16 review due this term.
    if 0 <= year_group <= 11 and rules.half_termly_for_ri_schools and rating in RI_RATINGS:
        return Kind.HALF_TERMLY
    return Kind.TERMLY


def _review_windows(category: str, term: school_calendar.Term) -> list[tuple[str, dt.date, dt.date, str, str]]:
    """(kind, window start, due date, key part, detail) of each review due this term."""
    ident = f"{term.academic_year}:{term.name}"
    label = f"{term.name} term {term.academic_year}"
    if category == Kind.HALF_TERMLY:
        return [
            (Kind.HALF_TERMLY, term.first_half.starts_on, _last_working_day(term.first_half.ends_on), ident + ":1",
             "first half of " + label),
            (Kind.HALF_TERMLY, term.second_half.starts_on, _last_working_day(term.second_half.ends_on),
             ident + ":2", "second half of " + label),
        ]
    if category:
        return [(category, term.starts_on, review_due(term.ends_on), ident, label)]
    return []


def _first(peps: Sequence[tuple], kind: str, since: dt.date) -> dt.date | None:
    """The first meeting of a PEP of ``kind`` on or after ``since``, from fetched rows."""
    return min((p[6] for p in peps if p[2] == kind and p[6] >= since), default=None)


@functools.lru_cache(maxsize=512)
def _last_working_day(d: dt.date) -> dt.date:
    """``d`` or the working day before it: the first half of a term "ends" on the Sunday
    before half-term, but the meeting has to be held by the Friday."""
    while not school_calendar.is_working_day(d):
        d -= dt.timedelta(days=1)
    return d


def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, month=3, day=1)


def compute_deadlines(*, today: dt.date | None = None, la_ids: Iterable[int] | None = None,
                      child_ids: QuerySet | Iterable[int] | None = None,
                      with_qa: bool = True) -> list[Deadline]:
    """Every current deadline of every child in care (of the given LAs / children).

    Seven queries whatever the number of children: term dates, settings, care episodes,
    children never met since entering care, placements, concern requests and PEPs.
    Everything else is arithmetic in Python. `with_qa=False` leaves out the quality
    assurance deadlines (the dashboards count QA from the PEPs themselves).
    """
    today = today or timezone.localdate()
    child_q = Q()
    la_q = Q()
    if la_ids is not None:
        la_ids = list(la_ids)
        child_q &= Q(child__local_authority_id__in=la_ids)
        la_q &= Q(local_authority_id__in=la_ids)
    if child_ids is not None:
        child_q &= Q(child_id__in=child_ids)
        if la_ids is None:
            from children.models import Child

            la_q &= Q(local_authority_id__in=Child.objects.filter(pk__in=child_ids).values("local_authority_id"))
    with transaction.atomic():
        _tune_session()
        return _compute(today, child_q, la_q, with_qa)


def _tune_session() -> None:
    """Settings for this transaction's few large queries (PostgreSQL only).

    JIT compilation took longer (about 0.5 s) than the queries it was meant to speed up,
    and the anti-join over every PEP spills to disk with the default 4 MB of work_mem.
    SET LOCAL ends with the transaction.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")


def _compute(today: dt.date, child_q: Q, la_q: Q, with_qa: bool = True) -> list[Deadline]:
    rules_by_la = _load_rules(today, la_q)
    counter = _Counter(today)
    scope_floor = min(r.scope_start for r in rules_by_la.values())
    cos_floor = min(r.change_of_school_cutoff for r in rules_by_la.values())
    term_floor = min((r.current_term.starts_on for r in rules_by_la.values() if r.current_term), default=today)

    # Meetings of these kinds are fetched from this far back: far enough for any initial
    # or change-of-school deadline that is due in the current term (20 school days can
    # span a summer holiday), so no per-child subquery is needed to find them.
    deep_floor = min(scope_floor, cos_floor) - DEEP_LOOKBACK

    in_care = Q(entered_care_on__lte=today) & (Q(left_care_on__isnull=True) | Q(left_care_on__gt=today))
    # Each child's earliest open episode governs (two overlapping episodes are possible);
    # picked here rather than sorted in the database, which cost more than the query.
    earliest: dict[int, tuple] = {}
    for row in (CareEpisode.objects.filter(in_care & child_q).order_by()
                .values_list("child_id", "child__la_reference", "child__first_name", "child__preferred_name",
                             "child__last_name", "child__date_of_birth", "child__local_authority_id",
                             "entered_care_on")):
        kept = earliest.get(row[0])
        if kept is None or row[7] < kept[7]:
            earliest[row[0]] = row
    episodes = sorted(earliest.values())  # by child id, as before
    # The same children as a subquery, so the other queries need no list of ids.
    in_care_children = CareEpisode.objects.filter(in_care & child_q).values("child_id")
    # Children with no PEP meeting at all since entering care (an anti-join, one pass).
    never_met = set(
        CareEpisode.objects.filter(in_care & child_q)
        .filter(~Exists(Pep.objects.filter(child_id=OuterRef("child_id"),
                                           meeting_held_on__gte=OuterRef("entered_care_on"))))
        .order_by().values_list("child_id", flat=True)
    )
    placements = (
        SchoolPlacement.objects.filter(child_id__in=in_care_children)
        .filter(Q(ended_on__isnull=True) | Q(started_on__gte=cos_floor))
        # Only a recent placement can be a change of school; CASE keeps PostgreSQL from
        # running the subquery for every other placement.
        .annotate(had_previous=Case(
            When(started_on__gte=cos_floor, then=Exists(SchoolPlacement.objects.filter(
                child_id=OuterRef("child_id"), started_on__lt=OuterRef("started_on")))),
            default=Value(False), output_field=BooleanField()))
        .order_by()
        .values_list("id", "child_id", "school_id", "school__name", "school__ofsted_rating", "year_group",
                     "started_on", "ended_on", "had_previous")
    )
    concerns = (
        ConcernRequest.objects.filter(child_id__in=in_care_children)
        .annotate(held=_first_meeting(Pep.Kind.CONCERN, "requested_on"))
        .filter(Q(requested_on__gte=scope_floor) | Q(held__isnull=True))
        .order_by()
        .values_list("id", "child_id", "requested_on", "held")
    )
    peps = (
        Pep.objects.filter(child_id__in=in_care_children, meeting_held_on__isnull=False)
        .filter(Q(meeting_held_on__gte=min(term_floor, scope_floor)) | Q(status=Pep.Status.SUBMITTED)
                | Q(kind__in=[Pep.Kind.INITIAL, Pep.Kind.CHANGE_OF_SCHOOL], meeting_held_on__gte=deep_floor))
        .order_by()
        .values_list("id", "child_id", "kind", "status", "term", "academic_year", "meeting_held_on",
                     "approved_at")
    )

    placements_of: dict[int, list[tuple]] = defaultdict(list)
    for placement in placements:
        placements_of[placement[1]].append(placement)
    concerns_of: dict[int, list[tuple]] = defaultdict(list)
    for concern in concerns:
        concerns_of[concern[1]].append(concern)
    peps_of: dict[int, list[tuple]] = defaultdict(list)
    for pep_row in peps:
        peps_of[pep_row[1]].append(pep_row)

    result: list[Deadline] = []
    append = result.append
    status_of = counter.status
    local_tz = timezone.get_current_timezone()
    windows_of: dict[tuple[int, str], list[tuple[str, dt.date, dt.date, str, str]]] = {}
    for (child_id, ref, first, preferred, last, dob, la_id, entered) in episodes:
        rules = rules_by_la.get(la_id) or rules_by_la[0]
        child_placements = placements_of.get(child_id, ())
        current = next((p for p in child_placements if p[7] is None and p[6] <= today), None)
        if current is None and today < _add_years(dob, 5):
            continue  # Under school age and not in a setting.
        name = f"{preferred or first} {last}"
        school_id = current[2] if current else None
        child_peps = peps_of.get(child_id, ())

        def add(kind: str, due_on: dt.date, done_on: dt.date | None, ident: str, detail: str,
                _child_id=child_id, _ref=ref, _name=name, _la=la_id, _school=school_id) -> None:
            append(Deadline(_child_id, _ref, _name, _la, kind, due_on, status_of(due_on, done_on),
                            f"{_child_id}:{kind}:{ident}:{due_on}", detail, done_on, _school))

        # Initial PEP.
        initial_due = counter.rule_days(entered, rules)
        if initial_due >= rules.scope_start or child_id in never_met:
            add(Kind.INITIAL, initial_due, _first(child_peps, INITIAL, entered), str(entered),
                "entered care " + _long_date(entered))

        # Changes of school.
        for (pid, _c, _s, school_name, _r, _y, started, _e, had_previous) in child_placements:
            if had_previous and started > entered and started >= rules.change_of_school_cutoff:
                add(Kind.CHANGE_OF_SCHOOL, counter.rule_days(started, rules),
                    _first(child_peps, CHANGE_OF_SCHOOL, started), str(pid),
                    f"started at {school_name} {_long_date(started)}")

        # This term's review(s).
        term = rules.current_term
        if current is not None and term is not None and current[6] <= term.ends_on \
                and entered <= term.ends_on and initial_due < term.starts_on:
            category = _review_category(rules, current[5], current[4], term.name)
            windows = windows_of.get((id(rules), category))
            if windows is None:
                windows = windows_of[(id(rules), category)] = _review_windows(category, term)
            if windows:
                meetings = sorted(p[6] for p in child_peps)
                for kind, starts, due, window_ident, detail in windows:
                    add(kind, due, next((m for m in meetings if m >= starts), None), window_ident, detail)

        # Concern reviews.
        for (cid, _c, requested_on, held) in concerns_of.get(child_id, ()):
            if requested_on < rules.scope_start and held is not None:
                continue
            add(Kind.CONCERN, counter.working(requested_on, SHORT_DAYS), held, str(cid),
                "asked for on " + _long_date(requested_on))

        # Quality assurance of PEPs whose meeting has been held.
        for (pep_id, _c, pep_kind, status, pep_term, year, held_on, approved_at) in (child_peps if with_qa else ()):
            if status == DRAFT or (status != SUBMITTED and held_on < rules.scope_start):
                continue
            if status == APPROVED:
                done = approved_at.astimezone(local_tz).date() if approved_at else held_on
            elif status == RETURNED:
                done = held_on  # No return date is kept: counted as done in time (see above).
            else:
                done = None
            add(Kind.QA, counter.working(held_on, SHORT_DAYS), done, str(pep_id),
                f"{PEP_KIND_LABELS.get(pep_kind, pep_kind)}, {pep_term} {year}, meeting {_long_date(held_on)}")
    return result


def record_deadlines(*, today: dt.date | None = None, la_ids: Iterable[int] | None = None,
                     child_ids: QuerySet | Iterable[int] | None = None) -> list[Deadline]:
    """The education record's reviews as deadlines: every open part-time timetable's agreed
    review date and every EHCP's annual review (due 12 months after the last). Two queries.

    Kept apart from compute_deadlines, so the daily PEP run (notices) and the dashboards
    count PEP deadlines only; the deadline lists add these.
    """
    from education.selectors import reviews_due

    today = today or timezone.localdate()
    counter = _Counter(today)
    rows = []
    for r in reviews_due(la_ids=la_ids, child_ids=child_ids, today=today):
        c = r.child
        rows.append(Deadline(c.pk, c.la_reference, f"{c.preferred_name or c.first_name} {c.last_name}",
                             c.local_authority_id, r.kind, r.due_on, counter.status(r.due_on, None),
                             f"{c.pk}:{r.kind}:{r.ident}:{r.due_on}", r.detail, None, None))
    return rows
