from __future__ import annotations

import pytest
from django.core.management import call_command

from children.models import Phase
from peps.models import Pep, Section

pytestmark = pytest.mark.django_db


def test_demo_peps_cover_every_status_and_phase_and_are_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (Pep.objects.count(), Section.objects.count())
    statuses = set(Pep.objects.values_list("status", flat=True))
    phases = set(Pep.objects.values_list("phase", flat=True))
    assert statuses == set(Pep.Status.values) and phases == set(Phase.values)
    for phase in Phase.values:
        assert Pep.objects.filter(phase=phase, status__in=Pep.OPEN_STATUSES).exists()
    # A history of approved PEPs for some children.
    assert Pep.objects.filter(status=Pep.Status.APPROVED, previous__isnull=False).exists()
    # The young person's PEP is mid-way: A and B complete, C empty.
    mid = Pep.objects.get(child__team__user__email="yp@demo.test", status=Pep.Status.DRAFT)
    states = dict(mid.sections.values_list("letter", "state"))
    assert states["A"] == states["B"] == Section.State.COMPLETE
    assert states["C"] == Section.State.NOT_STARTED and mid.sections.get(letter="C").data == {}
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (Pep.objects.count(), Section.objects.count()) == counts


def test_demo_records_and_peps_agree_on_the_childs_facts():
    """Issue #14 point 8: the demo child's record and PEP gave different legal statuses and
    care-start dates; section A now reads them from the record and keeps them at submission."""
    from peps import care_record

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    for pep in Pep.objects.select_related("child").prefetch_related("sections"):
        a = next((s for s in pep.sections.all() if s.letter == "A"), None)
        if a is None:
            continue
        shown = care_record.section_values(pep, a)
        facts = care_record.facts(pep.child)
        assert shown["legal_status"] == facts["legal_status"], pep
        assert shown["date_entered_care"] == facts["date_entered_care"], pep
