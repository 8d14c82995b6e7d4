"""Section B reads the education record and writes to it, so the two cannot disagree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from education import services as record_services
from education.models import Attainment, Attendance, SenStatus
from peps.demo import AnswersInvalid, sample_answers, save_answers
from peps.models import Pep, Section
from peps.record_link import section_values
from peps.services.sections import section_form
from peps.services.workflow import academic_year_for, term_for
from quality.precheck import pre_check
from tests.education import helpers
from tests.peps.factories import start_pep
from tests.targets.factories import make_request, make_target

pytestmark = pytest.mark.django_db


def _b(pep) -> Section:
    return pep.sections.get(letter="B")


def _term(world):
    pep = Pep(child=world.child, academic_year=academic_year_for(dt.date.today()),
              term=term_for(dt.date.today()))
    return pep.academic_year, pep.term


def test_a_new_pep_s_section_b_is_prefilled_from_the_record(world):
    year, term = _term(world)
    helpers.attendance(world.child, world.school, year=year, term=term, possible=100, present=91, authorised=9)
    helpers.exclusion(world.child, world.school, on=dt.date(int(year[:4]), 9, 20))
    helpers.termly(world.child, "English", "working_towards", year=year, term=term)
    helpers.ehcp(world.child, world.la, starts=dt.date(2024, 1, 10))
    data = _b(start_pep(world.child)).data
    assert data["attendance_percent"] == 91.0
    assert data["term_sessions_possible"] == 100 and data["term_sessions_present"] == 91
    assert (data["suspensions_count"], data["suspension_days"], data["permanent_exclusions"]) == (1, 2, 0)
    assert data["sen_status"] == "ehcp" and data["attainment_english"] == "working_towards"
    assert data["school_name"] == "Ruby's School"


def test_saving_section_b_writes_the_record_in_the_section_s_one_audit_event(world, designated_teacher):
    pep = start_pep(world.child)
    answers = {**sample_answers(pep.phase, "B"), "term_sessions_possible": "120", "term_sessions_present": "102",
               "term_sessions_authorised": "10", "term_sessions_unauthorised": "8", "attendance_percent": "99"}
    before = AuditEvent.objects.count()
    saved = save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0, mark_complete=True)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.object_type, event.object_id, event.actor) == ("peps.section", str(saved.pk), designated_teacher)
    # The section's event carries what the save changed in the record.
    assert event.changes["education_record:sen_status"] == [None, "sen_support"]
    assert event.changes["education_record:attainment:Maths"] == [None, "at"]
    assert event.changes["education_record:attendance:sessions_possible"] == [None, 120]
    assert event.changes["version"] == [0, 1]
    row = Attendance.objects.get(child=world.child, academic_year=pep.academic_year, term=pep.term)
    assert (row.sessions_possible, row.sessions_present, row.school) == (120, 102, world.school)
    # The percentage is the record's, worked out from the sessions: what was typed is not kept.
    assert saved.data["attendance_percent"] == 85.0
    assert SenStatus.objects.get(child=world.child).status == "sen_support"
    assert Attainment.objects.get(child=world.child, subject="Maths", term=pep.term).result == "at"


def test_section_b_cannot_contradict_the_exclusions_in_the_record(world, designated_teacher):
    year, _term_name = _term(world)
    helpers.exclusion(world.child, world.school, on=dt.date(int(year[:4]), 9, 20))
    helpers.exclusion(world.child, world.school, on=dt.date(int(year[:4]), 9, 27))
    pep = start_pep(world.child)
    answers = {**sample_answers(pep.phase, "B"), "suspensions_count": "1"}
    before = AuditEvent.objects.count()
    with pytest.raises(AnswersInvalid) as exc:
        save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0, mark_complete=True)
    assert "The education record has 2 for this academic year" in exc.value.form.errors["suspensions_count"][0]
    assert AuditEvent.objects.count() == before
    assert not SenStatus.objects.exists() and _b(pep).version == 0


def test_sessions_that_do_not_add_up_are_an_error_on_section_b_and_nothing_is_written(world, designated_teacher):
    pep = start_pep(world.child)
    answers = {**sample_answers(pep.phase, "B"), "term_sessions_possible": "120", "term_sessions_present": "100",
               "term_sessions_authorised": "1", "term_sessions_unauthorised": "1"}
    with pytest.raises(AnswersInvalid) as exc:
        save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0)
    assert "must add up to the possible sessions (120)" in exc.value.form.errors["term_sessions_unauthorised"][0]
    assert not Attendance.objects.exists() and not SenStatus.objects.exists()


def test_the_section_b_form_shows_the_record_as_it_is_now(client, world, designated_teacher):
    pep = start_pep(world.child)
    save_answers(actor=designated_teacher, section=_b(pep), answers=sample_answers(pep.phase, "B"), version=0)
    english = Attainment.objects.get(child=world.child, subject="English", term=pep.term)
    assert english.result == "working_towards"  # written by the section
    record_services.attainment_save(actor=designated_teacher, child=world.child, instance=english, result="above")
    form = section_form(pep=pep, section=_b(pep), professional=True)
    assert form.initial["attainment_english"] == "above"
    client.force_login(designated_teacher)
    page = " ".join(client.get(reverse("pep_section_edit", args=[pep.pk, "B"])).content.decode().split())
    assert 'id="id_attainment_english_4" value="above" checked' in page


def _edit_queries(client, user, pep) -> int:
    client.force_login(user)
    url = reverse("pep_section_edit", args=[pep.pk, "B"])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_section_b_uses_the_same_number_of_queries_for_1_and_30_terms(client, world, designated_teacher):
    helpers.attendance(world.child, world.school)
    helpers.termly(world.child)
    helpers.exclusion(world.child, world.school)
    one = _edit_queries(client, designated_teacher, start_pep(world.child))
    helpers.thirty_terms(world.other_child, world.other_school)
    thirty = _edit_queries(client, world.people["outsider_designated_teacher"], start_pep(world.other_child))
    assert thirty == one


def test_the_pep_shows_the_change_since_the_last_pep(client, world, designated_teacher):
    first = start_pep(world.child)
    Pep.objects.filter(pk=first.pk).update(status=Pep.Status.APPROVED, academic_year="2025/26", term="summer",
                                           meeting_held_on=dt.date(2026, 6, 20))
    helpers.attendance(world.child, world.school, year="2025/26", term="summer", possible=100, present=96,
                       authorised=4)
    helpers.termly(world.child, "Maths", "working_towards", year="2025/26", term="summer")
    second = start_pep(world.child)
    helpers.attendance(world.child, world.school, year=second.academic_year, term=second.term, possible=100,
                       present=88, authorised=12)
    helpers.termly(world.child, "Maths", "at", year=second.academic_year, term=second.term)
    helpers.exclusion(world.child, world.school, on=dt.date.today() - dt.timedelta(days=2))
    client.force_login(designated_teacher)
    page = client.get(reverse("pep_detail", args=[second.pk])).content.decode()
    assert "Since the last PEP" in page
    assert "96.0%" in page and "88.0%" in page and "1 new" in page
    assert page.count("govuk-tag--green\">Up") == 1 and page.count("govuk-tag--red\">Down") == 1


def test_the_pre_check_scores_what_a_machine_can_judge(world, designated_teacher):
    pep = start_pep(world.child)
    save_answers(actor=None, section=_b(pep), answers=sample_answers(pep.phase, "B"), version=0)  # 92.4%, below 95
    check = pre_check(pep)
    ratings = {c.name: c.rating for c in check.criteria}
    assert ratings["The child's voice is present"] == "red"
    assert ratings["At least one academic target"] == "red"
    assert ratings["Attendance below 95% is addressed"] == "red"
    assert ratings["Attendees and next meeting date recorded"] == "red"
    assert check.rating == "red"
    save_answers(actor=None, section=pep.sections.get(letter="C"), answers=sample_answers(pep.phase, "C"), version=0)
    save_answers(actor=None, section=pep.sections.get(letter="E"), answers=sample_answers(pep.phase, "E"), version=0)
    maths = make_target(pep, area="maths")
    make_target(pep, area="attendance")
    make_request(pep, target=maths)
    make_request(pep)
    ratings = {c.name: c.rating for c in pre_check(pep).criteria}
    assert ratings == {"The child's voice is present": "green", "At least one academic target": "green",
                       "Attendance below 95% is addressed": "green", "Pupil Premium Plus is tied to targets": "amber",
                       "Attendees and next meeting date recorded": "green"}


def test_a_transition_plan_is_checked_where_one_is_due(world):
    placement = world.child.placements.get()
    placement.year_group = 6
    placement.save()
    pep = start_pep(world.child)
    save_answers(actor=None, section=_b(pep), answers={**sample_answers(pep.phase, "B", year_group=6),
                                                       "transition_planning": "None due"}, version=0)
    assert {c.name: c.rating for c in pre_check(pep).criteria}["A transition plan (one is due)"] == "red"


def test_the_team_sees_the_provisional_rating_and_the_family_does_not(client, world, designated_teacher, carer):
    pep = start_pep(world.child)
    client.force_login(designated_teacher)
    assert "Provisional rating" in client.get(reverse("pep_detail", args=[pep.pk])).content.decode()
    client.force_login(carer)
    assert "Provisional rating" not in client.get(reverse("pep_detail", args=[pep.pk])).content.decode()


# ---- what section B types goes into the record; the record shows in section B ---------------------


def _view_b(client, user, pep) -> str:
    client.force_login(user)
    return " ".join(client.get(reverse("pep_section", args=[pep.pk, "B"])).content.decode().split())


def test_figures_typed_into_section_b_with_an_empty_record_go_into_the_record(client, world, designated_teacher):
    pep = start_pep(world.child)
    assert not world.child.attendance.exists() and not world.child.attainment.exists()
    answers = {**sample_answers(pep.phase, "B"), "term_sessions_possible": "100", "term_sessions_present": "90",
               "term_sessions_authorised": "6", "term_sessions_unauthorised": "4",
               "other_subject_1": "Art", "attainment_other_1": "above",
               "other_subject_2": "History", "attainment_other_2": "below"}
    save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0, mark_complete=True)
    sessions = Attendance.objects.get(child=world.child, academic_year=pep.academic_year, term=pep.term)
    assert (sessions.school, sessions.sessions_possible, sessions.sessions_present) == (world.school, 100, 90)
    assert SenStatus.objects.get(child=world.child).status == "sen_support"
    results = dict(world.child.attainment.filter(academic_year=pep.academic_year, term=pep.term)
                   .values_list("subject", "result"))
    assert results == {"English": "working_towards", "Maths": "at", "Science": "at", "Art": "above",
                       "History": "below"}
    # The record changes: section B shows it, on its page and in its form.
    record_services.attendance_save(actor=designated_teacher, child=world.child, instance=sessions,
                                    sessions_present=80, sessions_authorised_absence=16)
    art = world.child.attainment.get(subject="Art")
    record_services.attainment_save(actor=designated_teacher, child=world.child, instance=art, result="at")
    values = section_values(pep, _b(pep))
    assert (values["attendance_percent"], values["term_sessions_present"]) == (80.0, 80)
    page = _view_b(client, designated_teacher, pep)
    assert "Attendance this academic year" in page and ">80%" in page
    assert "At age-related expectations" in page.split("Attainment in that subject</dt>")[1][:120]
    form = section_form(pep=pep, section=_b(pep), professional=True)
    assert form.initial["term_sessions_present"] == 80 and form.initial["attainment_other_1"] == "at"


def test_an_other_subject_cannot_repeat_english_maths_or_science(world, designated_teacher):
    pep = start_pep(world.child)
    answers = {**sample_answers(pep.phase, "B"), "other_subject_1": "maths", "attainment_other_1": "below"}
    with pytest.raises(AnswersInvalid) as exc:
        save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0)
    assert exc.value.form.errors["other_subject_1"] == ["maths has its own question above: choose another subject"]
    assert not Attainment.objects.exists()


def test_early_years_development_goes_into_the_record_as_termly_progress(world, designated_teacher):
    world.child.placements.update(year_group=-1)
    pep = start_pep(world.child)
    assert pep.phase == "early_years"
    answers = {**sample_answers(pep.phase, "B"), "dm_literacy": "below", "dm_mathematics": "at"}
    save_answers(actor=designated_teacher, section=_b(pep), answers=answers, version=0, mark_complete=True)
    results = dict(world.child.attainment.filter(assessment="termly", term=pep.term).values_list("subject", "result"))
    assert results["Literacy"] == "below" and results["Mathematics"] == "at"
    assert results["Communication and language"] == "working_towards" and len(results) == 7
    maths = world.child.attainment.get(subject="Mathematics")
    record_services.attainment_save(actor=designated_teacher, child=world.child, instance=maths, result="above")
    assert section_form(pep=pep, section=_b(pep), professional=True).initial["dm_mathematics"] == "above"


def test_a_section_b_save_is_one_audit_event_whatever_it_changes_in_the_record(world, designated_teacher):
    pep = start_pep(world.child)
    before = AuditEvent.objects.count()
    saved = save_answers(actor=designated_teacher, section=_b(pep), answers=sample_answers(pep.phase, "B"), version=0)
    assert AuditEvent.objects.count() == before + 1
    # Saved again with the record already saying the same: still one event, with no record changes.
    save_answers(actor=designated_teacher, section=saved, answers=sample_answers(pep.phase, "B"), version=1)
    assert AuditEvent.objects.count() == before + 2
    assert not [k for k in AuditEvent.objects.latest("id").changes if k.startswith("education_record:")]
