"""SMART targets and the review of the previous PEP's targets: the rules, one audit event per write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from children.models import Phase
from core.models import AuditEvent
from core.refusals import Refused
from peps.models import Pep
from targets import services
from targets.checks import NEEDS_ACADEMIC, NEEDS_REVIEW, problems_before_submit
from targets.models import Target, TargetReview
from tests.meetings.factories import make_pep
from tests.targets.factories import make_request, make_target, target_fields


def _writes() -> int:
    return AuditEvent.objects.exclude(verb=AuditEvent.Verb.VIEWED).count()


def test_adding_a_target_writes_one_audit_event(world, pep):
    before = _writes()
    target = services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields())
    assert _writes() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.object_type, event.child_id) == ("created", "targets.target", world.child.pk)
    assert target.child == world.child and target.status == Target.Status.OPEN
    assert target.created_by == world.people["designated_teacher"]


@pytest.mark.parametrize("criteria", ["Gets better at reading", "Is more confident in class"])
def test_it_refuses_success_criteria_that_cannot_be_measured(world, pep, criteria):
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep,
                            **target_fields(success_criteria=criteria))
    assert exc.value.message_dict["success_criteria"][0].startswith("Enter success criteria that can be measured")
    assert not Target.objects.exists()


@pytest.mark.parametrize("criteria", ["Reads 90 words a minute", "Attendance of 96% or more",
                                      "Completes all homework on time", "Hands in homework every week",
                                      "Reaches level three"])
def test_it_accepts_measurable_success_criteria(world, pep, criteria):
    services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields(success_criteria=criteria))


def test_it_refuses_a_target_without_success_criteria(world, pep):
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields(success_criteria=""))
    assert exc.value.message_dict["success_criteria"] == [
        "Enter the success criteria: how everyone will know the target has been met"]


def test_it_refuses_a_target_without_a_date(world, pep):
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields(by_when=None))
    assert exc.value.message_dict["by_when"] == ["Enter the date the target should be met by"]


def test_the_date_must_be_after_the_pep_meeting(world):
    pep = make_pep(world.child, meeting_held_on=dt.date(2026, 11, 20))
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep,
                            **target_fields(by_when=dt.date(2026, 11, 20)))
    assert exc.value.message_dict["by_when"] == [
        "The date the target should be met by must be after the PEP meeting (20 November 2026)"]
    services.target_add(actor=world.people["designated_teacher"], pep=pep,
                        **target_fields(by_when=dt.date(2026, 11, 21)))


def test_before_a_meeting_the_date_must_be_after_the_pep_began(world, pep):
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep,
                            **target_fields(by_when=timezone.localdate()))
    assert "must be after the PEP began" in exc.value.message_dict["by_when"][0]


def test_it_needs_who_is_responsible(world, pep):
    with pytest.raises(ValidationError) as exc:
        services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields(responsible=""))
    assert exc.value.message_dict == {"responsible": ["Enter who is responsible for the target"]}


def test_only_the_dt_and_the_virtual_school_manage_targets(world, pep):
    for key in ("social_worker", "carer", "young_person", "admin_user", "outsider_designated_teacher"):
        with pytest.raises(PermissionDenied):
            services.target_add(actor=world.people[key], pep=pep, **target_fields())
    services.target_add(actor=world.people["vs_officer"], pep=pep, **target_fields())


def test_targets_of_a_submitted_or_approved_pep_cannot_change(world):
    for status in (Pep.Status.SUBMITTED, Pep.Status.APPROVED):
        pep = make_pep(world.child, status=status)
        target = make_target(pep)
        with pytest.raises(PermissionDenied):
            services.target_add(actor=world.people["designated_teacher"], pep=pep, **target_fields())
        with pytest.raises(PermissionDenied):
            services.target_update(actor=world.people["designated_teacher"], target=target, what="New")
        with pytest.raises(Refused):
            services.target_add(actor=None, pep=pep, **target_fields())
        Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)


def test_updating_a_target_writes_one_audit_event_with_the_change(world, pep):
    target = make_target(pep)
    before = _writes()
    services.target_update(actor=world.people["designated_teacher"], target=target, what="Times tables to 12 fast")
    assert _writes() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.changes == {"what": ["Know times tables to 12", "Times tables to 12 fast"]}


def test_an_update_is_held_to_the_same_rules(world, pep):
    target = make_target(pep)
    with pytest.raises(ValidationError):
        services.target_update(actor=world.people["designated_teacher"], target=target, success_criteria="Better")
    target.refresh_from_db()
    assert target.success_criteria.startswith("Scores 45")


def test_deleting_a_target_writes_one_audit_event(world, pep):
    target = make_target(pep)
    before = _writes()
    services.target_delete(actor=world.people["designated_teacher"], target=target)
    assert _writes() == before + 1
    assert AuditEvent.objects.latest("id").verb == "deleted"
    assert not Target.objects.exists()


def test_a_target_with_a_pp_plus_request_cannot_be_deleted(world, pep):
    target = make_target(pep)
    make_request(pep, target=target)
    with pytest.raises(Refused):
        services.target_delete(actor=world.people["designated_teacher"], target=target)


# --------------------------------------------------------------------------------------
# The rule: a PEP of school age needs an academic target
# --------------------------------------------------------------------------------------


def test_a_school_age_pep_needs_an_academic_target(world, pep):
    assert NEEDS_ACADEMIC == "Add at least one academic target (English, maths, science or other academic)"
    assert problems_before_submit(pep) == [NEEDS_ACADEMIC]
    make_target(pep, area="wellbeing")
    make_target(pep, area="attendance")
    assert problems_before_submit(pep) == [NEEDS_ACADEMIC]
    make_target(pep, area="other_academic")
    assert problems_before_submit(pep) == []


def test_early_years_and_post_16_peps_need_no_academic_target(world):
    for phase in (Phase.EARLY_YEARS, Phase.POST_16):
        pep = make_pep(world.child, phase=phase)
        assert problems_before_submit(pep) == []
        Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)


def test_pep_submit_refuses_a_pep_without_an_academic_target(world, pep):
    from peps.services.workflow import submit_problems

    texts = [str(getattr(p, "message", p)) for p in submit_problems(pep)]
    assert NEEDS_ACADEMIC in texts


# --------------------------------------------------------------------------------------
# Review of the previous PEP's targets
# --------------------------------------------------------------------------------------


@pytest.fixture
def rollover(world):
    """An approved PEP with three targets, and the next PEP that must review them."""
    previous = make_pep(world.child, status=Pep.Status.APPROVED, term="summer", academic_year="2025/26",
                        created_at=timezone.now() - dt.timedelta(days=150), meeting_held_on=dt.date(2026, 6, 1))
    targets = [make_target(previous, area=a, by_when=dt.date(2026, 10, 1)) for a in ("english", "maths", "social")]
    current = make_pep(world.child, previous=previous)
    return previous, current, targets


def test_carry_forward_lists_the_previous_open_targets_for_review(world, rollover):
    previous, current, targets = rollover
    rows = services.targets_carry_forward(current, world.people["social_worker"])
    assert {r.target_id for r in rows} == {t.pk for t in targets}
    assert all(r.outcome == "" for r in TargetReview.objects.filter(pep=current))
    # Idempotent: calling it again adds nothing.
    assert services.targets_carry_forward(current, None) == []


def test_pep_start_hands_the_previous_targets_to_the_new_pep(world, rollover):
    """Through the PEP app's own rollover (peps.services.workflow.pep_start calls targets_carry_forward)."""
    from peps.services.workflow import pep_start

    previous, current, targets = rollover
    Pep.objects.filter(pk=current.pk).delete()
    new = pep_start(actor=world.people["social_worker"], child=world.child, kind=Pep.Kind.TERMLY)
    assert new.previous == previous
    assert set(TargetReview.objects.filter(pep=new).values_list("target_id", flat=True)) == {t.pk for t in targets}


