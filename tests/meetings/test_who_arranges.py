"""Issue 14, point 5: the LA chooses who arranges PEP meetings; the rest of the team is told
who can, and a professional may ask them (an email through the outbox, one audit event)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent, Outbox
from meetings import services
from meetings.models import MeetingSettings
from meetings.policies import can_ask_for_meeting, can_schedule, scheduler_roles, who_arranges
from peps.policies import get_pep_for
from tests.meetings.factories import make_pep

SCHOOL_AND_VS = ["designated_teacher", "virtual_school"]


def _access(world, pep, key):
    return get_pep_for(world.people[key], pep.pk)


@pytest.mark.parametrize(("roles", "key", "allowed"), [
    (None, "social_worker", True),
    (None, "designated_teacher", True),
    (None, "vs_officer", True),
    (None, "carer", False),
    (None, "young_person", False),
    (None, "admin_user", False),
    (SCHOOL_AND_VS, "social_worker", False),
    (SCHOOL_AND_VS, "designated_teacher", True),
    (["social_worker"], "designated_teacher", False),
    (["social_worker"], "vs_officer", False),
    (["social_worker"], "social_worker", True),
])
def test_the_la_setting_decides_who_arranges_the_meeting(world, pep, roles, key, allowed):
    if roles is not None:
        MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=roles)
    assert can_schedule(_access(world, pep, key)) is allowed


def test_an_la_without_settings_lets_the_school_the_social_worker_and_the_vs_arrange(world):
    assert scheduler_roles(world.la) == ["designated_teacher", "social_worker", "virtual_school"]


def test_nobody_arranges_the_meeting_of_a_pep_that_is_not_open(world):
    from peps.models import Pep

    pep = make_pep(world.child, status=Pep.Status.SUBMITTED)
    assert not can_schedule(_access(world, pep, "designated_teacher"))


def test_the_sentence_names_the_roles_the_la_chose(world):
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=SCHOOL_AND_VS)
    assert who_arranges(world.la) == "A designated teacher or a Virtual School officer"


def test_a_professional_who_cannot_arrange_it_may_ask_and_the_family_may_not(world, pep):
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=SCHOOL_AND_VS)
    assert can_ask_for_meeting(_access(world, pep, "social_worker"))
    assert can_ask_for_meeting(_access(world, pep, "admin_user"))
    for key in ("carer", "young_person", "designated_teacher", "vs_officer"):
        assert not can_ask_for_meeting(_access(world, pep, key)), key


def test_the_settings_service_refuses_no_role_at_all(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.meeting_settings_set(actor=world.people["admin_user"], local_authority=world.la,
                                      chair_role="designated_teacher", scheduler_roles=[])
    assert "scheduler_roles" in caught.value.message_dict


def test_the_settings_page_saves_who_arranges_and_needs_one_role(world, client):
    client.force_login(world.people["admin_user"])
    page = client.get(reverse("meeting_settings")).content.decode()
    assert 'class="govuk-checkboxes__input"' in page and "Who can arrange PEP meetings?" in page
    response = client.post(reverse("meeting_settings"), {"chair_role": "designated_teacher"})
    assert response.status_code == 200
    assert "Select at least one role that can arrange PEP meetings" in response.content.decode()
    response = client.post(reverse("meeting_settings"), {"chair_role": "designated_teacher",
                                                         "scheduler_roles": SCHOOL_AND_VS})
    assert response.status_code == 302
    assert MeetingSettings.objects.get(local_authority=world.la).scheduler_roles == SCHOOL_AND_VS


def test_the_setting_changes_who_may_open_the_scheduling_page(world, pep, client):
    client.force_login(world.people["social_worker"])
    url = reverse("meeting_schedule", args=[pep.pk])
    assert client.get(url).status_code == 200
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=SCHOOL_AND_VS)
    page = client.get(url)
    assert page.status_code == 403
    html = page.content.decode()
    assert "A designated teacher or a Virtual School officer arranges this PEP's meeting" in html
    assert reverse("meeting_arrangement_request", args=[pep.pk]) in html


def test_a_carer_is_told_who_arranges_it_but_not_offered_the_ask(world, pep, client):
    client.force_login(world.people["carer"])
    page = client.get(reverse("meeting_schedule", args=[pep.pk]))
    assert page.status_code == 403
    html = page.content.decode()
    assert "arranges this PEP's meeting" in html
    assert reverse("meeting_arrangement_request", args=[pep.pk]) not in html


def test_the_pep_page_offers_the_ask_to_a_social_worker_who_cannot_arrange_it(world, pep, client):
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=SCHOOL_AND_VS)
    client.force_login(world.people["social_worker"])
    html = client.get(reverse("pep_detail", args=[pep.pk])).content.decode()
    assert "A designated teacher or a Virtual School officer arranges this PEP's meeting" in html
    assert "Ask them to arrange it" in html
    client.force_login(world.people["designated_teacher"])
    assert "Ask them to arrange it" not in client.get(reverse("pep_detail", args=[pep.pk])).content.decode()


def test_the_ask_emails_exactly_the_schedulers_of_the_childs_team(world, pep, client):
    MeetingSettings.objects.create(local_authority=world.la, scheduler_roles=SCHOOL_AND_VS)
    client.force_login(world.people["social_worker"])
    before = AuditEvent.objects.count()
    response = client.post(reverse("meeting_arrangement_request", args=[pep.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("pep_detail", args=[pep.pk])
    # The linked designated teacher and Virtual School officer; not the other LA's VS, not the
    # other LA's teacher at the same school, not the teacher of another child, not the family.
    assert sorted(Outbox.objects.values_list("to", flat=True)) == [
        "designated_teacher@example.test", "vs_officer@example.test"]
    email = Outbox.objects.first()
    assert reverse("pep_detail", args=[pep.pk]) in email.body
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.actor == world.people["social_worker"] and event.child_id == world.child.pk
    page = client.get(response["Location"]).content.decode()
    assert "to arrange this PEP&#x27;s meeting" in page


def test_the_ask_is_refused_to_people_who_can_arrange_it_and_to_the_family(world, pep, client):
    for key in ("designated_teacher", "carer", "young_person"):
        client.force_login(world.people[key])
        assert client.post(reverse("meeting_arrangement_request", args=[pep.pk])).status_code == 403, key
    client.force_login(world.people["outsider_social_worker"])
    assert client.post(reverse("meeting_arrangement_request", args=[pep.pk])).status_code == 404
    client.force_login(world.people["admin_user"])
    assert client.get(reverse("meeting_arrangement_request", args=[pep.pk])).status_code == 405
    assert not Outbox.objects.exists()


def test_the_ask_service_refuses_the_wrong_person_and_writes_nothing(world, pep):
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        services.meeting_arrangement_request(actor=world.people["carer"], pep=pep)
    with pytest.raises(PermissionDenied):
        services.meeting_arrangement_request(actor=world.people["other_la_admin"], pep=pep)
    assert AuditEvent.objects.count() == before and not Outbox.objects.exists()


def test_the_ask_service_writes_one_audit_event(world, pep):
    before = AuditEvent.objects.count()
    asked = services.meeting_arrangement_request(actor=world.people["admin_user"], pep=pep)
    assert {p.email for p in asked} == {"designated_teacher@example.test", "social_worker@example.test",
                                        "vs_officer@example.test"}
    assert AuditEvent.objects.count() == before + 1
