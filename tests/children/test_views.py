"""Children's pages: the right person can, the wrong one cannot, and bad input never changes anything."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from children import services
from children.models import Child
from children.policies import relationship
from core.models import AuditEvent
from core.roles import Role
from tests.children.factories import many_children
from tests.factories import SchoolFactory, UserFactory

SECRET_NOTE = "Zebra-crossing safeguarding secret"
SECRET_CONTACT = "Uncle Quentin must not know the school"


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs or None)


# ---- adding and changing a child -----------------------------------------------------------------


def test_the_virtual_school_adds_a_child(world, client):
    client.force_login(world.people["vs_officer"])
    response = client.post(url("child_new"), {
        "la_reference": "NEW123", "first_name": "Nell", "last_name": "Newchild", "date_of_birth": "3/4/2016",
        "gender": "female", "upn": "l12345678901b", "legal_status": "co", "safeguarding_notes": SECRET_NOTE})
    child = Child.objects.get(la_reference="NEW123")
    assert response.status_code == 302 and response["Location"] == url("child_detail", pk=child.pk)
    assert (child.local_authority, child.upn, child.safeguarding_notes) == (world.la, "L12345678901B", SECRET_NOTE)
    assert AuditEvent.objects.filter(child_id=child.pk, verb="created").count() == 1


def test_adding_a_child_with_mistakes_shows_them_and_adds_nothing(world, client):
    client.force_login(world.people["admin_user"])
    before = Child.objects.count()
    response = client.post(url("child_new"), {
        "la_reference": world.child.la_reference, "first_name": "", "last_name": "X", "date_of_birth": "31/2/2016",
        "gender": "female", "upn": "123"})
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    assert "Enter the child&#x27;s first name" in page and "Enter a real date" in page
    assert "A UPN has 13 characters, but 123 has 3" in page
    assert Child.objects.count() == before


def test_a_reference_already_used_is_refused_on_the_form(world, client):
    client.force_login(world.people["vs_officer"])
    response = client.post(url("child_new"), {
        "la_reference": world.child.la_reference, "first_name": "Dup", "last_name": "X", "date_of_birth": "3/4/2016",
        "gender": "male"})
    assert response.status_code == 200 and "Another child in this local authority has this reference" in (
        response.content.decode())


def test_a_social_worker_cannot_add_a_child(world, client):
    client.force_login(world.people["social_worker"])
    response = client.post(url("child_new"), {"la_reference": "NOPE", "first_name": "N", "last_name": "O",
                                              "date_of_birth": "3/4/2016", "gender": "male"})
    assert response.status_code == 403 and not Child.objects.filter(la_reference="NOPE").exists()


def _edit_data(child, **overrides):
    data = {"la_reference": child.la_reference, "first_name": child.first_name, "last_name": child.last_name,
            "date_of_birth": child.date_of_birth.strftime("%d/%m/%Y"), "gender": child.gender}
    data.update(overrides)
    return data


def test_an_admin_edits_a_child_including_professional_only_fields(world, client):
    client.force_login(world.people["admin_user"])
    response = client.post(url("child_edit", pk=world.child.pk), _edit_data(
        world.child, preferred_name="Rubes", safeguarding_notes=SECRET_NOTE, restricted_contacts=SECRET_CONTACT))
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert (world.child.preferred_name, world.child.restricted_contacts) == ("Rubes", SECRET_CONTACT)
    [event] = AuditEvent.objects.filter(child_id=world.child.pk, verb="updated")
    assert event.changes["preferred_name"] == ["", "Rubes"]


@pytest.mark.parametrize("persona", ["carer", "young_person", "social_worker", "designated_teacher"])
def test_team_members_without_the_right_cannot_edit_a_child(world, client, persona):
    client.force_login(world.people[persona])
    response = client.post(url("child_edit", pk=world.child.pk), _edit_data(world.child, first_name="Hacked"))
    world.child.refresh_from_db()
    assert response.status_code == 403 and world.child.first_name == "Ruby"


# ---- professional-only fields -----------------------------------------------------------------------


@pytest.fixture
def secrets(world):
    services.child_update(actor=None, child=world.child, safeguarding_notes=SECRET_NOTE,
                          restricted_contacts=SECRET_CONTACT)
    return world


@pytest.mark.parametrize("persona", ["carer", "young_person"])
def test_carers_and_young_people_never_see_professional_only_fields(secrets, client, persona):
    client.force_login(secrets.people[persona])
    pages = [url("child_detail", pk=secrets.child.pk), url("children_list"), url("home"),
             url("children_list") + "?q=Ruby"]
    for page in pages:
        response = client.get(page)
        body = response.content.decode()
        assert response.status_code == 200, page
        assert SECRET_NOTE not in body and SECRET_CONTACT not in body, page
        assert "Safeguarding notes" not in body and "Restricted contacts" not in body, page
    for name in ("child_edit", "child_history"):
        response = client.get(url(name, pk=secrets.child.pk))
        assert response.status_code == 403 and SECRET_NOTE not in response.content.decode()


@pytest.mark.parametrize("persona", ["social_worker", "designated_teacher", "vs_officer", "admin_user"])
def test_professionals_see_professional_only_fields(secrets, client, persona):
    client.force_login(secrets.people[persona])
    body = client.get(url("child_detail", pk=secrets.child.pk)).content.decode()
    assert SECRET_NOTE in body and SECRET_CONTACT in body


def test_the_edit_form_never_carries_professional_fields_for_someone_who_may_not_read_them():
    from children.forms import ChildForm

    assert "safeguarding_notes" not in ChildForm(professional=False).fields
    assert "restricted_contacts" in ChildForm(professional=True).fields


# ---- care episodes and placements -------------------------------------------------------------------


def test_the_virtual_school_records_leaving_and_re_entering_care(world, client):
    client.force_login(world.people["vs_officer"])
    episode = world.child.care_episodes.get()
    response = client.post(url("care_episode_end", pk=world.child.pk, episode_pk=episode.pk),
                           {"left_care_on": "1/3/2025"})
    assert response.status_code == 302
    response = client.post(url("care_episode_new", pk=world.child.pk), {"entered_care_on": "1/2/2025"})
    assert response.status_code == 200 and "after they last left care" in response.content.decode()
    response = client.post(url("care_episode_new", pk=world.child.pk), {"entered_care_on": "1/6/2025",
                                                                       "reason": "Returned"})
    assert response.status_code == 302 and world.child.care_episodes.count() == 2


def test_a_carer_cannot_add_a_time_in_care(world, client):
    client.force_login(world.people["carer"])
    response = client.post(url("care_episode_new", pk=world.child.pk), {"entered_care_on": "1/6/2025"})
    assert response.status_code == 403 and world.child.care_episodes.count() == 1


def test_a_new_school_is_found_by_urn_and_ends_the_old_placement(world, client):
    client.force_login(world.people["vs_officer"])
    response = client.post(url("placement_new", pk=world.child.pk), {"school_urn": "000000", "year_group": "9",
                                                                     "started_on": "3/9/2025"})
    assert response.status_code == 200 and "No school or setting has this URN" in response.content.decode()
    response = client.post(url("placement_new", pk=world.child.pk), {
        "school_urn": world.other_school.urn, "year_group": "10", "started_on": "3/9/2025",
        "part_time_timetable": "on"})
    assert response.status_code == 302
    current = world.child.placements.get(ended_on__isnull=True)
    assert (current.school, current.part_time_timetable) == (world.other_school, True)
    assert relationship(world.people["designated_teacher"], world.child) is None


def test_the_virtual_school_edits_a_placement(world, client):
    client.force_login(world.people["vs_officer"])
    placement = world.child.placements.get()
    response = client.post(url("placement_edit", pk=world.child.pk, placement_pk=placement.pk),
                           {"year_group": "10", "alternative_provision": "Forest school on Fridays"})
    placement.refresh_from_db()
    assert response.status_code == 302
    assert (placement.year_group, placement.alternative_provision) == (10, "Forest school on Fridays")


def test_a_placement_of_another_child_is_not_found_through_this_child(world, client):
    client.force_login(world.people["vs_officer"])
    others = world.other_child.placements.get()
    assert client.get(url("placement_edit", pk=world.child.pk, placement_pk=others.pk)).status_code == 404


def test_a_designated_teacher_cannot_edit_their_pupils_placement(world, client):
    client.force_login(world.people["designated_teacher"])
    placement = world.child.placements.get()
    response = client.post(url("placement_edit", pk=world.child.pk, placement_pk=placement.pk), {"year_group": "3"})
    placement.refresh_from_db()
    assert response.status_code == 403 and placement.year_group == 9


def test_ending_a_placement_in_the_future_is_refused_on_the_form(world, client):
    client.force_login(world.people["vs_officer"])
    placement = world.child.placements.get()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(url("placement_end", pk=world.child.pk, placement_pk=placement.pk),
                           {"ended_on": tomorrow.strftime("%d/%m/%Y")})
    placement.refresh_from_db()
    assert response.status_code == 200 and placement.ended_on is None
    assert "today or in the past" in response.content.decode()
    response = client.post(url("placement_end", pk=world.child.pk, placement_pk=placement.pk),
                           {"ended_on": timezone.localdate().strftime("%d/%m/%Y")})
    assert response.status_code == 302


# ---- the team ------------------------------------------------------------------------------------------


def test_the_virtual_school_links_a_carer_by_email(world, client):
    carer = UserFactory(email="New.Carer@example.test", role=Role.CARER, local_authority=world.la)
    client.force_login(world.people["vs_officer"])
    response = client.post(url("team_link_new", pk=world.child.pk), {"email": "new.carer@EXAMPLE.test",
                                                                     "role": Role.CARER})
    assert response.status_code == 302
    assert relationship(carer, world.child) == Role.CARER


@pytest.mark.parametrize("email,role,message", [
    ("nobody@example.test", Role.CARER, "No one with a login in Testshire County Council has this email"),
    ("carer@example.test", Role.SOCIAL_WORKER, "cannot be linked as social worker"),
    ("other_la_vs@example.test", Role.VIRTUAL_SCHOOL, "No one with a login in Testshire"),
    ("designated_teacher@example.test", Role.SOCIAL_WORKER, "Designated teachers are not linked"),
])
def test_linking_the_wrong_person_shows_why_and_links_nobody(world, client, email, role, message):
    client.force_login(world.people["vs_officer"])
    before = world.child.team.count()
    response = client.post(url("team_link_new", pk=world.child.pk), {"email": email, "role": role})
    assert response.status_code == 200 and message in response.content.decode().replace("&#x27;", "'")
    assert world.child.team.count() == before


def test_a_social_worker_cannot_link_people(world, client):
    client.force_login(world.people["social_worker"])
    response = client.post(url("team_link_new", pk=world.child.pk), {"email": "outsider_carer@example.test",
                                                                     "role": Role.CARER})
    assert response.status_code == 403
    assert relationship(world.people["outsider_carer"], world.child) is None


def test_unlinking_asks_first_then_unlinks_on_post(world, client):
    link = world.child.team.get(user=world.people["carer"])
    client.force_login(world.people["admin_user"])
    page = client.get(url("team_unlink", pk=world.child.pk, link_pk=link.pk))
    assert page.status_code == 200 and "Unlink Carer?" in page.content.decode()
    link.refresh_from_db()
    assert link.ends_on is None
    assert client.post(url("team_unlink", pk=world.child.pk, link_pk=link.pk)).status_code == 302
    assert relationship(world.people["carer"], world.child) is None
    # An ended link is gone from the page's reach.
    assert client.get(url("team_unlink", pk=world.child.pk, link_pk=link.pk)).status_code == 404


def test_a_carer_cannot_unlink_anyone(world, client):
    link = world.child.team.get(user=world.people["social_worker"])
    client.force_login(world.people["carer"])
    assert client.post(url("team_unlink", pk=world.child.pk, link_pk=link.pk)).status_code == 403
    assert relationship(world.people["social_worker"], world.child) == Role.SOCIAL_WORKER


# ---- audit history --------------------------------------------------------------------------------------


def test_the_audit_history_shows_who_did_what_with_old_and_new_values(world, client):
    vs = world.people["vs_officer"]
    services.child_update(actor=vs, child=world.child, last_name="Renamed")
    services.team_unlink(actor=vs, link=world.child.team.get(user=world.people["carer"]))
    client.force_login(vs)
    body = client.get(url("child_history", pk=world.child.pk)).content.decode()
    assert "Testchild → Renamed" in body
    assert "Vs Officer" in body and "Unlinked" in body and "Carer → (blank)" in body
    assert "Team membership" in body and "Viewed" in body


def test_the_audit_history_is_paginated(world, client):
    for _ in range(60):
        services.child_record_viewed(actor=world.people["carer"], child=world.child)
    client.force_login(world.people["vs_officer"])
    first = client.get(url("child_history", pk=world.child.pk))
    assert first.context["page"].paginator.num_pages >= 2 and len(first.context["rows"]) == 50
    second = client.get(url("child_history", pk=world.child.pk) + "?page=2")
    assert second.status_code == 200 and second.context["page"].number == 2


def test_an_admin_cannot_read_the_audit_history(world, client):
    client.force_login(world.people["admin_user"])
    assert client.get(url("child_history", pk=world.child.pk)).status_code == 403


def test_opening_a_child_records_a_viewed_event(world, client):
    client.force_login(world.people["carer"])
    client.get(url("child_detail", pk=world.child.pk))
    event = AuditEvent.objects.filter(child_id=world.child.pk).order_by("-id").first()
    assert (event.verb, event.actor) == ("viewed", world.people["carer"])


# ---- "My children" ----------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    return [child.first_name for child, _placement in response.context["rows"]]


def test_each_role_sees_their_own_children(world, client):
    expected = {"carer": ["Ruby"], "young_person": ["Ruby"], "social_worker": ["Ruby"],
                "designated_teacher": ["Ruby"], "outsider_carer": ["Otto"], "vs_officer": ["Otto", "Ruby"],
                "admin_user": ["Otto", "Ruby"], "other_la_vs": []}
    for persona, names in expected.items():
        client.force_login(world.people[persona])
        assert sorted(_names(client.get(url("children_list")))) == names, persona


def test_the_virtual_school_searches_and_filters(world, client):
    client.force_login(world.people["vs_officer"])
    list_url = url("children_list")
    assert _names(client.get(list_url, {"q": "otto"})) == ["Otto"]
    assert _names(client.get(list_url, {"q": world.child.la_reference})) == ["Ruby"]
    assert _names(client.get(list_url, {"school": world.other_school.pk})) == ["Otto"]
    services.placement_update(actor=None, placement=world.child.placements.get(), year_group=10)
    assert _names(client.get(list_url, {"year_group": "10"})) == ["Ruby"]
    assert _names(client.get(list_url, {"social_worker": world.people["outsider_social_worker"].pk})) == ["Otto"]


def test_the_list_pages_keep_the_filters_across_pages(world, client):
    many_children(60, la=world.la, school=world.school)
    client.force_login(world.people["vs_officer"])
    body = client.get(url("children_list"), {"school": world.school.pk}).content.decode()
    assert f"?school={world.school.pk}&amp;page=2" in body


@pytest.mark.parametrize("persona", ["vs_officer", "admin_user", "designated_teacher", "social_worker", "carer"])
def test_the_list_uses_a_constant_number_of_queries(world, client, django_assert_max_num_queries, persona):
    """The same limit at 10 and at 200 children."""
    school = world.school
    sw, carer = world.people["social_worker"], world.people["carer"]
    client.force_login(world.people[persona])
    list_url = url("children_list")
    many_children(10, la=world.la, school=school, social_worker=sw, carer=carer, prefix="TEN")
    with django_assert_max_num_queries(12):
        assert len(_names(client.get(list_url, {"q": "kid"} if persona == "vs_officer" else {}))) >= 10
    many_children(190, la=world.la, school=school, social_worker=sw, carer=carer, prefix="MORE")
    with django_assert_max_num_queries(12):
        assert len(_names(client.get(list_url, {"q": "kid"} if persona == "vs_officer" else {}))) == 50


def test_the_home_panel_links_the_virtual_school_to_its_pages(world, client):
    client.force_login(world.people["vs_officer"])
    body = client.get(url("home")).content.decode()
    for name in ("child_new", "children_import", "children_list"):
        assert f'href="{url(name)}"' in body
    client.force_login(world.people["carer"])
    assert url("children_import") not in client.get(url("home")).content.decode()


def test_an_out_of_area_school_does_not_widen_the_virtual_schools_reach(world, client):
    """A school of another LA holding this LA's child gives the other LA's VS nothing."""
    away = SchoolFactory(local_authority=world.other_la)
    services.placement_start(actor=None, child=world.child, school=away, year_group=9,
                             started_on=timezone.localdate())
    client.force_login(world.people["other_la_vs"])
    assert client.get(url("child_detail", pk=world.child.pk)).status_code == 404