def test_each_previous_target_must_be_reviewed_with_a_comment_before_submit(world, rollover):
    previous, current, targets = rollover
    make_target(current, area="english")
    assert NEEDS_REVIEW == "Review each of the previous PEP's targets"
    assert problems_before_submit(current) == [NEEDS_REVIEW]
    dt_user = world.people["designated_teacher"]
    services.target_review(actor=dt_user, pep=current, target=targets[0], outcome="achieved", comment="Done")
    services.target_review(actor=dt_user, pep=current, target=targets[1], outcome="partly_achieved",
                           comment="To 10 so far")
    assert problems_before_submit(current) == [NEEDS_REVIEW]
    services.target_review(actor=dt_user, pep=current, target=targets[2], outcome="not_achieved",
                           comment="Moved classes")
    assert problems_before_submit(current) == []
    assert [Target.objects.get(pk=t.pk).status for t in targets] == ["achieved", "partly_achieved", "not_achieved"]


def test_a_review_writes_one_audit_event(world, rollover):
    _previous, current, targets = rollover
    before = _writes()
    services.target_review(actor=world.people["vs_officer"], pep=current, target=targets[0], outcome="achieved",
                           comment="Reads fluently")
    assert _writes() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.object_type == "targets.targetreview"
    assert event.changes["target.status"] == ["open", "achieved"]


