"""The children policy as a table, and access ending on the very next request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from children import services
from children.policies import Action, children_visible_to, get_child_for, relationship
from core.roles import Role
from tests.factories import UserFactory

OK, NO, GONE = "ok", 403, 404
ACTIONS = [Action.VIEW, Action.EDIT_RECORD, Action.MANAGE_TEAM, Action.VIEW_AUDIT, Action.VIEW_PROFESSIONAL,
           Action.REQUEST_CONCERN_REVIEW]
OUTSIDE = {a: GONE for a in ACTIONS}

# relationship → action → outcome for Ruby (world.child).
TABLE = {
    "social_worker": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
                      Action.VIEW_PROFESSIONAL: OK, Action.REQUEST_CONCERN_REVIEW: OK},
    "designated_teacher": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
                           Action.VIEW_PROFESSIONAL: OK, Action.REQUEST_CONCERN_REVIEW: OK},
    "carer": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
              Action.VIEW_PROFESSIONAL: NO, Action.REQUEST_CONCERN_REVIEW: OK},
    "young_person": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
                     Action.VIEW_PROFESSIONAL: NO, Action.REQUEST_CONCERN_REVIEW: NO},
    "vs_officer": {a: OK for a in ACTIONS},
    "admin_user": {Action.VIEW: OK, Action.EDIT_RECORD: OK, Action.MANAGE_TEAM: OK, Action.VIEW_AUDIT: NO,
                   Action.VIEW_PROFESSIONAL: OK, Action.REQUEST_CONCERN_REVIEW: NO},
    "iro": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
            Action.VIEW_PROFESSIONAL: OK, Action.REQUEST_CONCERN_REVIEW: NO},
    "parent": {Action.VIEW: OK, Action.EDIT_RECORD: NO, Action.MANAGE_TEAM: NO, Action.VIEW_AUDIT: NO,
               Action.VIEW_PROFESSIONAL: NO, Action.REQUEST_CONCERN_REVIEW: NO},
    "outsider_social_worker": OUTSIDE,
    "outsider_designated_teacher": OUTSIDE,
    "outsider_carer": OUTSIDE,
    "outsider_young_person": OUTSIDE,
    "other_la_vs": OUTSIDE,
    "other_la_admin": OUTSIDE,
}


def _person(world, key):
    if key in ("iro", "parent"):
        user = UserFactory(role=Role.OTHER, local_authority=world.la, email=f"{key}@example.test")
        services.team_link(actor=None, child=world.child, user=user, role=key)
        return user
    return world.people[key]


def _outcome(user, child, action):
    try:
        get_child_for(user, child.pk, action)
    except Http404:
        return GONE
    except PermissionDenied:
        return NO
    return OK


@pytest.mark.parametrize("key", TABLE)
def test_the_policy_table(world, key):
    user = _person(world, key)
    got = {action: _outcome(user, world.child, action) for action in ACTIONS}
    assert got == TABLE[key]
    # The list agrees with the record: the child is listed exactly when it can be opened.
    assert (world.child in children_visible_to(user)) == (TABLE[key][Action.VIEW] == OK)


def test_a_virtual_school_officer_of_another_la_gets_404_on_every_child_page(world, client):
    client.force_login(world.people["other_la_vs"])
    for name in ("child_detail", "child_edit", "child_history", "placement_new", "team_link_new"):
        assert client.get(reverse(name, kwargs={"pk": world.child.pk})).status_code == 404
    assert world.child not in children_visible_to(world.people["other_la_vs"])


def test_unlinking_a_carer_gives_404_on_their_next_request(world, client):
    carer = world.people["carer"]
    client.force_login(carer)
    url = reverse("child_detail", kwargs={"pk": world.child.pk})
    assert client.get(url).status_code == 200
    services.team_unlink(actor=world.people["vs_officer"], link=world.child.team.get(user=carer))
    assert client.get(url).status_code == 404
    assert client.get(reverse("children_list")).content.decode().count("Ruby") == 0


def test_ending_a_placement_gives_the_designated_teacher_404_on_their_next_request(world, client):
    teacher = world.people["designated_teacher"]
    client.force_login(teacher)
    url = reverse("child_detail", kwargs={"pk": world.child.pk})
    assert client.get(url).status_code == 200
    placement = world.child.placements.get(ended_on__isnull=True)
    services.placement_end(actor=world.people["vs_officer"], placement=placement, ended_on=timezone.localdate())
    assert client.get(url).status_code == 404
    assert relationship(teacher, world.child) is None


def test_a_change_of_school_moves_access_from_the_old_designated_teacher_to_the_new(world):
    old_dt, new_dt = world.people["designated_teacher"], world.people["outsider_designated_teacher"]
    services.placement_start(actor=None, child=world.child, school=world.other_school, year_group=9,
                             started_on=timezone.localdate())
    assert relationship(old_dt, world.child) is None
    assert relationship(new_dt, world.child) == Role.DESIGNATED_TEACHER


def test_a_link_without_its_grant_gives_no_access(world):
    """Both the link and django-guardian's grant are needed: the grant alone or the link alone is not enough."""
    from children.models import ChildUserObjectPermission

    carer = world.people["carer"]
    ChildUserObjectPermission.objects.filter(user=carer, content_object=world.child).delete()
    assert relationship(carer, world.child) is None
    assert world.child not in children_visible_to(carer)


def test_a_switched_off_login_sees_no_children(world):
    sw = world.people["social_worker"]
    sw.is_active = False
    sw.save()
    assert relationship(sw, world.child) is None
    assert not children_visible_to(sw).exists()


@pytest.mark.parametrize("user_role,team_role", [
    (Role.CARER, Role.SOCIAL_WORKER),
    (Role.YOUNG_PERSON, Role.CARER),
    (Role.SOCIAL_WORKER, Role.VIRTUAL_SCHOOL),
    (Role.DESIGNATED_TEACHER, Role.SOCIAL_WORKER),
])
def test_a_person_cannot_be_linked_in_a_role_that_is_not_theirs(world, user_role, team_role):
    user = UserFactory(role=user_role, local_authority=world.la,
                       school=world.other_school if user_role == Role.DESIGNATED_TEACHER else None)
    with pytest.raises(ValidationError):
        services.team_link(actor=None, child=world.child, user=user, role=team_role)
    assert relationship(user, world.child) is None


def test_a_person_of_another_la_cannot_be_linked(world):
    far_away = UserFactory(role=Role.CARER, local_authority=world.other_la)
    with pytest.raises(ValidationError, match="does not work with"):
        services.team_link(actor=None, child=world.child, user=far_away, role=Role.CARER)


def test_a_link_starting_in_the_future_gives_no_access_yet(world):
    carer = UserFactory(role=Role.CARER, local_authority=world.la)
    services.team_link(actor=None, child=world.child, user=carer, role=Role.CARER,
                       starts_on=timezone.localdate() + dt.timedelta(days=3))
    assert relationship(carer, world.child) is None
