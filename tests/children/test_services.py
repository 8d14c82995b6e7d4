"""Each children service writes exactly one audit event, and refuses what makes no sense."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from children import services
from children.models import ChildUserObjectPermission
from core.models import AuditEvent
from core.roles import Role
from tests.factories import SchoolFactory, UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def events():
    class Counter:
        def __init__(self):
            self.start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

        def new(self):
            return list(AuditEvent.objects.filter(id__gt=self.start).order_by("id"))

    return Counter


def test_child_create_writes_one_event_with_the_fields(world, events):
    counter = events()
    child = services.child_create(actor=world.people["vs_officer"], local_authority=world.la, la_reference="NEW1",
                                  first_name="Nia", last_name="New", date_of_birth=dt.date(2015, 1, 2),
                                  upn="l12345678901b")
    [event] = counter.new()
    assert (event.verb, event.child_id, event.actor) == ("created", child.pk, world.people["vs_officer"])
    assert event.changes["first_name"] == [None, "Nia"] and child.upn == "L12345678901B"


def test_child_create_refuses_a_reference_already_used_in_the_la(world, events):
    counter = events()
    with pytest.raises(ValidationError) as exc:
        services.child_create(actor=None, local_authority=world.la, la_reference=world.child.la_reference,
                              first_name="Dup", last_name="Licate", date_of_birth=dt.date(2015, 1, 2))
    assert "la_reference" in exc.value.message_dict and counter.new() == []


def test_child_update_writes_one_event_with_old_and_new_values(world, events):
    counter = events()
    services.child_update(actor=world.people["vs_officer"], child=world.child, preferred_name="Rubes",
                          safeguarding_notes="Sensitive")
    [event] = counter.new()
    assert event.verb == "updated"
    assert event.changes == {"preferred_name": ["", "Rubes"], "safeguarding_notes": ["", "Sensitive"]}


def test_child_update_with_nothing_changed_writes_nothing(world, events):
    counter = events()
    services.child_update(actor=world.people["vs_officer"], child=world.child, first_name=world.child.first_name)
    assert counter.new() == []


def test_a_refused_child_update_leaves_the_object_as_stored(world):
    with pytest.raises(ValidationError):
        services.child_update(actor=None, child=world.child, first_name="Changed", upn="not a upn")
    assert world.child.first_name == "Ruby"


def test_child_record_viewed_writes_one_viewed_event(world, events):
    counter = events()
    services.child_record_viewed(actor=world.people["carer"], child=world.child)
    [event] = counter.new()
    assert (event.verb, event.child_id) == ("viewed", world.child.pk)


def test_care_episodes_end_and_start_again_with_one_event_each(world, events):
    counter = events()
    episode = world.child.care_episodes.get()
    services.care_episode_end(actor=None, episode=episode, left_care_on=dt.date(2025, 3, 1))
    assert len(counter.new()) == 1
    services.care_episode_start(actor=None, child=world.child, entered_care_on=dt.date(2025, 6, 1), reason="Back")
    assert [e.verb for e in counter.new()] == ["updated", "created"]
    assert world.child.care_episodes.count() == 2


@pytest.mark.parametrize("entered", [dt.date(2025, 1, 1), dt.date(2025, 3, 1)])
def test_a_new_care_episode_must_start_after_the_last_one_ended(world, entered):
    episode = world.child.care_episodes.get()
    services.care_episode_end(actor=None, episode=episode, left_care_on=dt.date(2025, 3, 1))
    with pytest.raises(ValidationError, match="after they last left care"):
        services.care_episode_start(actor=None, child=world.child, entered_care_on=entered)


def test_a_second_open_care_episode_is_refused(world):
    with pytest.raises(ValidationError, match="already in care"):
        services.care_episode_start(actor=None, child=world.child, entered_care_on=dt.date(2025, 6, 1))


def test_care_episode_update_writes_one_event(world, events):
    counter = events()
    services.care_episode_update(actor=None, episode=world.child.care_episodes.get(),
                                 entered_care_on=dt.date(2024, 8, 30))
    [event] = counter.new()
    assert event.changes == {"entered_care_on": ["2024-09-02", "2024-08-30"]}


def test_placement_start_ends_the_current_one_the_day_before_with_one_event(world, events):
    counter = events()
    new = services.placement_start(actor=None, child=world.child, school=world.other_school, year_group=10,
                                   started_on=dt.date(2025, 9, 3))
    [event] = counter.new()
    old = world.child.placements.exclude(pk=new.pk).get()
    assert old.ended_on == dt.date(2025, 9, 2) and event.changes["ended_placements"] == [old.pk]


def test_placement_start_refuses_a_date_not_after_the_current_start(world):
    with pytest.raises(ValidationError, match="after the current placement started"):
        services.placement_start(actor=None, child=world.child, school=world.other_school, year_group=9,
                                 started_on=dt.date(2024, 9, 2))


def test_placement_update_writes_one_event(world, events):
    counter = events()
    services.placement_update(actor=None, placement=world.child.placements.get(), year_group=10,
                              part_time_timetable=True)
    [event] = counter.new()
    assert event.changes == {"part_time_timetable": [False, True], "year_group": [9, 10]}


def test_placement_end_writes_one_event_and_refuses_a_future_date(world, events):
    placement = world.child.placements.get()
    with pytest.raises(ValidationError, match="today or in the past"):
        services.placement_end(actor=None, placement=placement, ended_on=TODAY + dt.timedelta(days=1))
    counter = events()
    services.placement_end(actor=None, placement=placement, ended_on=TODAY)
    assert len(counter.new()) == 1


def test_team_link_writes_one_event_and_grants_the_permission(world, events):
    counter = events()
    carer = UserFactory(role=Role.CARER, local_authority=world.la)
    services.team_link(actor=world.people["vs_officer"], child=world.child, user=carer, role=Role.CARER)
    [event] = counter.new()
    assert event.verb == "linked" and event.changes["user"] == [None, carer.pk]
    assert ChildUserObjectPermission.objects.filter(user=carer, content_object=world.child).exists()


def test_linking_someone_already_linked_changes_nothing(world, events):
    counter = events()
    services.team_link(actor=None, child=world.child, user=world.people["carer"], role=Role.CARER)
    assert counter.new() == []


def test_a_child_has_at_most_one_young_person_login(world):
    other = UserFactory(role=Role.YOUNG_PERSON, local_authority=world.la)
    with pytest.raises(ValidationError, match="already has a young person"):
        services.team_link(actor=None, child=world.child, user=other, role=Role.YOUNG_PERSON)


def test_team_unlink_writes_one_event_and_revokes_the_grant(world, events):
    carer = world.people["carer"]
    counter = events()
    services.team_unlink(actor=world.people["vs_officer"], link=world.child.team.get(user=carer))
    [event] = counter.new()
    assert event.verb == "unlinked"
    assert not ChildUserObjectPermission.objects.filter(user=carer, content_object=world.child).exists()


def test_unlinking_one_of_two_roles_keeps_the_grant_for_the_other(world):
    sw = UserFactory(role=Role.SOCIAL_WORKER, local_authority=world.la)
    services.team_link(actor=None, child=world.child, user=sw, role=Role.SOCIAL_WORKER)
    iro_link = services.team_link(actor=None, child=world.child, user=sw, role=Role.IRO)
    services.team_unlink(actor=None, link=iro_link)
    assert ChildUserObjectPermission.objects.filter(user=sw, content_object=world.child).exists()


def test_a_school_of_another_la_can_take_a_child_placed_out_of_area(world):
    away = SchoolFactory(local_authority=world.other_la)
    placement = services.placement_start(actor=None, child=world.child, school=away, year_group=9,
                                         started_on=TODAY)
    assert placement.school.local_authority == world.other_la


# ---- dates that cannot be true: refused by the services, whoever calls them (forms, section A, imports)


@pytest.mark.django_db
def test_the_services_refuse_dates_before_birth():
    import datetime as _dt

    from django.core.exceptions import ValidationError as _VE

    from children import services as _services
    from children.models import CareEpisode as _Episode
    from children.models import SchoolPlacement as _Placement
    from tests.factories import CareEpisodeFactory as _EpisodeFactory
    from tests.factories import ChildFactory as _ChildFactory
    from tests.factories import SchoolFactory as _SchoolFactory

    child = _ChildFactory(date_of_birth=_dt.date(2015, 3, 1))
    with pytest.raises(_VE, match="date of birth"):
        _services.care_episode_start(actor=None, child=child, entered_care_on=_dt.date(2015, 2, 27))
    assert not _Episode.objects.filter(child=child).exists()
    episode = _EpisodeFactory(child=child, entered_care_on=_dt.date(2024, 1, 8))
    with pytest.raises(_VE, match="date of birth"):
        _services.care_episode_update(actor=None, episode=episode, entered_care_on=_dt.date(2014, 1, 1))
    episode.refresh_from_db()
    assert episode.entered_care_on == _dt.date(2024, 1, 8)
    with pytest.raises(_VE, match="date of birth"):
        _services.placement_start(actor=None, child=child, school=_SchoolFactory(), year_group=1,
                                  started_on=_dt.date(2015, 2, 1))
    assert not _Placement.objects.filter(child=child).exists()
