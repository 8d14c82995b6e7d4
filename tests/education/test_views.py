"""The education record page and its forms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEvent
from education.models import Attendance, Exclusion, SenStatus
from tests.education import helpers

pytestmark = pytest.mark.django_db


def _record(client, user, child):
    client.force_login(user)
    return client.get(reverse("education_record", args=[child.pk]))


def test_the_child_page_links_to_the_education_record(client, world, carer):
    client.force_login(carer)
    page = client.get(reverse("child_detail", args=[world.child.pk])).content.decode()
    assert reverse("education_record", args=[world.child.pk]) in page


def test_the_record_shows_attendance_with_its_flags(client, world, carer):
    helpers.attendance(world.child, world.school, possible=100, present=45, authorised=50, unauthorised=5)
    page = _record(client, carer, world.child).content.decode()
    assert "45.0%" in page and "Severe absence" in page


def test_a_carer_and_young_person_never_see_exclusion_reasons_or_sen_need_codes(client, world, carer, young_person,
                                                                                  designated_teacher):
    helpers.exclusion(world.child, world.school)
    helpers.ehcp(world.child, world.la)
    helpers.termly(world.child, "English", "above")
    for family in (carer, young_person):
        page = _record(client, family, world.child).content.decode()
        assert "Suspension (fixed period)" in page  # that there was one...
        assert "Persistent or general disruptive behaviour" not in page  # ...but not why
        assert "Threw a chair" not in page
        assert "Autistic spectrum disorder" not in page and "ASD" not in page
        assert "Above age-related expectations" in page  # attainment is theirs to see
        assert "data-professional" not in page
    page = _record(client, designated_teacher, world.child).content.decode()
    assert "Persistent or general disruptive behaviour" in page and "ASD: Autistic spectrum disorder" in page


def test_the_chronology_hides_professional_detail_from_the_family(client, world, carer, vs_officer):
    helpers.exclusion(world.child, world.school)
    helpers.ehcp(world.child, world.la)
    client.force_login(carer)
    page = client.get(reverse("education_chronology", args=[world.child.pk])).content.decode()
    assert "Entered care" in page and "Suspension (fixed period) from Ruby&#x27;s School" in page
    assert "disruptive" not in page and "Autistic" not in page
    client.force_login(vs_officer)
    page = client.get(reverse("education_chronology", args=[world.child.pk])).content.decode()
    assert "Persistent or general disruptive behaviour" in page and "EHCP annual review" in page


def test_bad_attendance_shows_govuk_errors_and_writes_nothing(client, world, designated_teacher):
    client.force_login(designated_teacher)
    before = AuditEvent.objects.count()
    response = client.post(reverse("education_part_new", args=[world.child.pk, "attendance"]), {
        "school": world.school.pk, "academic_year": "2025/26", "term": "autumn", "half_term": "0",
        "sessions_possible": "100", "sessions_present": "ninety", "sessions_authorised_absence": "5",
        "sessions_unauthorised_absence": "5"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and "Sessions present must be a whole number, like 12" in page
    response = client.post(reverse("education_part_new", args=[world.child.pk, "attendance"]), {
        "school": world.school.pk, "academic_year": "2025/26", "term": "autumn", "half_term": "0",
        "sessions_possible": "100", "sessions_present": "90", "sessions_authorised_absence": "5",
        "sessions_unauthorised_absence": "1"})
    assert "must add up to the possible sessions (100)" in response.content.decode()
    response = client.post(reverse("education_part_new", args=[world.child.pk, "attendance"]), {})
    assert "Enter academic year" in response.content.decode() and "Select term" in response.content.decode()
    assert not Attendance.objects.exists() and AuditEvent.objects.count() == before


def test_a_designated_teacher_adds_attendance_and_the_percentage_is_computed(client, world, designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "attendance"]), {
        "school": world.school.pk, "academic_year": "2025/26", "term": "autumn", "half_term": "0",
        "sessions_possible": "140", "sessions_present": "126", "sessions_authorised_absence": "10",
        "sessions_unauthorised_absence": "4"})
    assert response.status_code == 302
    assert Attendance.objects.get().percent == 90


def test_an_exclusion_can_be_changed_and_a_bad_date_is_refused(client, world, vs_officer):
    x = helpers.exclusion(world.child, world.school)
    client.force_login(vs_officer)
    url = reverse("education_part_edit", args=[world.child.pk, "exclusion", x.pk])
    data = {"school": world.school.pk, "kind": "suspension", "starts_on": "31/2/2025", "length": "1",
            "length_unit": "days", "reason": "BU", "notes": ""}
    assert "Date it started must be a real date" in client.post(url, data).content.decode()
    assert Exclusion.objects.get().reason == "PD"
    data["starts_on"] = "3/11/2025"
    assert client.post(url, data).status_code == 302
    assert Exclusion.objects.get().reason == "BU"


def test_a_school_the_child_never_attended_cannot_be_chosen(client, world, designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "exclusion"]), {
        "school": world.other_school.pk, "kind": "permanent", "starts_on": "3/11/2025", "length_unit": "days",
        "reason": "PA"})
    assert "Select school from the list" in response.content.decode()
    assert not Exclusion.objects.exists()


def test_an_ehcp_form_without_its_details_says_what_is_missing(client, world, designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "sen"]), {
        "status": "ehcp", "starts_on": "1/9/2025", "primary_need": "SLCN"})
    page = response.content.decode()
    assert "Enter the date the EHCP started" in page and "Select the local authority that maintains the EHCP" in page
    assert not SenStatus.objects.exists()


def test_a_carer_cannot_post_to_the_record(client, world, carer):
    client.force_login(carer)
    response = client.post(reverse("education_part_new", args=[world.child.pk, "attendance"]), {})
    assert response.status_code == 403


def test_a_part_that_does_not_exist_is_404(client, world, vs_officer):
    client.force_login(vs_officer)
    assert client.get(reverse("education_part_new", args=[world.child.pk, "nothing"])).status_code == 404


def test_an_item_of_another_child_is_404(client, world, vs_officer):
    theirs = helpers.exclusion(world.other_child, world.other_school)
    client.force_login(vs_officer)
    url = reverse("education_part_edit", args=[world.child.pk, "exclusion", theirs.pk])
    assert client.get(url).status_code == 404


def _queries(client, user, child) -> int:
    client.force_login(user)
    url = reverse("education_record", args=[child.pk])
    client.get(url)  # warm the session and the permission caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_record_page_uses_the_same_number_of_queries_for_1_and_30_terms(client, world, vs_officer):
    helpers.attendance(world.child, world.school)
    helpers.termly(world.child)
    helpers.exclusion(world.child, world.school, on=dt.date(2025, 10, 1))
    one = _queries(client, vs_officer, world.child)
    helpers.thirty_terms(world.other_child, world.other_school)
    helpers.ehcp(world.other_child, world.la)
    thirty = _queries(client, vs_officer, world.other_child)
    assert Attendance.objects.filter(child=world.other_child).count() == 30
    assert one == thirty


def test_the_chronology_has_care_schools_peps_exclusions_sen_and_eet_in_order(client, world, vs_officer):
    from education import services
    from peps.models import Pep
    from tests.peps.factories import start_pep

    pep = start_pep(world.child)
    Pep.objects.filter(pk=pep.pk).update(meeting_held_on=dt.date(2026, 10, 14))
    services.school_move_save(actor=None, placement=world.child.placements.get(), reason="care_placement")
    helpers.exclusion(world.child, world.school, on=dt.date(2025, 11, 3))
    helpers.ehcp(world.child, world.la, starts=dt.date(2024, 1, 10), last=dt.date(2025, 1, 15))
    services.eet_status_save(actor=None, child=world.child, status="neet", starts_on=dt.date(2026, 9, 1),
                             ends_on=None, provider="", personal_adviser="", pathway_plan_reviewed_on=None)
    client.force_login(vs_officer)
    page = client.get(reverse("education_chronology", args=[world.child.pk])).content.decode()
    expected = ["SEN status: Education, health and care plan (EHCP)", "Entered care",
                "Started at Ruby&#x27;s School (Year 9). Reason: Change of care placement", "EHCP annual review",
                "Suspension (fixed period) from Ruby&#x27;s School, 2 days", "Not in education",
                "PEP meeting held"]
    positions = [page.find(text) for text in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)


def test_the_subject_access_copy_holds_the_education_record_and_chronology(world):
    from data_protection.services import child_record

    helpers.attendance(world.child, world.school, possible=100, present=90, authorised=10)
    helpers.exclusion(world.child, world.school)
    record = child_record(world.child)["education"]
    assert record["attendance"][0]["percent"] == 90 and record["exclusions"][0]["reason"] == "PD"
    assert any("Suspension" in e["text"] for e in record["chronology"])


def test_the_professionals_pdf_has_the_chronology_and_the_family_copy_does_not(world):
    from quality.pdf import pep_pdf_html
    from tests.peps.factories import start_pep

    helpers.exclusion(world.child, world.school)
    pep = start_pep(world.child)
    professional = pep_pdf_html(pep, show_pp_plus=True, professional=True)
    assert "Chronology" in professional and "Persistent or general disruptive behaviour" in professional
    family = pep_pdf_html(pep, show_pp_plus=False, professional=False)
    assert "Chronology" not in family and "disruptive" not in family
