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


# ---- marking section A as complete needs the record's facts (issue 14) -----------------------


def _complete_data(pep, client, **extra) -> dict:
    """Section A's own answers, as the form would post them, to mark it as complete."""
    from peps.demo import sample_answers

    data = {**sample_answers(pep.phase, "A"), "version": str(_a(pep).version), "action": "complete"}
    data.update(extra)
    return data


def _summary_links(page: str) -> list[tuple[str, str]]:
    import re

    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S).group(0)
    return re.findall(r'<li><a href="([^"]+)">(.*?)</a></li>', summary, re.S)


def test_section_a_cannot_be_marked_complete_without_the_records_legal_status_and_care_date(
        client, world, pep, social_worker):
    Child.objects.filter(pk=world.child.pk).update(legal_status="")
    world.child.care_episodes.all().delete()
    client.force_login(social_worker)
    before = (AuditEvent.objects.count(), _a(pep).version, _a(pep).state, _a(pep).data)
    response = client.post(_edit(pep), _complete_data(pep, client))
    assert response.status_code == 200
    links = _summary_links(response.text)
    record = reverse("child_detail", args=[world.child.pk])
    assert (record + "#legal-status", "The child&#x27;s record has no legal status: add it on the child&#x27;s "
            "record before marking section A as complete") in links
    assert (record + "#care", "The child&#x27;s record has no date they entered care: add a time in care on "
            "the child&#x27;s record before marking section A as complete") in links
    assert (AuditEvent.objects.count(), _a(pep).version, _a(pep).state, _a(pep).data) == before
    # The anchors exist on the child's record, where the Virtual School changes them.
    client.force_login(world.people["vs_officer"])
    child_page = client.get(record).text
    assert 'id="legal-status"' in child_page and 'id="care"' in child_page
    # Saving without marking it as complete is still allowed.
    client.force_login(social_worker)
    saved = client.post(_edit(pep), {**_complete_data(pep, client), "action": "save"})
    assert saved.status_code == 302 and _a(pep).state == Section.State.IN_PROGRESS


def test_with_the_records_facts_section_a_is_marked_complete(client, world, pep, social_worker):
    _record(world, "co")
    client.force_login(social_worker)
    response = client.post(_edit(pep), _complete_data(pep, client))
    assert response.status_code == 302, response.text
    assert _a(pep).state == Section.State.COMPLETE


def test_someone_who_may_edit_the_record_is_told_on_the_field_and_can_type_it(client, world, editable_by_vs,
                                                                               vs_officer):
    pep = editable_by_vs
    Child.objects.filter(pk=world.child.pk).update(legal_status="")
    client.force_login(vs_officer)
    response = client.post(_edit(pep), _complete_data(pep, client, date_entered_care="02/09/2024"))
    assert response.status_code == 200
    assert _summary_links(response.text) == [(
        "#id_legal_status", "Enter legal status: the child&#x27;s record has none, and section A cannot be "
        "complete without it")]
    world.child.refresh_from_db()
    assert world.child.legal_status == ""
    response = client.post(_edit(pep), _complete_data(pep, client, legal_status="s20",
                                                      date_entered_care="02/09/2024"))
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.legal_status == "s20" and _a(pep).state == Section.State.COMPLETE


def test_the_service_refuses_to_complete_section_a_without_the_records_facts(world, pep, social_worker):
    from django.core.exceptions import ValidationError

    from peps.services.sections import section_save

    Child.objects.filter(pk=world.child.pk).update(legal_status="")
    with pytest.raises(ValidationError, match="no legal status"):
        section_save(actor=social_worker, section=_a(pep), data={"other_agencies": "x"}, version=_a(pep).version,
                     mark_complete=True)
    assert _a(pep).state != Section.State.COMPLETE


@pytest.mark.parametrize(("typed", "message"), [
    ("future", "The date the child entered care must be today or in the past"),
    ("before_birth", "The date they entered care must be on or after their date of birth"),
])
def test_a_care_date_that_cannot_be_true_is_reported_with_the_other_errors(client, world, editable_by_vs,
                                                                          vs_officer, typed, message):
    from django.utils import timezone

    pep = editable_by_vs
    day = timezone.localdate() + dt.timedelta(days=2) if typed == "future" \
        else world.child.date_of_birth - dt.timedelta(days=1)
    client.force_login(vs_officer)
    events = AuditEvent.objects.count()
    response = client.post(_edit(pep), {"version": "0", "action": "save", "legal_status": "co",
                                        "date_entered_care": day.strftime("%d/%m/%Y"), "other_agencies": "CAMHS"})
    assert response.status_code == 200
    assert message in response.text and "govuk-error-summary" in response.text
    assert world.child.care_episodes.get().entered_care_on == dt.date(2024, 9, 2)
    assert AuditEvent.objects.count() == events
    assert "other_agencies" not in (_a(pep).data or {})


def test_leaving_care_in_the_future_is_a_form_error(client, world, vs_officer):
    from django.utils import timezone

    episode = world.child.care_episodes.get()
    client.force_login(vs_officer)
    day = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(reverse("care_episode_end", args=[world.child.pk, episode.pk]),
                           {"left_care_on": day.strftime("%d/%m/%Y")})
    assert response.status_code == 200 and "The date they left care must be today or in the past" in response.text
    episode.refresh_from_db()
    assert episode.left_care_on is None
