"""Factories for PEPs in the states quality assurance needs, and QA records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from children.models import Phase
from peps.models import Pep, Section
from quality.models import QaCriterion, QaRating, QaReview, Rag
from targets.models import PpPlusRequest, Target


class PepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pep

    kind = Pep.Kind.TERMLY
    phase = Phase.SCHOOL_AGE
    academic_year = "2026/27"
    term = "autumn"
    status = Pep.Status.DRAFT


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    letter = "B"
    title = "Education"
    editor_roles = factory.LazyFunction(lambda: ["designated_teacher"])
    data = factory.LazyFunction(dict)


def submitted_pep(child, *, held_on: dt.date | None = None, **fields) -> Pep:
    """A PEP with the sections the PDF shows, its meeting held and submitted for QA."""
    held_on = held_on or timezone.localdate() - dt.timedelta(days=3)
    pep = PepFactory(child=child, status=Pep.Status.SUBMITTED, meeting_held_on=held_on,
                     submitted_at=timezone.now(), **fields)
    SectionFactory(pep=pep, letter="A", title="Care and contacts", editor_roles=["social_worker"],
                   data={"carer_name": "Pat Carer", "health_summary": "Asthma, uses an inhaler"})
    SectionFactory(pep=pep, letter="B", title="Education",
                   data={"school_name": "Ruby's School", "attendance_percent": 91.5})
    SectionFactory(pep=pep, letter="E", title="Meeting, targets and sign-off",
                   editor_roles=["designated_teacher", "virtual_school"],
                   data={"dt_summary": "A settled term; reading is the focus."})
    target = Target.objects.create(
        pep=pep, child=child, area="english", what="Read one chapter book a week with her carer",
        baseline="Reads picture books", success_criteria="Reading log shows a book a week for 8 weeks",
        strategy_what="Reading club twice a week", responsible="Designated teacher",
        by_when=held_on + dt.timedelta(days=90), pp_plus_requested=Decimal("240.00"))
    PpPlusRequest.objects.create(pep=pep, child=child, target=target, amount=Decimal("240.00"),
                                 what_it_buys="Reading tutor, 8 sessions", category="literacy")
    return pep


def qa_review(pep, reviewer, overall=Rag.GREEN, decision=QaReview.Decision.APPROVED, created_at=None):
    review = QaReview.objects.create(pep=pep, reviewer=reviewer, overall=overall, decision=decision,
                                     created_at=created_at or timezone.now())
    criterion = QaCriterion.objects.filter(local_authority=pep.child.local_authority).first()
    QaRating.objects.create(review=review, criterion=criterion, criterion_text=criterion.text if criterion else "X",
                            rating=overall)
    return review
