"""Demo quality assurance: QA'd PEPs in every rating over the last six terms.

Runs after the PEPs' own demo (accounts.hooks.FLOOR_ORDER). Past terms get approved PEPs for
most demo children, with compliance improving term by term so the chart has a shape; every
approved or returned PEP gets its QA history (some red and returned first, then approved
amber or green). Written directly, as the PEPs' demo does, so seeding sends no email and
renders no PDF (each approved PEP's copy is rendered the first time someone downloads it).
Idempotent: nothing is done for an LA that has QA reviews already.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import School, User
from children.models import Child, phase_for_year_group
from core.calendar import TermRef, add_working_days, is_working_day, last_terms
from peps.models import Pep, Section

from . import services
from .models import QaCriterion, QaRating, QaReview, Rag

# Share of children in care with a meeting, for each of the five past terms (oldest first).
COMPLIANCE = [0.55, 0.62, 0.7, 0.78, 0.86]

COMMENTS = {
    "childs-voice": ("The child's views are missing: ask them before the meeting.",
                     "The child's views are there but did not shape the targets."),
    "previous-targets": ("Last term's targets are not reviewed.", "Say which targets were achieved."),
    "attainment": ("No current attainment is recorded.", "Attainment is recorded for English only."),
    "attendance": ("Attendance is below 95% and there is no plan.", "Say what will improve attendance."),
    "smart-targets": ("There is no academic target.", "Say how progress will be measured and by when."),
    "pp-plus": ("Pupil Premium Plus is not costed.", "Link each PP+ cost to a target."),
    "transition": ("A transition plan is due and missing.", "Add dates to the transition plan."),
    "carer-input": ("The carer's views are missing.", "Add the carer's view on homework."),
    "attendees-next-meeting": ("No next meeting date.", "List who attended."),
}


def _ratings(rng: random.Random, criteria: list[QaCriterion], overall: str) -> list[tuple[QaCriterion, str, str]]:
    """Ratings whose worst is `overall`, with a comment on every red and amber."""
    rows: list[tuple[QaCriterion, str, str]] = [(c, Rag.GREEN, "") for c in criteria]
    if overall == Rag.GREEN:
        return rows
    picks = rng.sample(range(len(criteria)), k=min(len(criteria), rng.randint(1, 3)))
    for n, i in enumerate(picks):
        criterion = criteria[i]
        red_text, amber_text = COMMENTS.get(criterion.code, ("This needs more detail.", "This could be clearer."))
        if overall == Rag.RED and n == 0:
            rows[i] = (criterion, Rag.RED, red_text)
        else:
            rows[i] = (criterion, Rag.AMBER, amber_text)
    return rows


def _review(pep: Pep, reviewer: User, criteria, rng, overall: str, decision: str, at: dt.datetime) -> None:
    rows = _ratings(rng, criteria, overall)
    comment = "Returned: please address the red criteria." if decision == QaReview.Decision.RETURNED else ""
    review = QaReview.objects.create(pep=pep, reviewer=reviewer, overall=overall, decision=decision,
                                     comment=comment, created_at=at)
    QaRating.objects.bulk_create(QaRating(review=review, criterion=c, criterion_text=c.text, position=i,
                                          rating=rating, comment=text)
                                 for i, (c, rating, text) in enumerate(rows))


def _working_day_in(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    day = start + dt.timedelta(days=rng.randint(14, max(14, (end - start).days - 21)))
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _section_data(phase: str, letter: str, year_group: int | None) -> dict:
    """A complete section, through the section's own form (peps.demo's sample answers)."""
    from peps import demo as pep_demo
    from peps import sections as defs

    form = defs.form_class_for(phase, letter)(pep_demo.sample_answers(phase, letter, year_group=year_group))
    return form.to_data() if form.is_valid() else {}


def _historic_pep(child: Child, placement, term: TermRef, held_on: dt.date, status: str) -> Pep:
    from peps.services.config import section_config_for

    phase = phase_for_year_group(placement.year_group) or "school_age"
    created = timezone.make_aware(dt.datetime.combine(held_on - dt.timedelta(days=21), dt.time(9)))
    submitted = timezone.make_aware(dt.datetime.combine(held_on + dt.timedelta(days=2), dt.time(16)))
    pep = Pep.objects.create(child=child, kind=Pep.Kind.TERMLY, phase=phase, academic_year=term.academic_year,
                             term=term.term, status=status, meeting_held_on=held_on, school=placement.school,
                             created_at=created, submitted_at=submitted)
    from peps import care_record

    configs = [c for c in section_config_for(la=child.local_authority, phase=phase) if c.enabled]
    # Section A keeps what the child's record said when the PEP was submitted (as pep_submit does).
    from_record = {**care_record.facts(child), care_record.AS_OF: submitted.date().isoformat()}

    def data(letter: str) -> dict:
        answers = _section_data(phase, letter, placement.year_group)
        return {**care_record.without_facts(answers), **from_record} if letter == "A" else answers

    Section.objects.bulk_create(
        Section(pep=pep, letter=c.letter, title=c.title, editor_roles=c.editor_roles,
                data=data(c.letter), state=Section.State.COMPLETE)
        for c in configs)
    return pep


@transaction.atomic
def seed(la, schools: list[School], people: dict[str, User]) -> None:
    if QaReview.objects.filter(pep__child__local_authority=la).exists():
        return
    vs = people["vs@demo.test"]
    rng = random.Random(20261122)  # nosec B311 - demo data, not security
    criteria = services.active_criteria(la)
    today = timezone.localdate()
    terms = last_terms(today, 6)
    children = list(Child.objects.filter(local_authority=la).prefetch_related("care_episodes", "placements__school")
                    .order_by("la_reference"))
    have = set(Pep.objects.filter(child__local_authority=la).values_list("child_id", "academic_year", "term"))
    open_children = set(Pep.objects.filter(child__local_authority=la, status__in=Pep.OPEN_STATUSES)
                        .values_list("child_id", flat=True))

    # Past terms: approved PEPs for a growing share of the children then in care.
    for share, term in zip(COMPLIANCE, terms[:-1], strict=True):
        start, end = term.window()
        for child in children:
            placement = next((p for p in child.placements.all() if p.ended_on is None), None)
            in_care = any(e.entered_care_on <= start for e in child.care_episodes.all())
            if placement is None or not in_care or (child.pk, term.academic_year, term.term) in have:
                continue
            if rng.random() > share:
                continue
            held_on = _working_day_in(rng, start, end)
            approved_on = add_working_days(held_on, rng.randint(3, 14))
            pep = _historic_pep(child, placement, term, held_on, Pep.Status.APPROVED)
            Pep.objects.filter(pk=pep.pk).update(
                approved_at=timezone.make_aware(dt.datetime.combine(approved_on, dt.time(15))))
            have.add((child.pk, term.academic_year, term.term))

    # A few PEPs of the last past term were returned red and are still with their teams.
    last = terms[-2]
    returned = 0
    for child in children:
        placement = next((p for p in child.placements.all() if p.ended_on is None), None)
        if returned >= 2 or placement is None or child.pk in open_children \
                or (child.pk, last.academic_year, last.term) in have:
            continue
        start, end = last.window()
        if not any(e.entered_care_on <= start for e in child.care_episodes.all()):
            continue
        pep = _historic_pep(child, placement, last, _working_day_in(rng, start, end), Pep.Status.SUBMITTED)
        open_children.add(child.pk)
        returned += 1
        _qa_and_return(pep, vs, criteria, rng)

    # QA history for every approved or returned PEP (the PEPs' demo's ones too).
    for pep in Pep.objects.filter(child__local_authority=la, status__in=[Pep.Status.APPROVED, Pep.Status.RETURNED],
                                  qa_reviews__isnull=True).order_by("pk"):
        held = pep.meeting_held_on or timezone.localdate(pep.created_at)
        first_at = timezone.make_aware(dt.datetime.combine(add_working_days(held, 2), dt.time(11)))
        if pep.status == Pep.Status.RETURNED:
            _review(pep, vs, criteria, rng, Rag.RED, QaReview.Decision.RETURNED, min(first_at, timezone.now()))
            continue
        approved_at = pep.approved_at or timezone.now()
        roll = rng.random()
        if roll < 0.2:
            # Red first, returned, fixed, then approved.
            _review(pep, vs, criteria, rng, Rag.RED, QaReview.Decision.RETURNED,
                    min(first_at, approved_at - dt.timedelta(days=2)))
            _review(pep, vs, criteria, rng, rng.choice([Rag.AMBER, Rag.GREEN]), QaReview.Decision.APPROVED,
                    approved_at)
        else:
            _review(pep, vs, criteria, rng, Rag.AMBER if roll < 0.55 else Rag.GREEN, QaReview.Decision.APPROVED,
                    approved_at)


def _qa_and_return(pep: Pep, vs: User, criteria, rng) -> None:
    if pep.meeting_held_on is None:
        raise ValueError("Only a PEP whose meeting was held is reviewed")
    at = timezone.make_aware(dt.datetime.combine(add_working_days(pep.meeting_held_on, 4), dt.time(10)))
    _review(pep, vs, criteria, rng, Rag.RED, QaReview.Decision.RETURNED, at)
    review = pep.qa_reviews.first()
    if review is None:
        raise ValueError("The review just made is missing")
    reasons = services.return_reasons(((r.criterion_text, r.rating, r.comment) for r in review.ratings.all()),
                                      review.comment)
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.RETURNED, returned_reason=reasons)
