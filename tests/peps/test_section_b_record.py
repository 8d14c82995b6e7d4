"""Section B and the education record over the PEP's life: the record live while the PEP is
open (draft, returned, reopened), and what it said at submission kept once submitted or
approved (as section A does with the child's record)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.models import AuditEvent
from education import services as record_services
from education.models import Attainment
from peps.models import Pep, Section
from peps.services import workflow
from tests.peps.factories import ready_to_submit

pytestmark = pytest.mark.django_db


def _b(pep) -> Section:
    return pep.sections.get(letter="B")


def _view_b(client, user, pep) -> str:
    client.force_login(user)
    return " ".join(client.get(reverse("pep_section", args=[pep.pk, "B"])).content.decode().split())


def _english(page: str) -> str:
    return page.split("English</dt>")[1][:120]


def test_section_b_shows_the_record_live_while_open_and_keeps_a_snapshot_once_submitted(
        client, world, designated_teacher, vs_officer):
    pep = ready_to_submit(world.child)
    english = Attainment.objects.get(child=world.child, subject="English", term=pep.term)
    record_services.attainment_save(actor=None, child=world.child, instance=english, result="at")
    # A draft: the record as it is now.
    assert "At age-related expectations" in _english(_view_b(client, designated_teacher, pep))
    workflow.pep_submit(actor=None, pep=pep)
    event = AuditEvent.objects.filter(object_type="peps.pep").latest("id")
    assert event.changes["section_b_from_record"][1]["_record_as_of"] == dt.date.today().isoformat()
    assert _b(pep).data["attainment_english"] == "at"
    # Submitted: what the record said then, whatever it says now.
    record_services.attainment_save(actor=None, child=world.child, instance=english, result="above")
    page = _view_b(client, vs_officer, pep)
    assert "At age-related expectations" in _english(page)
    assert "What the education record said on" in page
    # Returned: open again, so the record live.
    workflow.pep_return(actor=vs_officer, pep=Pep.objects.get(pk=pep.pk), reason="Add the targets")
    assert "Above age-related expectations" in _english(_view_b(client, vs_officer, pep))
    pep = Pep.objects.get(pk=pep.pk)
    workflow.pep_submit(actor=None, pep=pep)
    workflow.pep_approve(actor=vs_officer, pep=Pep.objects.get(pk=pep.pk))
    record_services.attainment_save(actor=None, child=world.child, instance=english, result="below")
    page = _view_b(client, vs_officer, pep)
    assert "Above age-related expectations" in _english(page)
    assert _b(pep).data["attainment_english"] == "above"
    # Reopened: returned to the team, so the record live again.
    workflow.pep_reopen(actor=vs_officer, pep=Pep.objects.get(pk=pep.pk), reason="The attainment was wrong")
    assert "Below age-related expectations" in _english(_view_b(client, vs_officer, pep))


def test_an_early_years_section_b_shows_the_eyfs_profile_and_keeps_it_once_submitted(
        client, world, designated_teacher, vs_officer):
    from tests.education import helpers

    world.child.placements.update(year_group=-1)
    pep = ready_to_submit(world.child)
    assert pep.phase == "early_years"
    assert "No EYFS profile is recorded" in _view_b(client, designated_teacher, pep)
    profile = helpers.eyfs_profile(world.child, year="2025/26", elg_gross_motor="emerging")
    page = _view_b(client, designated_teacher, pep)
    assert "Not yet</strong> 16 of 17 early learning goals" in page and "Gross motor skills" in page
    workflow.pep_submit(actor=None, pep=pep)
    assert _b(pep).data["_eyfs_profile"]["good_level_of_development"] is False
    record_services.eyfs_profile_save(actor=None, child=world.child, instance=profile, elg_gross_motor="expected")
    page = _view_b(client, vs_officer, pep)
    assert "Not yet</strong> 16 of 17 early learning goals" in page
    # The PEP's PDF says the same.
    from quality.integrations import section_rows

    submitted = Pep.objects.get(pk=pep.pk)
    rows = dict(section_rows(submitted, _b(submitted), professional=False))
    assert rows["EYFS profile (2025/26): good level of development"].startswith("Not yet; 16 of 17")
    assert rows["EYFS profile: goals emerging"] == "Gross motor skills"


def test_a_year_9_section_b_does_not_show_the_eyfs_profile(client, world, designated_teacher):
    from tests.education import helpers

    helpers.eyfs_profile(world.child)
    pep = ready_to_submit(world.child)
    assert "EYFS profile" not in _view_b(client, designated_teacher, pep)
