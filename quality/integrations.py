"""The seams with the other PEP apps, in one place.

Quality assurance, the PDF and the dashboards read what other apps own: the section form
definitions (peps.sections), meetings and targets with PP+ (meetings, targets), supporting
documents (peps.SupportingDocument) and the deadline engine (deadlines.engine). The
workflow itself (pep_return, pep_approve) is called directly from services.py.

Quality sits above every app it reads, so it imports them directly. Two fallbacks remain
on purpose: a section whose letter has no form definition is shown with its stored field
names humanised, and terms the deadline engine does not cover (it works on the current
term only) use selectors.fallback_deadlines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from deadlines import status as deadline_status
from deadlines.engine import compute_deadlines
from peps import care_record, record_link
from peps.models import Pep, Section
from peps.sections import form_class_for

# --------------------------------------------------------------------------------------
# Sections: labels and values
# --------------------------------------------------------------------------------------


def humanise(name: str) -> str:
    words = re.sub(r"[_\-]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", name)).strip()
    return words[:1].upper() + words[1:].lower() if words else name


def _display(value: Any) -> str:
    if value is None or value == "":
        return "Not recorded"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(_display(v) for v in value) or "Not recorded"
    if isinstance(value, dict):
        return "\n".join(f"{humanise(str(k))}: {_display(v)}" for k, v in value.items())
    return str(value)


def section_rows(pep: Pep, section: Section, *, professional: bool) -> list[tuple[str, str]]:
    """(label, value) pairs for one section, labelled by the section's form definition.

    Professional-only fields (health summary, SDQ score) are left out unless the reader is
    a professional; the stored PDF copy is rendered for the family, so it never has them.
    Anything stored that the definition does not know is shown with its name humanised.
    """
    # Section A: the child record's facts while the PEP is open, its snapshot after (peps.care_record).
    data = care_record.section_values(pep, section)
    form_class = form_class_for(pep.phase, section.letter)
    rows: list[tuple[str, str]] = []
    known: set[str] = set()
    if form_class is not None and hasattr(form_class, "display_rows"):
        known = set(getattr(form_class, "base_fields", {}))
        for row in form_class.display_rows(data, professional=professional):
            if row["name"] in data:
                value = row["value"] or "Not recorded"
                if row.get("flag"):
                    value = f"{value} ({row['flag']})"
                rows.append((str(row["label"]), value))
    for name, value in data.items():
        if name not in known and not name.startswith("_"):
            rows.append((humanise(name), _display(value)))
    eyfs = data.get(record_link.EYFS_KEY)
    if isinstance(eyfs, dict):
        # Section B of an early-years PEP: the EYFS profile from the education record.
        gld = "Yes" if eyfs.get("good_level_of_development") else "Not yet"
        rows.append((f"EYFS profile ({eyfs.get('academic_year')}): good level of development",
                     f"{gld}; {eyfs.get('expected_count')} of {eyfs.get('goals_count')} early learning goals "
                     "at the expected level"))
        emerging = [goal for _area, goals in eyfs.get("areas", []) for goal, level in goals if level != "Expected"]
        if emerging:
            rows.append(("EYFS profile: goals emerging", "\n".join(emerging)))
    return rows


# --------------------------------------------------------------------------------------
# Meeting, targets, PP+ and documents (meetings / targets apps, peps.SupportingDocument)
# --------------------------------------------------------------------------------------


@dataclass
class TargetRow:
    area: str
    what: str
    baseline: str
    success_criteria: str
    strategy: str
    responsible: str
    by_when: Any
    status: str
    pp_plus: Decimal | None
    later_reviews: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class PpPlusRow:
    what: str
    category: str
    amount: Decimal
    decision: str
    approved_amount: Decimal | None
    released: bool


@dataclass
class PepExtras:
    meeting: list[tuple[str, str]] = field(default_factory=list)
    attendees: list[tuple[str, str, str]] = field(default_factory=list)
    targets: list[TargetRow] = field(default_factory=list)
    previous_reviews: list[tuple[str, str, str]] = field(default_factory=list)
    pp_plus: list[PpPlusRow] = field(default_factory=list)
    documents: list[tuple[str, str]] = field(default_factory=list)


def without_repeated_label(outcome: str, comment: str) -> str:
    """The review's comment without the outcome written again at its start, so a PDF never
    says "Achieved: Achieved: ..." when the reviewer began the comment with the outcome."""
    comment = (comment or "").strip()
    if outcome and comment.lower().startswith(outcome.lower()):
        rest = comment[len(outcome):]
        if not rest or rest[:1] in ":.-–,;":
            return rest.lstrip(":.-–,; ").strip()
    return comment


def _day(value) -> str:
    return value.strftime("%-d %B %Y") if value else "Not recorded"


def pep_extras(pep: Pep, *, professional: bool = True) -> PepExtras:
    """The meeting record, targets and their reviews, PP+ and documents of one PEP.

    For a carer or the young person (`professional=False`) only the documents shared with
    the whole team are listed."""
    from meetings.models import Meeting
    from targets.models import Target, TargetReview

    extras = PepExtras()
    meeting = (Meeting.objects.filter(pep=pep).exclude(status=Meeting.Status.CANCELLED)
               .select_related("chair").prefetch_related("invitees").first())
    if meeting is not None:
        extras.meeting = [
            ("Date", _day(meeting.held_on) if meeting.held_on
             else f"Planned for {timezone.localtime(meeting.starts_at):%-d %B %Y at %H:%M}"),
            ("Where", f"{meeting.get_format_display()}{', ' + meeting.location if meeting.location else ''}"),
            ("Chair", meeting.chair.full_name),
            ("The child's part in it", meeting.get_child_participation_display() or "Not recorded"),
            ("What is going well", meeting.going_well or "Not recorded"),
            ("Difficulties and concerns", meeting.difficulties or "Not recorded"),
            ("Support in place", meeting.support_in_place or "Not recorded"),
            ("Impact of Pupil Premium Plus", meeting.pp_plus_impact or "Not recorded"),
            ("Next meeting", _day(meeting.next_meeting_on)),
        ]
        extras.attendees = [(i.name, i.role, i.get_attendance_display()) for i in meeting.invitees.all()]
    elif pep.meeting_held_on:
        extras.meeting = [("Date", _day(pep.meeting_held_on))]

    for target in (Target.objects.filter(pep=pep).select_related("responsible_user")
                   .prefetch_related("reviews").order_by("created_at", "pk")):
        what = target.strategy_what.strip()
        strategy = " ".join(part for part in (
            what if not what or what.endswith((".", "!", "?")) else what + ".",
            f"By {target.strategy_who}." if target.strategy_who else "",
            f"How often: {target.strategy_how_often}." if target.strategy_how_often else "") if part)
        extras.targets.append(TargetRow(
            area=target.get_area_display(), what=target.what, baseline=target.baseline,
            success_criteria=target.success_criteria, strategy=strategy,
            responsible=target.responsible_name or "Not recorded", by_when=target.by_when,
            status=target.get_status_display(), pp_plus=target.pp_plus_requested,
            later_reviews=[(r.get_outcome_display() or "Not reviewed yet",
                            without_repeated_label(r.get_outcome_display(), r.comment))
                           for r in target.reviews.all() if r.outcome],
        ))
    extras.previous_reviews = [
        (review.target.what, review.get_outcome_display() or "Not reviewed yet",
         without_repeated_label(review.get_outcome_display(), review.comment))
        for review in TargetReview.objects.filter(pep=pep).select_related("target").order_by("pk")
    ]
    approved_pep = pep.status == Pep.Status.APPROVED
    for request in pep.pp_plus_requests.order_by("requested_at", "pk"):
        extras.pp_plus.append(PpPlusRow(
            what=request.what_it_buys, category=request.get_category_display(), amount=request.amount,
            decision=request.get_status_display(), approved_amount=request.approved_amount,
            # Released (payable) only for an approved decision on an approved PEP.
            released=request.is_approved and approved_pep,
        ))
    documents = pep.documents.order_by("uploaded_at", "pk")
    if not professional:
        documents = documents.filter(visibility="team")
    for document in documents:
        # The file's name and description only: the files themselves stay in the portal.
        uploaded = timezone.localtime(document.uploaded_at).strftime("%-d %B %Y")
        detail = f"{document.description}, added {uploaded}" if document.description else f"added {uploaded}"
        extras.documents.append((document.original_name, detail))
    return extras


# --------------------------------------------------------------------------------------
# Deadlines (deadlines) and PP+ totals (targets) for the dashboards
# --------------------------------------------------------------------------------------


_REVIEW_KINDS = ("change_of_school", "termly", "half_termly", "post16", "concern")


def apply_deadlines(statuses, *, term, today, episodes, last_meeting, child_ids=None, la_id=None,
                    calendar=None) -> str:
    """Mark each child's overdue and due-soon flags; returns which source was used.

    `last_meeting` is a callable (one query) giving each child's latest meeting date, run
    only when the fallback needs it.

    For the current term the kept deadline status decides (deadlines.status, one
    aggregate query), or the engine itself (deadlines.engine, with each LA's term dates
    and rules) where the status is not kept for today; for earlier terms, which the engine does not
    cover, selectors.fallback_deadlines computes them from PEPs and care episodes.
    """
    from core.calendar import TermRef

    from .selectors import fallback_deadlines

    if term == TermRef.containing(today, calendar) and (child_ids is not None or la_id is not None):
        # A whole LA (the Virtual School's scope) is asked for by its id: simpler queries
        # than a list of its children.
        scope = {"la_ids": [la_id]} if la_id is not None else {"child_ids": child_ids}
        flags = deadline_status.child_flags(today=today, **scope)
        if flags is not None:
            # The kept deadline status: one GROUP BY over the children with something to do.
            for child_id, f in flags.items():
                s = statuses.get(child_id)
                if s is None:
                    continue
                s.initial_overdue = s.initial_overdue or f.initial_overdue
                s.review_overdue = s.review_overdue or f.review_overdue
                if f.due_soon_on is not None:
                    s.due_soon = True
                    s.due_on = min(s.due_on, f.due_soon_on) if s.due_on else f.due_soon_on
            return "status"
        for d in compute_deadlines(today=today, with_qa=False, **scope):
            s = statuses.get(d.child_id)
            if s is None or d.done_on is not None or d.kind == "qa":
                continue
            if d.status == "overdue":
                if d.kind == "initial":
                    s.initial_overdue = True
                elif d.kind in _REVIEW_KINDS:
                    s.review_overdue = True
            elif d.status == "due_soon":
                s.due_soon = True
                s.due_on = min(s.due_on, d.due_on) if s.due_on else d.due_on
        return "engine"
    fallback_deadlines(statuses, term=term, today=today, episodes=episodes, last_meeting=last_meeting())
    return "fallback"


def pp_plus_figures(ids, child_la_ids: dict[int, int], term, statuses=None):
    """PP+ allocated, requested, approved, released and remaining for the children (targets app).

    PP+ runs by financial year (April to March); the chosen term's year is the one its
    last month falls in. Allocated is each child's LA allocation per child. Two queries:
    the allocations, and the requests summed per child, so that each child's amounts are
    on its ChildStatus (when given) for the lists behind the PP+ figures.
    """
    from django.db.models import Q, Sum

    from targets.models import PpPlusAllocation, PpPlusRequest, financial_year_for

    from .selectors import PpPlusFigures

    financial_year = financial_year_for(term.window()[1])
    per_child = dict(PpPlusAllocation.objects.filter(
        financial_year=financial_year, local_authority_id__in=set(child_la_ids.values()))
        .order_by().values_list("local_authority_id", "amount_per_child"))
    approved = Q(status__in=PpPlusRequest.APPROVED_STATUSES)
    zero = Decimal(0)
    totals = {"requested": zero, "approved": zero, "released": zero}
    any_request = False
    for child_id, requested, approved_sum, released in (
            PpPlusRequest.objects.filter(child__in=ids, financial_year=financial_year).order_by()
            .values("child_id").annotate(requested=Sum("amount"), approved=Sum("approved_amount", filter=approved),
                                         released=Sum("approved_amount",
                                                      filter=approved & Q(pep__status=Pep.Status.APPROVED)))
            .values_list("child_id", "requested", "approved", "released")):
        any_request = True
        amounts = (requested or zero, approved_sum or zero, released or zero)
        for name, amount in zip(("requested", "approved", "released"), amounts, strict=True):
            totals[name] += amount
        status = statuses.get(child_id) if statuses is not None else None
        if status is not None:
            status.pp_requested, status.pp_approved, status.pp_released = amounts
    return PpPlusFigures(
        available=bool(per_child) or any_request,
        financial_year=financial_year,
        allocated=sum((per_child.get(la, zero) for la in child_la_ids.values()), zero),
        requested=totals["requested"], approved=totals["approved"], released=totals["released"],
    )
