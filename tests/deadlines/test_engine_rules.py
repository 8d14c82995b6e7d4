"""The deadline rules at the service level, on dates counted by hand.

Each expected date was counted on a printed calendar (the count is in the comment) and
checked against the England and Wales bank holidays; none was copied from the code.
Term dates are the example pattern: autumn 2026/27 runs 2 September to 18 December
2026 with half-term 26 to 30 October; spring 2025/26 ends 27 March 2026 and summer
starts 13 April 2026 with half-term 25 to 29 May.
"""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import School
from children import services as child_services
from deadlines.engine import compute_deadlines
from peps.models import Pep
from tests.deadlines.factories import (
    ConcernRequestFactory,
    PepFactory,
    child_in_care,
    la_with_calendar,
    school_in,
)

pytestmark = pytest.mark.django_db

D = dt.date


def deadlines_of(child, today):
    return {(d.kind, d.detail.split(" ")[0] if d.kind == "half_termly" else ""): d
            for d in compute_deadlines(today=today, la_ids=[child.local_authority_id]) if d.child_id == child.pk}


def one(child, kind, today):
    rows = [d for d in compute_deadlines(today=today, la_ids=[child.local_authority_id])
            if d.child_id == child.pk and d.kind == kind]
    assert len(rows) == 1, rows
    return rows[0]


@pytest.fixture
def la():
    return la_with_calendar("WD")


@pytest.fixture
def school_days_la():
    return la_with_calendar("SD", count_school_days=True)


# --- initial PEP --------------------------------------------------------------------------


def test_the_initial_pep_across_easter_is_due_on_22_april_2026(la):
    # Entered Mon 23 Mar. 24-27 Mar (4), 30 Mar-2 Apr (8), Good Friday 3 Apr and Easter
    # Monday 6 Apr skipped, 7-10 Apr (12), 13-17 Apr (17), 20-22 Apr (20): Wed 22 April.
    child = child_in_care(la, entered=D(2026, 3, 23), school=school_in(la))
    initial = one(child, "initial", D(2026, 3, 30))
    assert initial.due_on == D(2026, 4, 22)
    assert initial.status == "on_track"


def test_the_initial_pep_is_due_soon_from_ten_working_days_before(la):
    child = child_in_care(la, entered=D(2026, 3, 23), school=school_in(la))
    # On Wed 8 Apr the working days to 22 Apr are 9, 10, 13-17, 20-22: ten. On Tue 7 Apr, eleven.
    assert one(child, "initial", D(2026, 4, 8)).status == "due_soon"
    assert one(child, "initial", D(2026, 4, 7)).status == "on_track"
    assert one(child, "initial", D(2026, 4, 22)).status == "due_soon"
    assert one(child, "initial", D(2026, 4, 23)).status == "overdue"


def test_the_initial_pep_across_easter_in_school_days_is_due_on_5_may_2026(school_days_la):
    # Spring term to Fri 27 Mar: 24-27 Mar (4). Easter holiday. Summer term from 13 Apr:
    # 13-17 (9), 20-24 (14), 27 Apr-1 May (19), Mon 4 May early May bank holiday, Tue 5 May (20).
    child = child_in_care(school_days_la, entered=D(2026, 3, 23), school=school_in(school_days_la))
    assert one(child, "initial", D(2026, 3, 30)).due_on == D(2026, 5, 5)


def test_the_initial_pep_across_the_late_may_bank_holiday_is_due_on_15_june_2026(la):
    # Entered Fri 15 May. 18-22 May (5), Mon 25 May bank holiday, 26-29 May (9),
    # 1-5 Jun (14), 8-12 Jun (19), Mon 15 Jun (20).
    child = child_in_care(la, entered=D(2026, 5, 15), school=school_in(la))
    assert one(child, "initial", D(2026, 5, 20)).due_on == D(2026, 6, 15)


def test_the_initial_pep_over_the_may_half_term_in_school_days_is_due_on_19_june_2026(school_days_la):
    # 18-22 May (5); half-term 25-29 May; 1-5 Jun (10), 8-12 Jun (15), 15-19 Jun (20).
    child = child_in_care(school_days_la, entered=D(2026, 5, 15), school=school_in(school_days_la))
    assert one(child, "initial", D(2026, 5, 20)).due_on == D(2026, 6, 19)


