"""The import pages and commands: the right people, GOV.UK errors, never a 500, other LAs kept out."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import School
from children.models import Child
from children.upn import with_check_letter
from deadlines.models import DayOff, TermDates
from education.models import Attendance
from imports.models import Ssda903Import
from tests.factories import UserFactory
from tests.imports.gias_files import gias_bytes, row


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_the_903_page_imports_in_the_background_and_shows_the_result(world, login, files,
                                                                     django_capture_on_commit_callbacks):
    client = login(world.people["vs_officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ssda903_upload"), {
            "header": _upload("header.csv", files("903_header.csv")),
            "episodes": _upload("episodes.csv", files("903_episodes.csv"))})
    job = Ssda903Import.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("ssda903_import", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Import finished" in page and "4 children added" in page
    assert "Child 103 has no date of birth" in page and "DfE validation rules" in page
    assert job.requested_by == world.people["vs_officer"] and not Ssda903Import.objects.get().header
    assert Child.objects.filter(local_authority=world.la, la_reference="101").exists()


def test_the_903_page_asks_for_the_episodes_file_for_a_csv_return(world, login, files):
    client = login(world.people["admin_user"])
    page = client.post(reverse("ssda903_upload"), {"header": _upload("header.csv", files("903_header.csv"))})
    assert page.status_code == 200 and "Select the episodes file" in page.content.decode()
    assert not Ssda903Import.objects.exists()


def test_a_903_file_that_cannot_be_used_says_so_and_imports_nothing(world, login,
                                                                    django_capture_on_commit_callbacks):
    client = login(world.people["admin_user"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("ssda903_upload"), {"header": _upload("h.csv", b"foo,bar\n1,2\n"),
                                                            "episodes": _upload("e.csv", b"x\n")})
    page = client.get(response["Location"])
    assert "Nothing was imported" in page.content.decode() and page.status_code == 200
    assert "The header file: The first line must name the columns CHILD, DOB" in page.content.decode()


def test_another_las_admin_cannot_see_this_las_import_or_import_into_it(world, login, files,
                                                                       django_capture_on_commit_callbacks):
    client = login(world.people["admin_user"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ssda903_upload"), {"header": _upload("h.csv", files("903_header.csv")),
                                            "episodes": _upload("e.csv", files("903_episodes.csv"))})
    job = Ssda903Import.objects.get()
    other = login(world.people["other_la_admin"])
    assert other.get(reverse("ssda903_import", args=[job.pk])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        other.post(reverse("ssda903_upload"), {"header": _upload("h.csv", files("903_header.csv")),
                                               "episodes": _upload("e.csv", files("903_episodes.csv"))})
    assert Child.objects.filter(local_authority=world.other_la, la_reference="101").exists()
    assert Child.objects.filter(la_reference="101").count() == 2  # each LA its own child, nothing shared


def test_the_gias_page_is_for_platform_admins(world, login):
    admin = UserFactory(email="root@example.test", role="la_admin", local_authority=None, is_superuser=True,
                        is_staff=True)
    client = login(admin)
    response = client.post(reverse("gias_upload"), {"file": _upload("edubasealldata.csv",
                                                                     gias_bytes([row("150001", "St Aidan’s")]))})
    assert response.status_code == 200 and "1 added" in response.content.decode()
    assert School.objects.get(urn="150001").name == "St Aidan’s"
    assert login(world.people["admin_user"]).get(reverse("gias_upload")).status_code == 403


def test_a_gias_file_without_its_columns_is_a_form_error(world, login):
    admin = UserFactory(email="root2@example.test", role="la_admin", local_authority=None, is_superuser=True)
    page = login(admin).post(reverse("gias_upload"), {"file": _upload("x.csv", b"a,b\n1,2\n")})
    assert page.status_code == 200 and "must name the column" in page.content.decode()


def test_the_attendance_page_records_and_lists_unmatched_rows(world, login):
    upn = with_check_letter("860200012345")
    Child.objects.filter(pk=world.child.pk).update(upn=upn)
    client = login(world.people["designated_teacher"])
    data = f"UPN,Possible sessions,Present,Authorised absence,Unauthorised absence\n{upn},100,95,5,0\n" \
           f"{with_check_letter('860200000001')},100,95,5,0\n"
    page = client.post(reverse("attendance_upload"), {"academic_year": "2025/26", "term": "autumn",
                                                      "file": _upload("a.csv", data.encode())})
    text = page.content.decode()
    assert page.status_code == 200 and "1 pupil recorded" in text and "Line 3: No child you can see" in text
    assert Attendance.objects.get().child == world.child


def test_the_templates_download_as_csv(world, login):
    client = login(world.people["designated_teacher"])
    response = client.get(reverse("attendance_template"))
    assert response["Content-Type"].startswith("text/csv") and b"Possible sessions" in response.content
    response = login(world.people["admin_user"]).get(reverse("term_dates_template"))
    assert b"inset" in response.content


def test_the_term_dates_page_lists_every_problem_and_loads_nothing(world, login):
    client = login(world.people["admin_user"])
    bad = b"academic_year,term,starts_on,ends_on,half_term_starts_on,half_term_ends_on\n" \
          b"2025/26,autumn,01/09/2025,19/12/2025,27/10/2025,31/10/2025\n2025/26,inset,32/01/2026,,,\n"
    page = client.post(reverse("imports_term_dates"), {"file": _upload("t.csv", bad)})
    assert page.status_code == 200 and "Line 3" in page.content.decode()
    assert not TermDates.objects.exists() and not DayOff.objects.exists()


def test_the_term_dates_page_loads_an_ics(world, login):
    from tests.imports.test_term_dates import ICS

    response = login(world.people["vs_officer"]).post(
        reverse("imports_term_dates"), {"file": SimpleUploadedFile("terms.ics", ICS, content_type="text/calendar")},
        follow=True)
    assert "2 terms and 2 INSET or closure days loaded" in response.content.decode()


def test_the_commands_import_903_gias_and_term_dates(world, files, tmp_path):
    header, episodes = tmp_path / "h.csv", tmp_path / "e.csv"
    header.write_bytes(files("903_header.csv"))
    episodes.write_bytes(files("903_episodes.csv"))
    out, err = StringIO(), StringIO()
    call_command("import_903", "--la", "TEST", "--header", str(header), "--episodes", str(episodes),
                 "--no-validation", stdout=out, stderr=err)
    assert "4 children added" in out.getvalue() and "no date of birth" in err.getvalue()
    gias = tmp_path / "gias.csv"
    gias.write_bytes(gias_bytes([row("160001", "Command School"), row("160002", "Shut", status="Closed")]))
    call_command("import_gias", str(gias), stdout=(out := StringIO()))
    assert "1 schools added" in out.getvalue() and "1 closed schools skipped" in out.getvalue()
    with pytest.raises(CommandError, match="No local authority"):
        call_command("import_903", "--la", "NOPE", "--header", str(header), stdout=StringIO())


def test_the_attendance_command_refuses_someone_who_may_not_upload(world, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("UPN,Possible,Present,Authorised,Unauthorised\n")
    with pytest.raises(CommandError, match="not a designated teacher"):
        call_command("import_attendance", str(path), "--as", "carer@example.test", "--term", "autumn",
                     "--year", "2025/26")
