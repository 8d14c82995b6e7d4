"""The children CSV import: all or nothing, every problem reported, idempotent, schools change."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from children import services
from children.importer import COLUMNS
from children.models import CareEpisode, Child, SchoolPlacement, TeamMembership
from children.policies import relationship
from core.models import AuditEvent
from core.roles import Role
from tests.children.factories import csv_bytes, import_row
from tests.factories import SchoolFactory, UserFactory


@pytest.fixture
def setup(world):
    """Schools and people the files name."""
    school = SchoolFactory(urn="123456", name="Import Academy", local_authority=world.la)
    second = SchoolFactory(urn="654321", name="Second School", local_authority=world.la)
    people = {
        "sw": UserFactory(email="sw.import@example.test", role=Role.SOCIAL_WORKER, local_authority=world.la),
        "sw2": UserFactory(email="sw2.import@example.test", role=Role.SOCIAL_WORKER, local_authority=world.la),
        "dt": UserFactory(email="dt.import@example.test", role=Role.DESIGNATED_TEACHER, local_authority=world.la,
                          school=school),
        "carer1": UserFactory(email="c1@example.test", role=Role.CARER, local_authority=world.la),
        "carer2": UserFactory(email="c2@example.test", role=Role.CARER, local_authority=world.la),
    }
    return world, school, second, people


def good_rows(n: int = 3) -> list[dict[str, str]]:
    return [import_row(child_ref=f"IMP{i:05d}", first_name=f"Kid{i}", school_urn="123456",
                       school_started_on="2024-09-04", year_group=str(5 + i),
                       social_worker_email="sw.import@example.test",
                       designated_teacher_email="dt.import@example.test",
                       carer_emails="c1@example.test; C2@example.test" if i == 0 else "c1@example.test")
            for i in range(n)]


def test_a_good_file_imports_every_child_with_school_team_and_grants(setup):
    world, school, _second, people = setup
    result = services.children_import(actor=world.people["vs_officer"], la=world.la, data=csv_bytes(good_rows()))
    assert result.ok, result.errors
    assert (result.rows, result.children_created, result.placements_started) == (3, 3, 3)
    kid = Child.objects.get(local_authority=world.la, la_reference="IMP00000")
    assert kid.care_episodes.get().entered_care_on == dt.date(2024, 10, 1)
    assert kid.placements.get().school == school and kid.placements.get().year_group == 5
    # (Issue 12: the LA's own designated teacher at the school is linked with the placement.)
    assert set(kid.team.values_list("user__email", "role")) == {
        ("sw.import@example.test", Role.SOCIAL_WORKER), ("c1@example.test", Role.CARER),
        ("c2@example.test", Role.CARER), ("dt.import@example.test", Role.DESIGNATED_TEACHER)}
    # The grants came with the links, and the school's designated teacher sees the child.
    assert relationship(people["carer2"], kid) == Role.CARER
    assert relationship(people["sw"], kid) == Role.SOCIAL_WORKER
    assert relationship(people["dt"], kid) == Role.DESIGNATED_TEACHER


def test_the_import_audits_each_new_object_and_sums_up_once(setup):
    world, *_ = setup
    before = AuditEvent.objects.count()
    services.children_import(actor=world.people["vs_officer"], la=world.la, data=csv_bytes(good_rows()))
    events = AuditEvent.objects.order_by("id")[before:]
    kid = Child.objects.get(la_reference="IMP00000")
    assert sorted((e.verb, e.object_type) for e in events if e.child_id == kid.pk) == [
        ("created", "children.careepisode"), ("created", "children.child"), ("created", "children.schoolplacement"),
        ("linked", "children.teammembership"), ("linked", "children.teammembership"),
        ("linked", "children.teammembership")]
    [summary] = [e for e in events if e.verb == "imported"]
    assert summary.child_id is None and summary.changes["children_created"] == 3


def test_reimporting_the_same_file_changes_nothing_and_writes_no_events(setup):
    world, *_ = setup
    data = csv_bytes(good_rows())
    services.children_import(actor=None, la=world.la, data=data)
    counts = (Child.objects.count(), CareEpisode.objects.count(), SchoolPlacement.objects.count(),
              TeamMembership.objects.count(), AuditEvent.objects.count())
    result = services.children_import(actor=None, la=world.la, data=data)
    assert result.ok and not result.changed and result.children_unchanged == 3
    assert counts == (Child.objects.count(), CareEpisode.objects.count(), SchoolPlacement.objects.count(),
                      TeamMembership.objects.count(), AuditEvent.objects.count())


def test_a_changed_school_ends_the_old_placement_and_starts_a_new_one(setup):
    world, school, second, _people = setup
    rows = good_rows(1)
    services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    rows[0].update(school_urn="654321", school_started_on="2025-09-03", year_group="6",
                   designated_teacher_email="")
    result = services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    assert result.ok and (result.placements_started, result.children_updated) == (1, 1)
    kid = Child.objects.get(la_reference="IMP00000")
    old, new = kid.placements.order_by("started_on")
    assert (old.school, old.ended_on) == (school, dt.date(2025, 9, 2))
    assert (new.school, new.ended_on, new.year_group) == (second, None, 6)


def test_changed_details_year_group_and_people_are_written_with_one_event_each(setup):
    world, _school, _second, people = setup
    rows = good_rows(1)
    services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    rows[0].update(last_name="Renamed", year_group="6", social_worker_email="sw2.import@example.test",
                   carer_emails="c2@example.test")
    before = AuditEvent.objects.count()
    result = services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    assert result.ok
    assert (result.children_updated, result.placements_updated, result.links_made, result.links_ended) == (1, 1, 1, 2)
    kid = Child.objects.get(la_reference="IMP00000")
    assert kid.last_name == "Renamed" and kid.placements.get().year_group == 6
    active = set(kid.team.filter(ends_on__isnull=True).values_list("user__email", flat=True))
    assert active == {"sw2.import@example.test", "c2@example.test", "dt.import@example.test"}
    # The carer no longer listed was unlinked and loses access at once.
    assert relationship(people["carer1"], kid) is None
    # Details, year group, link sw2, unlink sw, unlink c1 (c2 was linked already), and the summary.
    assert AuditEvent.objects.count() - before == 6


def test_a_blank_optional_cell_leaves_stored_values_and_links_alone(setup):
    world, *_ = setup
    rows = good_rows(1)
    rows[0]["upn"] = "L12345678901B"
    services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    rows[0].update(upn="", carer_emails="", social_worker_email="", gender="")
    result = services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    assert result.ok and not result.changed
    kid = Child.objects.get(la_reference="IMP00000")
    # Social worker, carer and (issue 12) the school's designated teacher.
    assert kid.upn == "L12345678901B" and kid.team.filter(ends_on__isnull=True).count() == 4


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_one(setup):
    world, *_ = setup
    outsider_carer = UserFactory(email="far@example.test", role=Role.CARER, local_authority=world.other_la)
    rows = good_rows(2) + [
        import_row(child_ref="BAD1", school_urn="999999", school_started_on="2024-09-04", year_group="7"),  # line 4
        import_row(child_ref="BAD2", date_of_birth="31/02/2013"),  # line 5
        import_row(child_ref="BAD3", social_worker_email="nobody@example.test"),  # line 6
        import_row(child_ref="BAD4", social_worker_email="c1@example.test"),  # line 7
        import_row(child_ref="BAD5", upn="12345"),  # line 8
        import_row(child_ref="IMP00000"),  # line 9: duplicate of line 2
        import_row(child_ref="BAD6", school_urn="654321", school_started_on="2024-09-04", year_group="7",
                   designated_teacher_email="dt.import@example.test"),  # line 10: DT of another school
        import_row(child_ref="BAD7", carer_emails=f"c1@example.test;{outsider_carer.email}"),  # line 11
        import_row(child_ref="BAD8", first_name="", year_group="Year 15", school_urn="123456",
                   school_started_on="2024-09-04"),  # line 12: two problems
        import_row(child_ref="BAD9", entered_care_on="2030-01-01"),  # line 13
    ]
    before = (Child.objects.count(), AuditEvent.objects.count())
    result = services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    assert (Child.objects.count(), AuditEvent.objects.count()) == before
    by_line: dict[int, list[str]] = {}
    for error in result.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == list(range(4, 14))
    assert "no school has the URN 999999" in by_line[4][0]
    assert "not a real date" in by_line[5][0]
    assert "no one with a login has the email address nobody@example.test" in by_line[6][0]
    assert "has the role Carer" in by_line[7][0]
    assert "upn" in by_line[8][0]
    assert "already on line 2" in by_line[9][0]
    assert "not a designated teacher at Second School" in by_line[10][0]
    assert "does not work with" in by_line[11][0]
    assert len(by_line[12]) == 2 and "first_name is empty" in by_line[12]
    assert "in the future" in by_line[13][0]


def test_a_file_without_a_column_is_refused_whole(setup):
    world, *_ = setup
    data = csv_bytes(good_rows(1), columns=[c for c in COLUMNS if c not in ("upn", "carer_emails")])
    result = services.children_import(actor=None, la=world.la, data=data)
    assert [(e.line, e.message) for e in result.errors] == [
        (1, "The header row is missing the columns upn, carer_emails")]


@pytest.mark.parametrize("data,message", [
    (b"\xff\xfe\x00", "UTF-8"),
    (b"", "missing the columns"),
    (csv_bytes([]), "no children in it"),
])
def test_unreadable_and_empty_files_are_reported(world, data, message):
    result = services.children_import(actor=None, la=world.la, data=data)
    assert not result.ok and message in result.errors[0].message


def test_a_new_school_start_not_after_the_current_one_is_reported(setup):
    world, *_ = setup
    rows = good_rows(1)
    services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    rows[0].update(school_urn="654321", school_started_on="2024-09-01", designated_teacher_email="")
    result = services.children_import(actor=None, la=world.la, data=csv_bytes(rows))
    assert [e.line for e in result.errors] == [2] and "after the current placement started" in result.errors[0].message


def test_the_command_imports_a_file_and_reports_problems(setup, tmp_path):
    world, *_ = setup
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(good_rows(2)))
    out = io.StringIO()
    call_command("import_children", str(good), "--la", "test", stdout=out)
    assert "2 children added" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([import_row(child_ref="X1", date_of_birth="soon")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_children", str(bad), "--la", "TEST", stderr=err)
    assert "line 2: date_of_birth 'soon' is not a real date" in err.getvalue()
    with pytest.raises(CommandError, match="No local authority"):
        call_command("import_children", str(good), "--la", "NOPE")


def test_the_upload_page_imports_for_the_virtual_school(setup, client):
    world, *_ = setup
    client.force_login(world.people["vs_officer"])
    upload = io.BytesIO(csv_bytes(good_rows(2)))
    upload.name = "children.csv"
    response = client.post(reverse("children_import"), {"file": upload})
    assert response.status_code == 302 and response["Location"] == reverse("children_list")
    assert Child.objects.filter(la_reference__startswith="IMP").count() == 2


def test_the_upload_page_shows_every_problem_and_imports_nothing(setup, client):
    world, *_ = setup
    client.force_login(world.people["admin_user"])
    upload = io.BytesIO(csv_bytes([import_row(child_ref="A", upn="bad"), import_row(child_ref="A")]))
    upload.name = "children.csv"
    response = client.post(reverse("children_import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "Nothing was imported" in page
    assert "Line 2: upn" in page and "Line 3: child_ref A is already on line 2" in page
    assert not Child.objects.filter(la_reference="A").exists()


def test_the_upload_page_refuses_a_social_worker(setup, client):
    world, *_ = setup
    client.force_login(world.people["social_worker"])
    upload = io.BytesIO(csv_bytes(good_rows(1)))
    upload.name = "children.csv"
    assert client.post(reverse("children_import"), {"file": upload}).status_code == 403
    assert not Child.objects.filter(la_reference__startswith="IMP").exists()