def test_the_initial_pep_across_the_august_bank_holiday_is_due_on_21_september_2026(la):
    # Entered Fri 21 Aug. 24-28 Aug (5), Mon 31 Aug bank holiday, 1-4 Sep (9), 7-11 (14),
    # 14-18 (19), Mon 21 Sep (20).
    child = child_in_care(la, entered=D(2026, 8, 21), school=school_in(la))
    assert one(child, "initial", D(2026, 9, 1)).due_on == D(2026, 9, 21)


def test_the_initial_pep_across_christmas_is_due_on_14_january_2027(la):
    # Entered Mon 14 Dec. 15-18 Dec (4), 21-24 (8), Fri 25 Christmas, Mon 28 Boxing Day
    # substitute, 29-31 (11), Fri 1 Jan, 4-8 Jan (16), 11-14 Jan (20).
    child = child_in_care(la, entered=D(2026, 12, 14), school=school_in(la))
    assert one(child, "initial", D(2026, 12, 15)).due_on == D(2027, 1, 14)


def test_a_child_entering_care_on_a_bank_holiday_counts_from_the_next_day(la):
    # Entered on the early May bank holiday, Mon 4 May 2026: 5-8 May (4), 11-15 (9),
    # 18-22 (14), Mon 25 bank holiday, 26-29 (18), 1-2 Jun (20): Tue 2 June.
    child = child_in_care(la, entered=D(2026, 5, 4), school=school_in(la))
    assert one(child, "initial", D(2026, 5, 5)).due_on == D(2026, 6, 2)


def test_an_initial_meeting_by_the_due_date_meets_it_and_a_late_one_does_not(la):
    met = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la))
    late = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la))
    # 3-6 Nov (4), 9-13 (9), 16-20 (14), 23-27 (19), Mon 30 Nov (20).
    PepFactory(child=met, kind=Pep.Kind.INITIAL, meeting_held_on=D(2026, 11, 30))
    PepFactory(child=late, kind=Pep.Kind.INITIAL, meeting_held_on=D(2026, 12, 1))
    assert one(met, "initial", D(2026, 12, 2)).status == "met"
    overdue = one(late, "initial", D(2026, 12, 2))
    assert (overdue.due_on, overdue.status, overdue.done_on) == (D(2026, 11, 30), "overdue", D(2026, 12, 1))
    assert not overdue.needs_action


def test_a_meeting_of_another_kind_does_not_meet_the_initial_deadline(la):
    child = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la))
    PepFactory(child=child, kind=Pep.Kind.TERMLY, meeting_held_on=D(2026, 11, 20))
    assert one(child, "initial", D(2026, 12, 1)).status == "overdue"


def test_no_termly_review_is_due_in_the_term_of_the_initial_pep(la):
    child = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la))
    assert set(deadlines_of(child, D(2026, 11, 22))) == {("initial", "")}


def test_an_old_initial_deadline_drops_out_once_any_meeting_has_been_held(la):
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2))
    # No meeting ever: the initial PEP is still outstanding, so it stays listed as overdue.
    assert one(child, "initial", D(2026, 11, 22)).status == "overdue"
    PepFactory(child=child, kind=Pep.Kind.TERMLY, meeting_held_on=D(2025, 1, 20))
    assert ("initial", "") not in deadlines_of(child, D(2026, 11, 22))


# --- change of school ---------------------------------------------------------------------


def _moved(la, *, new_start: dt.date):
    first, second = school_in(la), school_in(la, name="New School")
    child = child_in_care(la, entered=D(2024, 9, 2), school=first, placed=D(2024, 9, 2))
    PepFactory(child=child, kind=Pep.Kind.TERMLY, meeting_held_on=D(2026, 10, 5))
    child_services.placement_start(actor=None, child=child, school=second, year_group=9, started_on=new_start)
    return child


def test_a_change_of_school_is_due_20_working_days_after_the_new_start(la):
    # New school from Mon 9 Nov: 10-13 (4), 16-20 (9), 23-27 (14), 30 Nov-4 Dec (19), Mon 7 Dec (20).
    child = _moved(la, new_start=D(2026, 11, 9))
    cos = one(child, "change_of_school", D(2026, 11, 22))
    # From Sun 22 Nov: 23-27 (5), 30 Nov-4 Dec (10), 7 Dec (11): not yet due soon.
    assert (cos.due_on, cos.status) == (D(2026, 12, 7), "on_track")


