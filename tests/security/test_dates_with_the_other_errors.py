"""Issue 14: a wrong date (in the past where it must be later, in the future where it must
have happened, before a date it must follow) is reported by the form WITH its other errors,
in the GOV.UK error summary, on the first submit, and nothing is written. The rules are the
services' own (children.services.*_errors, targets.services.by_when_errors, the education
models' clean), so the services still refuse them for every other caller."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from children.models import CareEpisode, SchoolPlacement
from core.models import AuditEvent
from education.models import EetStatus, Exclusion, PartTimeTimetable
from targets.models import Target
from tests.meetings.factories import make_pep

pytestmark = pytest.mark.django_db


def _summary(response) -> list[str]:
    """The messages of the GOV.UK error summary, in order."""
    assert response.status_code == 200
    page = response.content.decode()
    match = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.S)
    assert match, "no error summary"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", match.group(0), re.S)]


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


TODAY = timezone.localdate


# ---- children --------------------------------------------------------------------------------


def test_a_new_school_before_the_current_one_is_reported_with_the_other_errors(client, world, vs_officer):
    client.force_login(vs_officer)
    before = (AuditEvent.objects.count(), SchoolPlacement.objects.count())
    response = client.post(reverse("placement_new", args=[world.child.pk]),
                           {"school_urn": "999999", "year_group": "", "started_on": "01/01/2024"})
    messages = _summary(response)
    assert messages == ["No school or setting has this URN", "Select the year group",
                        "The start date must be after the current placement started (2 September 2024)"]
    assert (AuditEvent.objects.count(), SchoolPlacement.objects.count()) == before


def test_a_placement_ended_in_the_future_or_before_it_began_is_a_form_error(client, world, vs_officer):
    placement = world.child.placements.get(ended_on__isnull=True)
    client.force_login(vs_officer)
    url = reverse("placement_end", args=[world.child.pk, placement.pk])
    assert _summary(client.post(url, {"ended_on": _day(TODAY() + dt.timedelta(days=3))})) == [
        "The end date must be today or in the past"]
    assert _summary(client.post(url, {"ended_on": "01/08/2024"})) == [
        "The end date must be on or after the placement started (2 September 2024)"]
    placement.refresh_from_db()
    assert placement.ended_on is None


def test_a_time_in_care_while_in_care_or_leaving_before_entering_is_a_form_error(client, world, vs_officer):
    client.force_login(vs_officer)
    before = (AuditEvent.objects.count(), CareEpisode.objects.count())
    response = client.post(reverse("care_episode_new", args=[world.child.pk]),
                           {"entered_care_on": "01/01/2025", "reason": "x" * 201})
    assert _summary(response) == [
        "This child is already in care: record when they left care before adding a new time in care",
        "Reason must be 200 characters or fewer"]
    episode = world.child.care_episodes.get()
    response = client.post(reverse("care_episode_end", args=[world.child.pk, episode.pk]),
                           {"left_care_on": "01/01/2024"})
    assert _summary(response) == ["The date they left care must be on or after they entered care (2 September 2024)"]
    episode.refresh_from_db()
    assert episode.left_care_on is None
    assert (AuditEvent.objects.count(), CareEpisode.objects.count()) == before


# ---- targets ---------------------------------------------------------------------------------


def _target_post(**overrides) -> dict:
    data = {"area": "english", "what": "Read a chapter book a week", "baseline": "",
            "success_criteria": "Reads 8 books in 8 weeks", "strategy_what": "Reading club",
            "strategy_who": "", "strategy_how_often": "", "responsible": "The English teacher",
            "by_when": "31/03/2099", "pp_plus_requested": ""}
    data.update(overrides)
    return data


def test_a_target_date_before_the_meeting_is_reported_with_the_other_errors(client, world, designated_teacher):
    held = TODAY() - dt.timedelta(days=2)
    pep = make_pep(world.child, meeting_held_on=held)
    client.force_login(designated_teacher)
    before = AuditEvent.objects.count()
    response = client.post(reverse("target_add", args=[pep.pk]),
                           _target_post(what="", responsible="", by_when=_day(held - dt.timedelta(days=10))))
    messages = _summary(response)
    assert "Enter the target" in messages and "Enter who is responsible for the target" in messages
    assert (f"The date the target should be met by must be after the PEP meeting ({held.day} {held:%B %Y})"
            in messages)
    # In page order: the target, then who is responsible, then the date.
    assert messages[-1].startswith("The date the target should be met by")
    assert messages.index("Enter the target") < messages.index("Enter who is responsible for the target")
    assert not Target.objects.filter(pep=pep).exists() and AuditEvent.objects.count() == before


def test_a_carried_forward_date_in_the_past_is_reported_with_the_other_errors(client, world, designated_teacher):
    from targets import services as target_services

    held = TODAY() - dt.timedelta(days=100)
    previous = make_pep(world.child, meeting_held_on=held, academic_year="2025/26")
    target = target_services.target_add(actor=None, pep=previous, **{
        k: v for k, v in _target_post().items() if k not in ("by_when", "pp_plus_requested")},
        by_when=held + dt.timedelta(days=60))
    type(previous).objects.filter(pk=previous.pk).update(status="approved")
    pep = make_pep(world.child, previous=previous, meeting_held_on=TODAY() - dt.timedelta(days=1))
    client.force_login(designated_teacher)
    before = AuditEvent.objects.count()
    url = reverse("target_review", args=[pep.pk, target.pk])
    messages = _summary(client.post(url, {"outcome": "carried_forward", "comment": "",
                                          "new_by_when": _day(TODAY() - dt.timedelta(days=5))}))
    assert "Enter a comment on the progress made towards the target" in messages
    assert any(m.startswith("The new date must be after ") for m in messages)
    messages = _summary(client.post(url, {"outcome": "carried_forward", "comment": ""}))
    assert "Enter the new date the target should be met by" in messages and len(messages) == 2
    assert not target.reviews.exists() and AuditEvent.objects.count() == before


# ---- the education record --------------------------------------------------------------------


def test_a_suspension_in_the_future_is_reported_with_its_missing_length(client, world, designated_teacher):
    client.force_login(designated_teacher)
    before = AuditEvent.objects.count()
    response = client.post(reverse("education_part_new", args=[world.child.pk, "exclusion"]), {
        "school": world.school.pk, "kind": Exclusion.Kind.SUSPENSION, "length_unit": Exclusion.Unit.DAYS,
        "starts_on": _day(TODAY() + dt.timedelta(days=7)), "length": "", "reason": ""})
    assert _summary(response) == ["The date it started must be today or in the past",
                                  "Enter how long the suspension is", "Select reason (DfE list)"]
    assert not Exclusion.objects.exists() and AuditEvent.objects.count() == before


def test_a_part_time_timetable_ending_and_reviewed_before_it_starts_reports_both(client, world,
                                                                                  designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "part-time-timetable"]), {
        "school": world.school.pk, "starts_on": "10/03/2026", "ends_on": "01/03/2026", "hours_per_week": "15",
        "review_on": "01/02/2026", "reason": ""})
    messages = _summary(response)
    assert messages == ["The end date must be on or after the start date",
                        "The review date must be on or after the start date"]
    assert not PartTimeTimetable.objects.exists()


def test_an_eet_status_starting_in_the_future_is_reported_with_the_missing_provider(client, world, vs_officer):
    client.force_login(vs_officer)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "eet"]), {
        "status": EetStatus.Status.EDUCATION, "starts_on": _day(TODAY() + dt.timedelta(days=30)),
        "ends_on": "", "provider": "", "personal_adviser": "", "pathway_plan_reviewed_on": ""})
    messages = _summary(response)
    assert "The start date must be today or in the past" in messages
    assert "Enter the provider, employer or college" in messages
    assert not EetStatus.objects.exists()
