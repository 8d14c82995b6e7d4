"""Issue #14 point 8: section A's facts are typed once, in the child's record (peps.care_record)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from children.models import Child
from core.models import AuditEvent
from peps.models import Pep, Section
from peps.services import workflow
from tests.peps.factories import ready_to_submit

pytestmark = pytest.mark.django_db


def _edit(pep):
    return reverse("pep_section_edit", args=[pep.pk, "A"])


def _view(pep):
    return reverse("pep_section", args=[pep.pk, "A"])


def _a(pep) -> Section:
    return pep.sections.get(letter="A")


@pytest.fixture
def editable_by_vs(pep):
    Section.objects.filter(pep=pep, letter="A").update(editor_roles=["social_worker", "virtual_school"])
    return pep


def _record(world, legal_status="co"):
    Child.objects.filter(pk=world.child.pk).update(legal_status=legal_status)


def test_section_a_shows_the_records_facts(client, world, pep, social_worker):
    _record(world)
    client.force_login(social_worker)
    for url in (_view(pep), _edit(pep)):
        page = client.get(url).text
        assert "Full care order" in page and "2 September 2024" in page
        assert "Ruby&#x27;s School, Year 9" in page
        assert "Carer" in page and "Social Worker" in page and "social_worker@example.test" in page
        assert "Change this on the child&#x27;s record" in page and "Change this on the team page" in page
    # The social worker may not edit the child's record: no legal status box on the form.
    assert 'name="legal_status"' not in client.get(_edit(pep)).text


def test_a_change_in_section_a_goes_to_the_record_once(client, world, editable_by_vs, vs_officer):
    pep = editable_by_vs
    _record(world, "s20")
    client.force_login(vs_officer)
    form = client.get(_edit(pep)).text
    assert 'name="legal_status"' in form and 'name="date_entered_care"' in form
    before = AuditEvent.objects.filter(object_type="children.child").count()
    response = client.post(_edit(pep), {"version": "0", "action": "save", "legal_status": "co",
                                        "date_entered_care": "01/09/2024", "other_agencies": "CAMHS"})
    assert response.status_code == 302, response.text
    world.child.refresh_from_db()
    assert world.child.legal_status == "co"
    assert world.child.care_episodes.get().entered_care_on == dt.date(2024, 9, 1)
    assert AuditEvent.objects.filter(object_type="children.child").count() == before + 1
    assert AuditEvent.objects.filter(object_type="children.careepisode",
                                     changes__has_key="entered_care_on").count() >= 1
    # The open PEP stores none of the record's facts, so the next reads agree with the record.
    assert "legal_status" not in _a(pep).data and _a(pep).data["other_agencies"] == "CAMHS"
    assert "Full care order" in client.get(_view(pep)).text
    child_page = client.get(reverse("child_detail", args=[world.child.pk])).text
    assert "Full care order" in child_page and "1 September 2024" in child_page


@pytest.mark.parametrize("persona", ["social_worker", "carer", "young_person"])
def test_those_who_cannot_edit_the_record_cannot_change_it_through_section_a(client, world, pep, persona):
    Section.objects.filter(pep=pep, letter="A").update(editor_roles=["social_worker", "carer", "young_person"])
    _record(world, "s20")
    client.force_login(world.people[persona])
    response = client.post(_edit(pep), {"version": "0", "action": "save", "legal_status": "co",
                                        "date_entered_care": "01/01/2020", "other_agencies": "None"})
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.legal_status == "s20"
    assert world.child.care_episodes.get().entered_care_on == dt.date(2024, 9, 2)
    assert not AuditEvent.objects.filter(object_type="children.child", verb="updated").exists()


@pytest.mark.parametrize("persona", ["other_la_vs", "other_la_admin", "other_la_designated_teacher"])
def test_another_la_cannot_reach_section_a(client, world, editable_by_vs, persona):
    _record(world, "s20")
    client.force_login(world.people[persona])
    response = client.post(_edit(editable_by_vs), {"version": "0", "action": "save", "legal_status": "co"})
    assert response.status_code == 404
    world.child.refresh_from_db()
    assert world.child.legal_status == "s20"


def test_the_family_never_sees_the_legal_status_in_section_a(client, world, pep):
    _record(world)
    for persona in ("carer", "young_person"):
        client.force_login(world.people[persona])
        page = client.get(_view(pep)).text
        assert "Full care order" not in page and "Legal status" not in page


def test_a_submitted_and_approved_pep_keeps_what_the_record_said(client, world, vs_officer):
    _record(world, "co")
    pep = ready_to_submit(world.child)
    workflow.pep_submit(actor=None, pep=pep)
    a = _a(pep)
    assert a.data["legal_status"] == "co" and a.data["date_entered_care"] == "2024-09-02"
    assert a.data["carer_name"] == "Carer" and a.data["_record_as_of"]
    event = AuditEvent.objects.filter(object_type="peps.pep").order_by("-pk").first()
    assert event.changes["section_a_from_record"][1]["legal_status"] == "co"
    workflow.pep_approve(actor=None, pep=Pep.objects.get(pk=pep.pk))
    # The record changes later: the approved PEP still says what it said then.
    Child.objects.filter(pk=world.child.pk).update(legal_status="po")
    client.force_login(vs_officer)
    page = client.get(_view(pep)).text
    assert "Full care order" in page and "Placement order" not in page
    assert "What the child’s record said when this PEP was submitted" in page


def test_the_child_page_phase_is_never_blank(client, world, vs_officer):
    client.force_login(vs_officer)
    assert "School age" in client.get(reverse("child_detail", args=[world.child.pk])).text
    world.child.placements.update(ended_on=dt.date(2025, 1, 1))
    page = client.get(reverse("child_detail", args=[world.child.pk])).text
    assert "(from their age: no school or setting recorded)" in page