def test_a_change_of_school_over_half_term_counts_school_days(school_days_la):
    # New school from Mon 19 Oct 2026: 20-23 Oct (4); half-term 26-30 Oct; 2-6 Nov (9),
    # 9-13 (14), 16-20 (19), Mon 23 Nov (20). In working days it would be Mon 16 Nov.
    child = _moved(school_days_la, new_start=D(2026, 10, 19))
    assert one(child, "change_of_school", D(2026, 10, 20)).due_on == D(2026, 11, 23)


def test_a_change_of_school_over_half_term_in_working_days(la):
    # 20-23 Oct (4), 26-30 Oct (9), 2-6 Nov (14), 9-13 (19), Mon 16 Nov (20).
    child = _moved(la, new_start=D(2026, 10, 19))
    assert one(child, "change_of_school", D(2026, 10, 20)).due_on == D(2026, 11, 16)


def test_a_school_change_in_the_last_week_of_term_is_due_in_late_january(school_days_la):
    # New school from Mon 14 Dec 2026, term ends Fri 18 Dec: 15-18 Dec (4). Spring term
    # from Mon 4 Jan 2027: 4-8 (9), 11-15 (14), 18-22 (19), Mon 25 Jan (20).
    child = _moved(school_days_la, new_start=D(2026, 12, 14))
    assert one(child, "change_of_school", D(2026, 12, 15)).due_on == D(2027, 1, 25)


def test_a_school_change_in_the_last_week_of_term_in_working_days_spans_christmas(la):
    child = _moved(la, new_start=D(2026, 12, 14))
    assert one(child, "change_of_school", D(2026, 12, 15)).due_on == D(2027, 1, 14)


def test_the_school_a_child_had_on_entering_care_has_no_change_of_school_deadline(la):
    child = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la), placed=D(2026, 11, 2))
    assert ("change_of_school", "") not in deadlines_of(child, D(2026, 11, 22))


def test_a_change_of_school_pep_meeting_meets_the_deadline(la):
    child = _moved(la, new_start=D(2026, 11, 9))
    PepFactory(child=child, kind=Pep.Kind.CHANGE_OF_SCHOOL, meeting_held_on=D(2026, 11, 20))
    assert one(child, "change_of_school", D(2026, 11, 22)).status == "met"


# --- termly, half-termly and post-16 reviews ------------------------------------------------


def test_the_termly_review_is_due_on_the_last_day_of_term(la):
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2))
    PepFactory(child=child, kind=Pep.Kind.TERMLY, meeting_held_on=D(2026, 6, 1), term="summer",
               academic_year="2025/26")
    termly = one(child, "termly", D(2026, 11, 22))
    # 23 Nov to 18 Dec holds 20 working days: on track; from Fri 4 Dec, ten: due soon.
    assert (termly.due_on, termly.status, termly.detail) == (D(2026, 12, 18), "on_track", "autumn term 2026/27")
    assert one(child, "termly", D(2026, 12, 4)).status == "due_soon"
    assert one(child, "termly", D(2026, 12, 3)).status == "on_track"
    # In the Christmas holiday the autumn review is still the current one, and now overdue.
    assert one(child, "termly", D(2026, 12, 21)).status == "overdue"


def test_any_pep_meeting_in_the_term_meets_the_termly_review(la):
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2))
    PepFactory(child=child, kind=Pep.Kind.CONCERN, meeting_held_on=D(2026, 9, 2))
    assert one(child, "termly", D(2026, 11, 22)).status == "met"


def test_a_child_at_a_school_that_requires_improvement_needs_a_pep_each_half_term():
    la = la_with_calendar("RI", half_termly_for_ri_schools=True)
    school = school_in(la, ofsted_rating=School.Ofsted.REQUIRES_IMPROVEMENT)
    child = child_in_care(la, entered=D(2024, 9, 2), school=school, placed=D(2024, 9, 2))
    PepFactory(child=child, meeting_held_on=D(2026, 11, 3))
    rows = deadlines_of(child, D(2026, 11, 22))
    first, second = rows[("half_termly", "first")], rows[("half_termly", "second")]
    # The first half ends on Sun 25 Oct before half-term: due by Fri 23 Oct, missed (the
    # 3 November meeting was late for it, and meets the second half, due Fri 18 Dec).
    assert (first.due_on, first.status, first.done_on) == (D(2026, 10, 23), "overdue", D(2026, 11, 3))
    assert (second.due_on, second.status) == (D(2026, 12, 18), "met")
    assert ("termly", "") not in rows


