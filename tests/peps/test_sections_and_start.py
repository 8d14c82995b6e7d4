"""Section definitions per phase, their validation, starting a PEP and rollover."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from children import services as child_services
from children.models import Phase
from core.models import AuditEvent
from core.refusals import Refused
from peps import sections as defs
from peps.demo import sample_answers
from peps.models import Pep, Section, SectionConfig
from peps.services.config import ConfigRow, section_config_defaults, section_config_for, section_config_save
from peps.services.workflow import academic_year_for, pep_start, term_for
from tests.peps.factories import complete_sections, set_status, start_pep

pytestmark = pytest.mark.django_db


def _form(phase, letter, data, complete=True, professional=True):
    return defs.form_class_for(phase, letter)(data, mark_complete=complete, professional=professional)


# --- definitions ------------------------------------------------------------------------


def test_each_phase_has_its_own_sections():
    assert defs.letters_for(Phase.EARLY_YEARS) == ["A", "B", "D", "E"]
    assert defs.letters_for(Phase.SCHOOL_AGE) == ["A", "B", "C", "D", "E"]
    assert defs.letters_for(Phase.POST_16) == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize("phase", Phase.values)
def test_sample_answers_complete_every_section_of_every_phase(phase):
    for letter in defs.letters_for(phase):
        form = _form(phase, letter, sample_answers(phase, letter))
        assert form.is_valid(), (phase, letter, form.errors)


@pytest.mark.parametrize("phase", Phase.values)
def test_every_mandatory_field_has_a_govuk_message(phase):
    for letter in defs.letters_for(phase):
        form = _form(phase, letter, {})
        assert not form.is_valid()
        for name in form.mandatory:
            assert form.errors[name], (letter, name)
            assert "This field is required" not in form.errors[name][0]


def test_save_and_come_back_later_keeps_partial_work():
    form = _form(Phase.SCHOOL_AGE, "B", {"school_name": "Oakfield"}, complete=False)
    assert form.is_valid(), form.errors
    assert form.to_data()["school_name"] == "Oakfield"


@pytest.mark.parametrize(("value", "ok"), [("0", True), ("100", True), ("94.9", True), ("100.1", False),
                                           ("-1", False), ("ninety", False), ("95.25", False)])
def test_attendance_is_a_percentage(value, ok):
    form = _form(Phase.SCHOOL_AGE, "B", {"attendance_percent": value}, complete=False)
    assert form.is_valid() is ok


def test_attendance_below_95_is_flagged():
    rows = defs.EducationSchoolAge.display_rows({"attendance_percent": 92.4}, professional=True)
    assert next(r for r in rows if r["name"] == "attendance_percent")["flag"] == "Below 95%"
    rows = defs.EducationSchoolAge.display_rows({"attendance_percent": 95.0}, professional=True)
    assert next(r for r in rows if r["name"] == "attendance_percent")["flag"] == ""


@pytest.mark.parametrize(("score", "ok"), [("0", True), ("40", True), ("41", False), ("-1", False)])
def test_sdq_score_is_0_to_40(score, ok):
    assert _form(Phase.SCHOOL_AGE, "A", {"sdq_score": score}, complete=False).is_valid() is ok


def test_sdq_is_for_school_age_only():
    assert "sdq_score" in defs.form_class_for(Phase.SCHOOL_AGE, "A").base_fields
    assert "sdq_score" not in defs.form_class_for(Phase.EARLY_YEARS, "A").base_fields


def test_structured_values_are_stored_typed():
    form = _form(Phase.SCHOOL_AGE, "B", sample_answers(Phase.SCHOOL_AGE, "B"))
    assert form.is_valid(), form.errors
    data = form.to_data()
    assert data["attendance_percent"] == 92.4 and isinstance(data["attendance_percent"], float)
    assert data["year_group"] == 9 and data["suspensions_count"] == 1
    assert data["sen_status"] == "sen_support" and data["attainment_maths"] == "at"
    assert data["part_time_timetable"] is False


def test_ks4_plan_is_needed_in_years_10_and_11():
    answers = sample_answers(Phase.SCHOOL_AGE, "B", year_group=10)
    answers.pop("ks4_plan")
    form = _form(Phase.SCHOOL_AGE, "B", answers)
    assert not form.is_valid()
    assert form.errors["ks4_plan"] == ["Enter the 14 to 19 plan for a child in Year 10 or 11"]


def test_post_16_neet_needs_the_neet_part():
    form = _form(Phase.POST_16, "B", {**sample_answers(Phase.POST_16, "B"), "eet_status": "neet"})
    assert not form.is_valid()
    assert set(form.errors) == {"neet_since", "neet_reason", "neet_support"}


def test_early_years_records_development_matters_and_eypp():
    fields = defs.form_class_for(Phase.EARLY_YEARS, "B").base_fields
    for area, _label in defs.DEVELOPMENT_MATTERS_AREAS:
        assert area in fields
    assert "eypp_received" in fields and "attainment_english" not in fields


def test_section_c_asks_the_child_short_plain_questions():
    fields = defs.form_class_for(Phase.SCHOOL_AGE, "C").base_fields
    assert fields["feel_safe"].label == "Do you feel safe at school?"
    for name in ("going_well", "could_be_better", "hopes_and_dreams", "arts_and_sports", "helps_me_learn"):
        assert len(fields[name].label) < 45


def test_professional_only_fields_are_left_out_for_carers():
    form = defs.form_class_for(Phase.SCHOOL_AGE, "A")(professional=False)
    assert "health_summary" not in form.fields and "sdq_score" not in form.fields
    rows = defs.CareSectionSchoolAge.display_rows({"health_summary": "Asthma"}, professional=False)
    assert "health_summary" not in [r["name"] for r in rows]


# --- starting a PEP -----------------------------------------------------------------------


@pytest.mark.parametrize(("day", "year", "term"), [
    (dt.date(2026, 9, 1), "2026/27", "autumn"), (dt.date(2026, 12, 31), "2026/27", "autumn"),
    (dt.date(2027, 1, 4), "2026/27", "spring"), (dt.date(2027, 3, 31), "2026/27", "spring"),
    (dt.date(2027, 4, 1), "2026/27", "summer"), (dt.date(2027, 8, 31), "2026/27", "summer"),
])
def test_academic_year_and_term_come_from_the_date(day, year, term):
    assert academic_year_for(day) == year and term_for(day) == term


def test_pep_start_creates_the_configured_sections_for_the_phase(world, social_worker):
    pep = pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    assert pep.phase == Phase.SCHOOL_AGE and pep.status == Pep.Status.DRAFT and pep.school == world.school
    assert [s.letter for s in pep.sections.all()] == ["A", "B", "C", "D", "E"]
    assert pep.sections.get(letter="A").editor_roles == ["social_worker"]
    assert pep.sections.get(letter="B").data == {"school_name": world.school.name, "year_group": 9}


def test_pep_start_for_an_early_years_child_has_no_section_c(world, social_worker):
    child_services.placement_start(actor=None, child=world.child, school=world.school, year_group=-1,
                                   started_on=dt.date(2025, 9, 1))
    pep = pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    assert pep.phase == Phase.EARLY_YEARS
    assert [s.letter for s in pep.sections.all()] == ["A", "B", "D", "E"]


def test_pep_start_writes_one_audit_event(world, social_worker):
    section_config_defaults(la=world.la)  # the first use seeds (and audits) the configuration
    before = AuditEvent.objects.count()
    pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.first().object_type == "peps.pep"


def test_pep_start_refuses_a_second_open_pep(world, social_worker):
    pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    with pytest.raises(Refused, match="already has an open PEP"):
        pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.CONCERN, concern_reason="Not attending")


def test_the_database_refuses_a_second_open_pep(world, pep):
    with pytest.raises(IntegrityError), transaction.atomic():
        Pep.objects.create(child=world.child, kind="termly", phase="school_age", academic_year="2026/27",
                           term="autumn")


def test_a_concern_review_needs_the_concern(world, social_worker):
    with pytest.raises(Exception, match="concern"):
        pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.CONCERN, concern_reason="  ")


def test_a_carer_cannot_start_a_pep(world, carer):
    with pytest.raises(PermissionDenied):
        pep_start(actor=carer, child=world.child, kind=Pep.Kind.TERMLY)


def test_rollover_copies_care_details_and_school_from_the_last_approved_pep(world, social_worker):
    first = start_pep(world.child)
    complete_sections(first)
    set_status(first, Pep.Status.APPROVED)
    Pep.objects.filter(pk=first.pk).update(approved_at=first.created_at)
    second = pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    assert second.previous == first and second.school == world.school
    a = second.sections.get(letter="A")
    assert a.data["delegated_authority"].startswith("School trips") and a.data["sdq_score"] == 14
    assert "carer_name" not in a.data  # the record's facts are read from the record, not rolled over
    assert a.state == Section.State.IN_PROGRESS  # to be checked and marked complete again
    assert second.sections.get(letter="C").data == {}


def test_changing_the_configuration_never_changes_an_existing_pep(world, pep, admin_user):
    approved = set_status(start_pep(world.other_child), Pep.Status.APPROVED)
    rows = [ConfigRow(letter=c.letter, enabled=c.letter != "C", title=f"New {c.letter}",
                               editor_roles=["virtual_school"])
            for c in section_config_for(la=world.la, phase=Phase.SCHOOL_AGE)]
    section_config_save(actor=admin_user, la=world.la, phase=Phase.SCHOOL_AGE, rows=rows)
    for existing in (pep, approved):
        assert [s.letter for s in existing.sections.all()] == ["A", "B", "C", "D", "E"]
        assert existing.sections.get(letter="A").editor_roles == ["social_worker"]
        assert existing.sections.get(letter="A").title == "Care and contacts"
    set_status(pep, Pep.Status.APPROVED)
    newer = start_pep(world.child)
    assert [s.letter for s in newer.sections.all()] == ["A", "B", "D", "E"]
    assert newer.sections.get(letter="A").editor_roles == ["virtual_school"]


def test_the_default_configuration_is_seeded_once_per_la(world):
    section_config_defaults(la=world.la)
    count = SectionConfig.objects.filter(local_authority=world.la).count()
    events = AuditEvent.objects.count()
    section_config_defaults(la=world.la)
    assert SectionConfig.objects.filter(local_authority=world.la).count() == count == 14
    assert AuditEvent.objects.count() == events


def test_section_config_save_writes_one_audit_event(world, admin_user):
    configs = section_config_for(la=world.la, phase=Phase.POST_16)
    before = AuditEvent.objects.count()
    section_config_save(actor=admin_user, la=world.la, phase=Phase.POST_16, rows=[
        ConfigRow(letter=c.letter, enabled=True, title=c.title, editor_roles=["designated_teacher"])
        for c in configs])
    assert AuditEvent.objects.count() == before + 1


def test_an_admin_cannot_configure_another_las_sections(world):
    with pytest.raises(PermissionDenied):
        section_config_save(actor=world.people["other_la_admin"], la=world.la, phase="school_age", rows=[])
