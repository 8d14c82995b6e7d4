"""Reads for quality assurance and the dashboards, scoped to the person asking.

The dashboard reads a fixed handful of queries whatever the number of children (each
list is fetched once with values() and combined in Python), so it costs the same number
of queries for a school of 10 children and an LA of 2,500.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from accounts.models import User
from children.models import (
    YEAR_GROUP_CHOICES,
    CareEpisode,
    Child,
    Phase,
    SchoolPlacement,
    TeamMembership,
    phase_for_year_group,
)
from children.policies import children_visible_to
from core.audit import cached_until_write
from core.calendar import SchoolCalendar, TermRef, calendar_of, last_terms, working_days_between
from core.jobs import CATCH_UP_AFTER
from core.roles import Role
from deadlines.engine import SHORT_DAYS, initial_pep_due, is_due_soon, review_due
from peps.models import Pep

from . import integrations
from .models import QaReview, Rag

# The deadline rules' numbers are the engine's (deadlines.engine), never copied here.
QA_DUE_WORKING_DAYS = SHORT_DAYS

YEAR_GROUP_LABELS = dict(YEAR_GROUP_CHOICES)
PHASE_LABELS = dict(Phase.choices)


# --------------------------------------------------------------------------------------
# Who sees which dashboard
# --------------------------------------------------------------------------------------

DASHBOARD_ROLES: dict[str, str] = {
    Role.VIRTUAL_SCHOOL: "Virtual School dashboard",
    Role.LA_ADMIN: "Virtual School dashboard",
    Role.DESIGNATED_TEACHER: "School dashboard",
    Role.SOCIAL_WORKER: "Caseload",
}


def may_see_dashboard(user: User) -> bool:
    return user.is_authenticated and user.role in DASHBOARD_ROLES


def dashboard_title(user: User) -> str:
    return DASHBOARD_ROLES.get(user.role, "Dashboard")


# --------------------------------------------------------------------------------------
# QA history
# --------------------------------------------------------------------------------------


def qa_history(pep: Pep) -> list[QaReview]:
    return list(QaReview.objects.filter(pep=pep).select_related("reviewer").prefetch_related("ratings"))


def last_qa_for_child(child: Child) -> QaReview | None:
    return (QaReview.objects.filter(pep__child=child).select_related("pep", "reviewer")
            .prefetch_related("ratings").order_by("-created_at", "-pk").first())


def approved_without_pdf(*, now: dt.datetime | None = None) -> QuerySet[Pep]:
    """Approved PEPs still without their stored PDF CATCH_UP_AFTER after approval, oldest first.

    Their task failed or was lost: services.quality_catch_up makes them, and until then
    the PEP's page and the Virtual School's home page say the copy is missing.
    """
    cutoff = (now or timezone.now()) - CATCH_UP_AFTER
    # Served by the partial index pep_approved_without_pdf_idx.
    return Pep.objects.filter(status=Pep.Status.APPROVED, approved_pdf="", approved_at__lt=cutoff).order_by(
        "approved_at", "pk")


def stored_pdf_state(pep: Pep, *, now: dt.datetime | None = None) -> str:
    """"" when the PEP needs no stored copy or has one; "making" just after approval, while
    its task should be running; "missing" once that is past (the task failed or was lost)."""
    if pep.status != Pep.Status.APPROVED or pep.approved_pdf:
        return ""
    if pep.approved_at and pep.approved_at >= (now or timezone.now()) - CATCH_UP_AFTER:
        return "making"
    return "missing"


def approved_without_pdf_for(user: User) -> QuerySet[Pep]:
    """The same, for the children the person can see."""
    return approved_without_pdf().filter(child__in=children_visible_to(user)).select_related("child")


def awaiting_qa(user: User) -> QuerySet[Pep]:
    """Submitted PEPs of the children the person can see, oldest first."""
    return (Pep.objects.filter(child__in=children_visible_to(user), status=Pep.Status.SUBMITTED)
            .select_related("child").order_by("submitted_at", "pk"))


# --------------------------------------------------------------------------------------
# Dashboard
# --------------------------------------------------------------------------------------


@dataclass(slots=True)
class ChildStatus:
    id: int
    name: str
    reference: str
    school_id: int | None = None
    school_name: str = "No school recorded"
    social_workers: list[tuple[int, str]] = field(default_factory=list)
    phase: str = ""
    year_group: int | None = None
    needs_pep: bool = False
    held: bool = False
    pep_id: int | None = None
    pep_status: str = ""
    initial_overdue: bool = False
    review_overdue: bool = False
    due_soon: bool = False
    due_on: dt.date | None = None
    awaiting_qa: bool = False
    days_waiting: int | None = None
    rag: str | None = None
    # Pupil Premium Plus of the chosen term's financial year (targets app).
    pp_requested: Decimal = Decimal(0)
    pp_approved: Decimal = Decimal(0)
    pp_released: Decimal = Decimal(0)

    @property
    def year_group_label(self) -> str:
        return YEAR_GROUP_LABELS.get(self.year_group, "Not recorded") if self.year_group is not None \
            else "Not recorded"

    @property
    def phase_label(self) -> str:
        return PHASE_LABELS.get(self.phase, "Not recorded")

    @property
    def social_worker_names(self) -> str:
        return ", ".join(name for _id, name in self.social_workers) or "None"

    @property
    def qa_overdue(self) -> bool:
        return self.days_waiting is not None and self.days_waiting > QA_DUE_WORKING_DAYS


# figure key → (label, predicate). Order is the order on the page.
FIGURES: dict[str, tuple[str, Callable[[ChildStatus], bool]]] = {
    "needing": ("Children needing a PEP", lambda s: s.needs_pep),
    "held": ("PEP meetings held", lambda s: s.needs_pep and s.held),
    "not_held": ("No PEP meeting yet this term", lambda s: s.needs_pep and not s.held),
    "initial_overdue": ("Initial PEPs overdue", lambda s: s.initial_overdue),
    "review_overdue": ("Reviews overdue", lambda s: s.review_overdue),
    "due_soon": ("Due in the next 10 working days", lambda s: s.due_soon),
    "awaiting_qa": ("Awaiting quality assurance", lambda s: s.awaiting_qa),
    "qa_overdue": ("Quality assurance overdue", lambda s: s.awaiting_qa and s.qa_overdue),
    "rag_red": ("Rated red", lambda s: s.rag == Rag.RED),
    "rag_amber": ("Rated amber", lambda s: s.rag == Rag.AMBER),
    "rag_green": ("Rated green", lambda s: s.rag == Rag.GREEN),
    # Behind the PP+ amounts: the children the allocation is for, and those with requests.
    "pp_all": ("Children the PP+ allocation is for", lambda s: True),
    "pp_requested": ("Children with PP+ requested", lambda s: s.pp_requested > 0),
    "pp_approved": ("Children with PP+ approved", lambda s: s.pp_approved > 0),
    "pp_released": ("Children with PP+ released (approved PEPs)", lambda s: s.pp_released > 0),
}

PP_FIGURES = ("pp_all", "pp_requested", "pp_approved", "pp_released")

BREAKDOWNS = {
    "school": "School",
    "social_worker": "Social worker",
    "phase": "Phase",
    "year_group": "Year group",
}

BREAKDOWN_FIGURES = ["needing", "held", "initial_overdue", "review_overdue", "due_soon", "awaiting_qa"]


def _group_keys(status: ChildStatus, by: str) -> list[tuple[str, str]]:
    """(key, label) of the groups a child belongs to under one breakdown."""
    if by == "school":
        return [(str(status.school_id or 0), status.school_name)]
    if by == "social_worker":
        return [(str(pk), name) for pk, name in status.social_workers] or [("0", "No social worker")]
    if by == "phase":
        return [(status.phase or "none", status.phase_label)]
    if by == "year_group":
        return [("none" if status.year_group is None else str(status.year_group), status.year_group_label)]
    raise ValueError(by)


def in_group(status: ChildStatus, group: str) -> bool:
    """group is "" (everyone) or "<breakdown>:<key>"."""
    if not group:
        return True
    by, _, key = group.partition(":")
    if by not in BREAKDOWNS:
        return False
    return any(k == key for k, _label in _group_keys(status, by))


@dataclass
class BreakdownRow:
    key: str
    label: str
    counts: dict[str, int]

    @property
    def percent(self) -> int | None:
        needing = self.counts.get("needing", 0)
        return round(100 * self.counts.get("held", 0) / needing) if needing else None


@dataclass
class ChartPoint:
    term: TermRef
    needing: int
    held: int

    @property
    def percent(self) -> int:
        return round(100 * self.held / self.needing) if self.needing else 0


@dataclass
class PpPlusFigures:
    available: bool
    financial_year: str = ""
    allocated: Decimal = Decimal(0)
    requested: Decimal = Decimal(0)
    approved: Decimal = Decimal(0)
    released: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.allocated - self.approved


@dataclass
class Dashboard:
    term: TermRef
    today: dt.date
    statuses: list[ChildStatus]
    counts: dict[str, int]
    breakdowns: dict[str, list[BreakdownRow]]
    chart: list[ChartPoint]
    pp_plus: PpPlusFigures
    deadline_source: str

    @property
    def percent_compliant(self) -> int | None:
        needing = self.counts["needing"]
        return round(100 * self.counts["held"] / needing) if needing else None

    @property
    def awaiting(self) -> list[ChildStatus]:
        return sorted((s for s in self.statuses if s.awaiting_qa), key=lambda s: -(s.days_waiting or 0))


def scope_key(user: User) -> str:
    """Whose children: Virtual School officers and LA admins of one LA share one scope
    (children_visible_to gives them all the LA's children); anyone else, designated
    teachers included, their own caseload: two teachers at one school may have been linked
    to different children (by different LAs)."""
    if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN):
        return f"la{user.local_authority_id}"
    return f"user{user.pk}"


def scope_la(user: User) -> int | None:
    """The LA whose data version a scope's cached figures follow: the LA of an LA-wide
    scope; None (any write) for a caseload, whose children may be in several LAs."""
    return user.local_authority_id if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN) else None


def dashboard_cache_key(user: User, term: TermRef, today: dt.date) -> str:
    """Scope, term and day of a dashboard; core.audit.cached_until_write adds the
    version of the data (the LA's, for an LA-wide scope: scope_la), so an audited write
    that may change it makes the next request compute afresh."""
    return f"quality:dashboard:{scope_key(user)}:{term.key}:{today.isoformat()}"


def dashboard_cached(user: User, term: TermRef) -> Dashboard:
    """dashboard_for, computed once per scope, term, day and version of the data."""
    today = timezone.localdate()
    return cached_until_write(dashboard_cache_key(user, term, today), lambda: dashboard_for(user, term, today),
                              local_authority_id=scope_la(user))


def term_calendar(user: User) -> SchoolCalendar | None:
    """The calendar the person's terms are counted in: their LA's loaded term dates for the
    Virtual School and LA admins (one LA), the default pattern for a school's or a social
    worker's children, who may belong to several LAs."""
    if not (user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN) and user.local_authority_id):
        return None
    # Read once per request (the term form, the dashboard and its chart all ask).
    if "_term_calendar" not in user.__dict__:
        user.__dict__["_term_calendar"] = calendar_of(user.local_authority)
    return user.__dict__["_term_calendar"]


def dashboard_for(user: User, term: TermRef, today: dt.date | None = None) -> Dashboard:
    """Every figure of the dashboard for the children the person can see, in one term.

    A fixed number of queries (about a dozen, plus the deadline engine's six); the rest is
    arithmetic over one row per child. Rows are matched by child id with .get(), so a child
    added between two of the queries is simply left out rather than breaking the page.
    """
    today = today or timezone.localdate()
    scope = children_visible_to(user)
    statuses: dict[int, ChildStatus] = {}
    child_la: dict[int, int] = {}
    for pk, first, last, preferred, ref, la_id in scope.values_list(
            "pk", "first_name", "last_name", "preferred_name", "la_reference", "local_authority_id").order_by(
            "last_name", "first_name"):
        statuses[pk] = ChildStatus(id=pk, name=f"{preferred or first} {last}", reference=ref)
        child_la[pk] = la_id
    ids = scope.values("pk")

    for child_id, school_id, school_name, year_group in SchoolPlacement.objects.filter(
            child__in=ids, ended_on__isnull=True).values_list("child_id", "school_id", "school__name", "year_group"):
        status = statuses.get(child_id)
        if status is not None:
            status.school_id, status.school_name, status.year_group = school_id, school_name, year_group
            status.phase = _phase(year_group)

    for child_id, user_id, name in TeamMembership.objects.filter(
            child__in=ids, role=Role.SOCIAL_WORKER, ends_on__isnull=True).values_list(
            "child_id", "user_id", "user__full_name").order_by("child_id", "starts_on"):
        if child_id in statuses:
            statuses[child_id].social_workers.append((user_id, name))

    episodes: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for child_id, entered, left in CareEpisode.objects.filter(child__in=ids).values_list(
            "child_id", "entered_care_on", "left_care_on"):
        episodes[child_id].append((entered, left))

    # The chosen term's PEPs, then their QA ratings oldest first so the last one read wins
    # (two plain queries: cheaper than a correlated subquery per PEP).
    term_peps = (Pep.objects.filter(child__in=ids, academic_year=term.academic_year, term=term.term)
                 .values_list("pk", "child_id", "status", "meeting_held_on", "submitted_at")
                 .order_by("created_at", "pk"))
    child_of_pep: dict[int, int] = {}
    for pep_id, child_id, status_, held_on, submitted_at in term_peps:
        s = statuses.get(child_id)
        if s is None:
            continue
        child_of_pep[pep_id] = child_id
        s.pep_id, s.pep_status = pep_id, status_
        s.held = s.held or held_on is not None
        if status_ == Pep.Status.SUBMITTED:
            s.awaiting_qa = True
            waiting_since = held_on or (timezone.localdate(submitted_at) if submitted_at else None)
            s.days_waiting = _working_days_between(waiting_since, today) if waiting_since else None
    latest: dict[int, str] = {}
    for pep_id, overall in QaReview.objects.filter(
            pep__child__in=ids, pep__academic_year=term.academic_year, pep__term=term.term).order_by(
            "pep_id", "created_at", "pk").values_list("pep_id", "overall"):
        latest[pep_id] = overall
    for pep_id, overall in latest.items():
        # A child with two PEPs in a term (a concern review) shows the rating of the later one.
        pep_child = child_of_pep.get(pep_id)
        s = statuses.get(pep_child) if pep_child is not None else None
        if s is not None and (s.pep_id == pep_id or s.rag is None):
            s.rag = overall

    def last_meeting() -> dict[int, dt.date]:
        # Only the fallback deadline rules need it; the engine reads its own.
        return dict(Pep.objects.filter(child__in=ids, meeting_held_on__isnull=False).order_by()
                    .values("child_id").annotate(last=Max("meeting_held_on")).values_list("child_id", "last"))

    start, end = term.window()
    end = min(end, today)
    for pk, s in statuses.items():
        s.needs_pep = any(entered <= end and (left is None or left >= start) for entered, left in episodes.get(pk, ()))

    # children_visible_to gives the Virtual School and LA admins every child of their LA.
    la_scope = user.local_authority_id if user.role in (Role.VIRTUAL_SCHOOL, Role.LA_ADMIN) else None
    calendar = term_calendar(user)
    deadline_source = integrations.apply_deadlines(statuses, term=term, today=today, episodes=episodes,
                                                    last_meeting=last_meeting, child_ids=ids, la_id=la_scope,
                                                    calendar=calendar)
    pp_plus = integrations.pp_plus_figures(ids, child_la, term, statuses)
    status_list = list(statuses.values())
    counts = _figure_counts(status_list)
    breakdowns = _breakdowns(status_list)

    chart = _compliance_chart(scope_key(user), ids, statuses, episodes, today, term, calendar)
    return Dashboard(term=term, today=today, statuses=status_list, counts=counts, breakdowns=breakdowns,
                     chart=chart, pp_plus=pp_plus, deadline_source=deadline_source)


def _figure_counts(status_list: list[ChildStatus]) -> dict[str, int]:
    """FIGURES counted with plain attribute reads (this runs for every child of an LA)."""
    needing = [s for s in status_list if s.needs_pep]
    awaiting = [s for s in status_list if s.awaiting_qa]
    return {
        "needing": len(needing),
        "held": sum(1 for s in needing if s.held),
        "not_held": sum(1 for s in needing if not s.held),
        "initial_overdue": sum(1 for s in status_list if s.initial_overdue),
        "review_overdue": sum(1 for s in status_list if s.review_overdue),
        "due_soon": sum(1 for s in status_list if s.due_soon),
        "awaiting_qa": len(awaiting),
        "qa_overdue": sum(1 for s in awaiting if s.days_waiting is not None and s.days_waiting > QA_DUE_WORKING_DAYS),
        "rag_red": sum(1 for s in status_list if s.rag == Rag.RED),
        "rag_amber": sum(1 for s in status_list if s.rag == Rag.AMBER),
        "rag_green": sum(1 for s in status_list if s.rag == Rag.GREEN),
        "pp_all": len(status_list),
        "pp_requested": sum(1 for s in status_list if s.pp_requested > 0),
        "pp_approved": sum(1 for s in status_list if s.pp_approved > 0),
        "pp_released": sum(1 for s in status_list if s.pp_released > 0),
    }


def _breakdowns(status_list: list[ChildStatus]) -> dict[str, list[BreakdownRow]]:
    """BREAKDOWN_FIGURES per school, social worker, phase and year group in one pass.

    Each child's figures are a tuple of 0/1 in BREAKDOWN_FIGURES order; each group keeps
    the tuples of its children and sums them column by column at the end.
    """
    groups: dict[str, dict[str, tuple[str, list[tuple[int, ...]]]]] = {by: {} for by in BREAKDOWNS}
    school, worker, phase, year = (groups[by] for by in ("school", "social_worker", "phase", "year_group"))
    for s in status_list:
        needing = s.needs_pep
        f = (int(needing), int(needing and s.held), int(s.initial_overdue), int(s.review_overdue), int(s.due_soon),
             int(s.awaiting_qa))
        key = str(s.school_id or 0)
        (school.get(key) or school.setdefault(key, (s.school_name, [])))[1].append(f)
        for pk, name in s.social_workers or ((0, "No social worker"),):
            key = str(pk)
            (worker.get(key) or worker.setdefault(key, (name, [])))[1].append(f)
        key = s.phase or "none"
        (phase.get(key) or phase.setdefault(key, (s.phase_label, [])))[1].append(f)
        key = "none" if s.year_group is None else str(s.year_group)
        (year.get(key) or year.setdefault(key, (s.year_group_label, [])))[1].append(f)
    result: dict[str, list[BreakdownRow]] = {}
    for by, rows_by_key in groups.items():
        rows = [BreakdownRow(key=f"{by}:{key}", label=label,
                             counts=dict(zip(BREAKDOWN_FIGURES, map(sum, zip(*tuples, strict=True)), strict=True)))
                for key, (label, tuples) in rows_by_key.items()]
        result[by] = sorted(rows, key=functools.partial(_sort_key, by))
    return result


def _phase(year_group: int | None) -> str:
    return phase_for_year_group(year_group) or ""


def _sort_key(by: str, row: BreakdownRow):
    if by == "year_group":
        key = row.key.partition(":")[2]
        return (key == "none", int(key) if key.lstrip("-").isdigit() else 99)
    if by == "phase":
        order: list[str] = [Phase.EARLY_YEARS, Phase.SCHOOL_AGE, Phase.POST_16]
        key = row.key.partition(":")[2]
        return order.index(key) if key in order else 9
    return (row.label.lower(),)


# The earlier terms of the six-term chart change only when a meeting of a past term is
# recorded late, so their counts are kept for ten minutes whatever else is written; the
# current term's bar is always counted afresh (it is the "PEP meetings held" figure).
CHART_PAST_TERMS_SECONDS = 600


def _held_counts(ids, terms: list[TermRef]) -> dict[tuple[str, str], int]:
    """Children with a PEP meeting held, per term (one row per term, counted in the database)."""
    wanted = {(t.academic_year, t.term) for t in terms}
    rows = (Pep.objects.filter(child__in=ids, academic_year__in={y for y, _t in wanted},
                               term__in={t for _y, t in wanted}, meeting_held_on__isnull=False)
            .order_by().values("academic_year", "term").annotate(n=Count("child_id", distinct=True))
            .values_list("academic_year", "term", "n"))
    return {(year, name): n for year, name, n in rows if (year, name) in wanted}


def _compliance_chart(scope: str, ids, statuses: dict[int, ChildStatus], episodes, today: dt.date,
                      term: TermRef, calendar: SchoolCalendar | None = None) -> list[ChartPoint]:
    """For each of the last six terms: children in care then, and how many had a meeting.

    A meeting is only ever recorded for a child in care, so the count is of children
    needing a PEP.
    """
    terms = last_terms(today, 6, calendar)
    current = terms[-1]
    held = dict(cache.get_or_set(f"quality:chart:v1:{scope}:{today.isoformat()}",  # type: ignore[arg-type]  # never None with a default
                                 lambda: _held_counts(ids, terms[:-1]), CHART_PAST_TERMS_SECONDS))
    if term == current:
        held[(current.academic_year, current.term)] = sum(1 for s in statuses.values() if s.held)
    else:
        held.update(_held_counts(ids, [current]))
    spans = [(pk, entered, left) for pk, eps in episodes.items() if pk in statuses for entered, left in eps]
    points = []
    for t in terms:
        start, end = t.window()
        end = min(end, today)
        needing = len({pk for pk, entered, left in spans if entered <= end and (left is None or left >= start)})
        points.append(ChartPoint(term=t, needing=needing, held=min(needing, held.get((t.academic_year, t.term), 0))))
    return points


def children_behind(dashboard: Dashboard, figure: str, group: str = "") -> list[ChildStatus]:
    predicate = FIGURES[figure][1]
    return [s for s in dashboard.statuses if predicate(s) and in_group(s, group)]


def group_label(dashboard: Dashboard, group: str) -> str:
    if not group:
        return ""
    by = group.partition(":")[0]
    for row in dashboard.breakdowns.get(by, []):
        if row.key == group:
            return f"{BREAKDOWNS[by]}: {row.label}"
    return ""


@functools.lru_cache(maxsize=16384)
def _working_days_between(start: dt.date, end: dt.date) -> int:
    return working_days_between(start, end)


@functools.lru_cache(maxsize=16384)
def _initial_due(entered: dt.date) -> dt.date:
    """initial_pep_due, remembered: an LA's children share a few thousand start dates."""
    return initial_pep_due(entered)


def fallback_deadlines(statuses: dict[int, ChildStatus], *, term: TermRef, today: dt.date,
                       episodes: dict[int, list[tuple[dt.date, dt.date | None]]],
                       last_meeting: dict[int, dt.date]) -> None:
    """Overdue and due-soon from PEPs and care episodes alone, for terms the deadline engine
    does not cover (earlier terms, with no LA term dates: the term's calendar bounds from
    TermRef.window).

    The rules are the engine's own (deadlines.engine.initial_pep_due, review_due,
    is_due_soon): an initial PEP meeting within 20 working days of entering care; a
    meeting within the term, by its last working day, unless the initial PEP falls in the
    term or after it (the initial meeting is that term's PEP).
    """
    start, end = term.window()
    review_due_on = review_due(end)
    for pk, s in statuses.items():
        current = [(e, left) for e, left in episodes.get(pk, []) if left is None]
        initial_due = None
        if current:
            entered = current[0][0]
            initial_due = _initial_due(entered)
            met = last_meeting.get(pk) is not None and last_meeting[pk] >= entered
            if not met:
                if initial_due < today:
                    s.initial_overdue = True
                elif is_due_soon(today, initial_due):
                    s.due_soon, s.due_on = True, initial_due
        if s.needs_pep and not s.held and not s.initial_overdue:
            if initial_due is not None and initial_due >= start:
                continue
            if review_due_on < today:
                s.review_overdue = True
            elif is_due_soon(today, review_due_on) and not s.due_soon:
                s.due_soon, s.due_on = True, review_due_on


def csv_rows(statuses: Iterable[ChildStatus]) -> Iterable[list[str]]:
    yield ["LA reference", "Name", "School", "Year group", "Phase", "Social worker", "PEP status",
           "Meeting held", "Days waiting for QA", "Latest QA rating", "Due on", "PP+ requested (£)",
           "PP+ approved (£)", "PP+ released (£)"]
    for s in statuses:
        yield [s.reference, s.name, s.school_name, s.year_group_label, s.phase_label, s.social_worker_names,
               Pep.Status(s.pep_status).label if s.pep_status else "No PEP", "Yes" if s.held else "No",
               "" if s.days_waiting is None else str(s.days_waiting),
               Rag(s.rag).label if s.rag else "", s.due_on.isoformat() if s.due_on else "",
               f"{s.pp_requested:.2f}", f"{s.pp_approved:.2f}", f"{s.pp_released:.2f}"]