def test_half_termly_reviews_are_off_unless_the_la_turns_them_on(la):
    school = school_in(la, ofsted_rating=School.Ofsted.INADEQUATE)
    child = child_in_care(la, entered=D(2024, 9, 2), school=school, placed=D(2024, 9, 2))
    assert ("termly", "") in deadlines_of(child, D(2026, 11, 22))


def test_post_16_follows_the_staffordshire_pattern_where_the_la_chooses_it():
    la = la_with_calendar("ST", post16_pattern="staffordshire")
    school = school_in(la, phase=School.Phase.POST_16)
    year12 = child_in_care(la, entered=D(2024, 9, 2), school=school, placed=D(2024, 9, 2), year_group=12)
    year13 = child_in_care(la, entered=D(2024, 9, 2), school=school, placed=D(2024, 9, 2), year_group=13)
    for child in (year12, year13):
        PepFactory(child=child, meeting_held_on=D(2025, 1, 10))
    autumn = D(2026, 11, 22)
    assert one(year12, "post16", autumn).due_on == D(2026, 12, 18)
    assert ("post16", "") not in deadlines_of(year13, autumn)
    spring = D(2027, 2, 1)
    assert ("post16", "") not in deadlines_of(year12, spring)
    assert one(year13, "post16", spring).due_on == D(2027, 3, 25)


def test_post_16_is_termly_by_default(la):
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2), year_group=13)
    PepFactory(child=child, meeting_held_on=D(2025, 1, 10))
    assert one(child, "post16", D(2026, 11, 22)).due_on == D(2026, 12, 18)


# --- concern reviews and quality assurance --------------------------------------------------


def test_a_concern_review_is_due_ten_working_days_after_the_request(la):
    # Asked Thu 19 Nov: 20 (1), 23-27 (6), 30 Nov-3 Dec (10): Thu 3 December.
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2))
    ConcernRequestFactory(child=child, requested_on=D(2026, 11, 19))
    concern = one(child, "concern", D(2026, 11, 22))
    assert (concern.due_on, concern.status) == (D(2026, 12, 3), "due_soon")
    PepFactory(child=child, kind=Pep.Kind.CONCERN, meeting_held_on=D(2026, 12, 3))
    assert one(child, "concern", D(2026, 12, 4)).status == "met"


def test_quality_assurance_is_due_ten_working_days_after_the_meeting(la):
    # Meeting Mon 2 Nov: 3-6 (4), 9-13 (9), Mon 16 Nov (10).
    child = child_in_care(la, entered=D(2024, 9, 2), school=school_in(la), placed=D(2024, 9, 2))
    pep = PepFactory(child=child, status=Pep.Status.SUBMITTED, meeting_held_on=D(2026, 11, 2))
    qa = one(child, "qa", D(2026, 11, 22))
    assert (qa.due_on, qa.status) == (D(2026, 11, 16), "overdue")
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED,
                                         approved_at=dt.datetime(2026, 11, 13, 15, tzinfo=dt.UTC))
    assert one(child, "qa", D(2026, 11, 22)).status == "met"


# --- who has no deadlines -----------------------------------------------------------------------


def test_a_child_who_has_left_care_has_no_deadlines(la):
    child = child_in_care(la, entered=D(2026, 11, 2), school=school_in(la))
    episode = child.care_episodes.get()
    child_services.care_episode_end(actor=None, episode=episode, left_care_on=D(2026, 11, 10))
    assert deadlines_of(child, D(2026, 11, 22)) == {}


def test_an_under_school_age_child_not_in_a_setting_has_no_deadlines(la):
    toddler = child_in_care(la, entered=D(2026, 11, 2), dob=D(2024, 6, 1))
    assert deadlines_of(toddler, D(2026, 11, 22)) == {}
    # A school-age child without a school still needs the initial PEP.
    pupil = child_in_care(la, entered=D(2026, 11, 2))
    assert set(deadlines_of(pupil, D(2026, 11, 22))) == {("initial", "")}


def test_an_early_years_child_in_a_setting_has_termly_reviews(la):
    nursery = school_in(la, phase=School.Phase.EARLY_YEARS)
    child = child_in_care(la, entered=D(2025, 1, 6), dob=D(2023, 1, 1), school=nursery, year_group=-1,
                          placed=D(2025, 1, 6))
    PepFactory(child=child, phase="early_years", meeting_held_on=D(2025, 2, 1))
    assert one(child, "termly", D(2026, 11, 22)).due_on == D(2026, 12, 18)
