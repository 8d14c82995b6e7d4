"""The pages: term dates and settings for LA admins, concern requests, the deadlines list,
the home panel and the child-page include."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from deadlines.home import panels
from deadlines.models import ConcernRequest, DeadlineSettings, TermDates

pytestmark = pytest.mark.django_db

HEADER = "academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n"
AUTUMN = "2026/27,autumn,2026-09-02,2026-12-18,2026-10-26,2026-10-30\n"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("terms.csv", text.encode(), content_type="text/csv")


def test_an_la_admin_uploads_term_dates(login, world):
    client = login(world.people["admin_user"])
    response = client.post(reverse("term_dates_upload"), {"file": upload(HEADER + AUTUMN)})
    assert response.status_code == 302 and response["Location"] == reverse("term_dates")
    assert TermDates.objects.filter(local_authority=world.la).count() == 1
    page = client.get(reverse("term_dates"))
    assert "Autumn 2026/27" in page.content.decode()


def test_a_bad_term_dates_file_lists_every_problem_and_loads_nothing(login, world):
    client = login(world.people["admin_user"])
    bad = HEADER + AUTUMN + "2026/27,spring,2027-01-04,not-a-date,2027-02-15,2027-02-19\n2026/27,winter,,,,\n"
    response = client.post(reverse("term_dates_upload"), {"file": upload(bad)})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No term dates were loaded" in body and "Line 3:" in body and "Line 4:" in body
    assert TermDates.objects.count() == 0


def test_uploading_without_a_file_shows_the_error_summary(login, world):
    response = login(world.people["admin_user"]).post(reverse("term_dates_upload"), {})
    assert response.status_code == 200 and "Select a CSV file of term dates" in response.content.decode()


def test_a_virtual_school_officer_cannot_upload_term_dates(login, world):
    response = login(world.people["vs_officer"]).post(reverse("term_dates_upload"), {"file": upload(HEADER + AUTUMN)})
    assert response.status_code == 403 and TermDates.objects.count() == 0


def test_an_la_admin_adds_and_changes_a_term(login, world):
    client = login(world.people["admin_user"])
    data = {"academic_year": "2026/27", "term": "autumn", "starts_on": "2/9/2026", "ends_on": "18/12/2026",
            "half_term_starts_on": "26/10/2026", "half_term_ends_on": "30/10/2026"}
    assert client.post(reverse("term_dates_add"), data).status_code == 302
    row = TermDates.objects.get()
    data["ends_on"] = "17/12/2026"
    assert client.post(reverse("term_dates_edit", args=[row.pk]), data).status_code == 302
    row.refresh_from_db()
    assert row.ends_on == dt.date(2026, 12, 17)


def test_an_impossible_term_re_renders_with_the_error_and_changes_nothing(login, world):
    client = login(world.people["admin_user"])
    data = {"academic_year": "2026/27", "term": "autumn", "starts_on": "2/9/2026", "ends_on": "18/12/2026",
            "half_term_starts_on": "26/1/2027", "half_term_ends_on": "30/1/2027"}
    response = client.post(reverse("term_dates_add"), data)
    assert response.status_code == 200 and "is not inside" in response.content.decode()
    response = client.post(reverse("term_dates_add"), {**data, "starts_on": "31/2/2026"})
    assert response.status_code == 200 and "Enter a real date" in response.content.decode()
    assert TermDates.objects.count() == 0


def test_another_las_admin_cannot_change_this_las_term(login, world):
    row = TermDates.objects.create(local_authority=world.la, academic_year="2026/27", term="autumn",
                                   starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 12, 18),
                                   half_term_starts_on=dt.date(2026, 10, 26), half_term_ends_on=dt.date(2026, 10, 30))
    response = login(world.people["other_la_admin"]).post(reverse("term_dates_edit", args=[row.pk]), {
        "academic_year": "2026/27", "term": "autumn", "starts_on": "1/9/2026", "ends_on": "18/12/2026",
        "half_term_starts_on": "26/10/2026", "half_term_ends_on": "30/10/2026"})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.starts_on == dt.date(2026, 9, 2)


def test_an_la_admin_changes_the_deadline_settings(login, world):
    client = login(world.people["admin_user"])
    response = client.post(reverse("deadline_settings"), {"count_school_days": "on",
                                                          "post16_pattern": "staffordshire"})
    assert response.status_code == 302
    row = DeadlineSettings.objects.get(local_authority=world.la)
    assert (row.count_school_days, row.half_termly_for_ri_schools, row.post16_pattern) == (True, False, "staffordshire")


def test_a_social_worker_cannot_change_the_deadline_settings(login, world):
    response = login(world.people["social_worker"]).post(reverse("deadline_settings"), {"count_school_days": "on",
                                                                                        "post16_pattern": "termly"})
    assert response.status_code == 403 and not DeadlineSettings.objects.exists()


def test_a_carer_asks_for_a_concern_review(login, world, django_capture_on_commit_callbacks):
    client = login(world.people["carer"])
    url = reverse("concern_request", args=[world.child.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Ruby is refusing to go to school"})
    assert response.status_code == 302 and response["Location"] == reverse("child_detail", args=[world.child.pk])
    request = ConcernRequest.objects.get()
    assert (request.child, request.requested_by) == (world.child, world.people["carer"])


def test_a_concern_review_without_a_reason_is_refused_with_the_error(login, world):
    response = login(world.people["social_worker"]).post(reverse("concern_request", args=[world.child.pk]),
                                                         {"reason": "   "})
    assert response.status_code == 200 and "Enter why you are asking for a concern review" in response.content.decode()
    assert not ConcernRequest.objects.exists()


def test_the_young_person_and_outsiders_cannot_ask_for_a_concern_review(login, world, client):
    url = reverse("concern_request", args=[world.child.pk])
    assert login(world.people["young_person"]).post(url, {"reason": "x"}).status_code == 403
    assert login(world.people["outsider_carer"]).post(url, {"reason": "x"}).status_code == 404
    assert not ConcernRequest.objects.exists()


def test_the_deadlines_list_shows_only_the_persons_children(login, world):
    body = login(world.people["social_worker"]).get(reverse("deadlines_list")).content.decode()
    assert world.child.la_reference in body and world.other_child.la_reference not in body
    body = login(world.people["vs_officer"]).get(reverse("deadlines_list") + "?status=overdue").content.decode()
    assert world.child.la_reference in body and world.other_child.la_reference in body
    body = login(world.people["other_la_vs"]).get(reverse("deadlines_list")).content.decode()
    assert "There are no deadlines to show" in body


def test_the_home_panel_lists_what_is_overdue_for_professionals_only(world):
    [panel] = panels(world.people["designated_teacher"])
    assert [d.child_id for d in panel["deadlines"]] == [world.child.pk] and panel["overdue"] == 1
    assert panels(world.people["carer"]) == []
    response_body = Template("{% include panel.template %}").render(Context({"panel": panel}))
    assert "PEP deadlines" in response_body and "Overdue" in response_body


def test_the_home_page_shows_the_deadlines_panel(login, world):
    body = login(world.people["social_worker"]).get(reverse("home")).content.decode()
    assert "PEP deadlines" in body and "1 deadline overdue or due soon" in body


def test_the_child_page_include_lists_the_childs_deadlines_and_the_concern_link(world):
    request = RequestFactory().get("/")
    request.user = world.people["social_worker"]
    html = Template("{% load timeliness %}{% child_deadlines child %}").render(
        Context({"request": request, "child": world.child}))
    assert "Initial PEP" in html and "Overdue" in html
    assert reverse("concern_request", args=[world.child.pk]) in html
    request.user = world.people["young_person"]
    html = Template("{% load timeliness %}{% child_deadlines child %}").render(
        Context({"request": request, "child": world.child}))
    assert reverse("concern_request", args=[world.child.pk]) not in html