def test_a_review_needs_a_comment_and_an_outcome(world, rollover):
    _previous, current, targets = rollover
    with pytest.raises(ValidationError) as exc:
        services.target_review(actor=world.people["designated_teacher"], pep=current, target=targets[0],
                               outcome="achieved", comment=" ")
    assert exc.value.message_dict == {"comment": ["Enter a comment on the progress made towards the target"]}
    with pytest.raises(ValidationError):
        services.target_review(actor=world.people["designated_teacher"], pep=current, target=targets[0],
                               outcome="brilliant", comment="x")


def test_carrying_forward_copies_the_target_into_the_new_pep_and_undoing_removes_it(world, rollover):
    _previous, current, targets = rollover
    dt_user = world.people["designated_teacher"]
    with pytest.raises(ValidationError) as exc:
        services.target_review(actor=dt_user, pep=current, target=targets[1], outcome="carried_forward",
                               comment="Nearly there")
    assert exc.value.message_dict == {"new_by_when": ["Enter the new date the target should be met by"]}
    new_date = timezone.localdate() + dt.timedelta(days=60)
    review = services.target_review(actor=dt_user, pep=current, target=targets[1], outcome="carried_forward",
                                    comment="Nearly there", new_by_when=new_date)
    copy = review.carried_to
    assert copy.pep == current and copy.carried_from == targets[1] and copy.status == "open"
    assert copy.what == targets[1].what and copy.by_when == new_date and copy.pp_plus_requested is None
    assert Target.objects.get(pk=targets[1].pk).status == "carried_forward"
    # The copy counts as this PEP's academic target.
    services.target_review(actor=dt_user, pep=current, target=targets[0], outcome="achieved", comment="Yes")
    services.target_review(actor=dt_user, pep=current, target=targets[2], outcome="achieved", comment="Yes")
    assert problems_before_submit(current) == []
    # The carried-forward copy is removed through the review, not deleted directly.
    with pytest.raises(Refused):
        services.target_delete(actor=dt_user, target=copy)
    services.target_review(actor=dt_user, pep=current, target=targets[1], outcome="not_achieved", comment="No")
    assert not Target.objects.filter(pk=copy.pk).exists()
    assert problems_before_submit(current) == [NEEDS_ACADEMIC]


def test_only_the_previous_peps_targets_can_be_reviewed(world, rollover):
    _previous, current, _targets = rollover
    stranger = make_target(current)
    with pytest.raises(Refused):
        services.target_review(actor=world.people["designated_teacher"], pep=current, target=stranger,
                               outcome="achieved", comment="x")


def test_carers_cannot_review_targets(world, rollover):
    _previous, current, targets = rollover
    with pytest.raises(PermissionDenied):
        services.target_review(actor=world.people["carer"], pep=current, target=targets[0], outcome="achieved",
                               comment="x")
