"""The demo data: QA'd PEPs in every rating over the last six terms, and idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from core.calendar import TermRef
from peps.models import Pep
from quality import selectors
from quality.models import QaRating, QaReview, Rag

pytestmark = pytest.mark.django_db


def test_the_demo_has_qa_in_every_rating_over_six_terms_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Pep.objects.count(), QaReview.objects.count(), QaRating.objects.count())
    reviewed = QaReview.objects.values_list("pep__academic_year", "pep__term", "overall").distinct()
    terms = {(year, term) for year, term, _overall in reviewed}
    assert len(terms) >= 5
    assert {overall for _y, _t, overall in reviewed} == {Rag.RED, Rag.AMBER, Rag.GREEN}
    assert Pep.objects.filter(status=Pep.Status.RETURNED, qa_reviews__overall=Rag.RED).exists()

    vs = User.objects.get(email="vs@demo.test")
    board = selectors.dashboard_for(vs, TermRef.containing(timezone.localdate()))
    percents = [p.percent for p in board.chart]
    assert len(set(percents)) > 2, percents  # a shape, not a flat line

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Pep.objects.count(), QaReview.objects.count(), QaRating.objects.count()) == counts
