"""The GIAS import: encodings, real column names, own LA without placeholder tenants, re-import, ratings."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import LocalAuthority, School
from core.models import AuditEvent
from imports import services
from imports.readers import FileProblem
from tests.imports.gias_files import COLUMNS, gias_bytes, row


def _import(data, **kwargs):
    return services.gias_import(actor=None, data=data, **kwargs)


@pytest.mark.django_db
def test_it_reads_windows_1252_and_latin_1_names():
    data = gias_bytes([row("140001", "St Aidan’s Catholic Primary School")], encoding="cp1252")
    _import(data)
    _import(gias_bytes([row("140002", "Ysgol Gymraeg Bro Ogwr"), row("140003", "École Française Jacques Prévert")],
                       encoding="latin-1"))
    assert School.objects.get(urn="140001").name == "St Aidan’s Catholic Primary School"
    assert School.objects.get(urn="140003").name == "École Française Jacques Prévert"
    assert School.objects.get(urn="140002").name == "Ysgol Gymraeg Bro Ogwr"


@pytest.mark.django_db
def test_a_school_belongs_to_its_own_la_without_a_placeholder_tenant():
    before = LocalAuthority.objects.count()
    _import(gias_bytes([row("140010", "Far Away Academy", la_code="909", la_name="Cumberland")]))
    school = School.objects.get(urn="140010")
    assert (school.la_code, school.la_name, school.local_authority) == ("909", "Cumberland", None)
    assert LocalAuthority.objects.count() == before


@pytest.mark.django_db
def test_a_school_of_a_portal_la_is_linked_to_it_by_code_or_name():
    la = LocalAuthority.objects.create(name="Staffordshire", code="860")
    named = LocalAuthority.objects.create(name="Derbyshire", code="DERBY")
    _import(gias_bytes([row("140020", "Near School"), row("140021", "Peak School", la_code="830",
                                                            la_name="Derbyshire")]))
    assert School.objects.get(urn="140020").local_authority == la
    assert School.objects.get(urn="140021").local_authority == named


@pytest.mark.django_db
def test_it_takes_type_phase_status_rating_and_postcode_and_derives_phase_when_not_applicable():
    _import(gias_bytes([
        row("140030", "Little Acorns Nursery School", type_name="LA nursery school", phase="Not applicable"),
        row("140031", "Oak Special School", type_name="Community special school", phase="Not applicable",
            rating="Requires improvement"),
        row("140032", "The Bridge PRU", type_name="Pupil referral unit", phase="Not applicable", rating=""),
        row("140033", "High School", phase="Secondary", rating="Special Measures", postcode="st16 2lp",
            status="Open, but proposed to close"),
    ]))
    got = {s.urn: (s.phase, s.ofsted_rating, s.status) for s in School.objects.filter(urn__startswith="14003")}
    assert got == {
        "140030": ("early_years", "good", "open"),
        "140031": ("special", "requires_improvement", "open"),
        "140032": ("alternative", "not_inspected", "open"),
        "140033": ("secondary", "inadequate", "closing"),
    }
    school = School.objects.get(urn="140033")
    assert (school.postcode, school.establishment_type) == ("ST16 2LP", "Community school")


@pytest.mark.django_db
def test_closed_schools_are_skipped_unless_asked_for_and_then_marked_closed():
    data = gias_bytes([row("140040", "Old School", status="Closed"), row("140041", "New School")])
    result = _import(data)
    assert result.closed_skipped == 1 and not School.objects.filter(urn="140040").exists()
    _import(data, include_closed=True)
    assert School.objects.get(urn="140040").is_closed


@pytest.mark.django_db
def test_the_suffix_free_column_names_are_accepted_too():
    columns = [c.replace(" (name)", "") for c in COLUMNS if not c.endswith("(code)")] + ["LA (code)"]
    plain = [{k.replace(" (name)", ""): v for k, v in row("140050", "Plain Columns School").items()}]
    _import(gias_bytes(plain, columns=columns))
    assert School.objects.get(urn="140050").name == "Plain Columns School"


@pytest.mark.django_db
def test_a_file_without_the_needed_columns_is_refused_at_line_1():
    with pytest.raises(FileProblem, match="URN"):
        _import(b"Name,Town\nA school,Stafford\n")


@pytest.mark.django_db
def test_bad_rows_are_reported_and_skipped():
    result = _import(gias_bytes([row("ABC", "Letters"), row("140060", ""), row("140061", "Fine"),
                                 row("140061", "Twice")]))
    assert [line for line, _ in result.problems] == [2, 3, 5]
    assert School.objects.get(urn="140061").name == "Fine"


def test_a_reimport_updates_name_rating_and_status_only_and_writes_one_event(world):
    school = world.school
    School.objects.filter(pk=school.pk).update(la_code="860", la_name="Staffordshire", postcode="ST1 1AA")
    events = AuditEvent.objects.count()
    data = gias_bytes([row(school.urn, "Ruby's Renamed School", rating="Outstanding", status="Open",
                           postcode="XX9 9XX", type_name="Academy converter", la_code="999", la_name="Elsewhere")])
    result = _import(data)
    school.refresh_from_db()
    assert (school.name, school.ofsted_rating) == ("Ruby's Renamed School", "outstanding")
    assert (school.postcode, school.la_code, school.local_authority) == ("ST1 1AA", "860", world.la)
    assert result.updated == 1 and AuditEvent.objects.count() == events + 1
    again = _import(data)
    assert again.unchanged == 1 and AuditEvent.objects.count() == events + 1


def test_a_rating_change_re_evaluates_the_half_termly_review_rule(world):
    from deadlines.engine import compute_deadlines
    from deadlines.models import DeadlineSettings, TermDates

    DeadlineSettings.objects.create(local_authority=world.la, half_termly_for_ri_schools=True)
    TermDates.objects.create(local_authority=world.la, academic_year="2026/27", term="autumn",
                             starts_on=dt.date(2026, 9, 2), ends_on=dt.date(2026, 12, 18),
                             half_term_starts_on=dt.date(2026, 10, 26), half_term_ends_on=dt.date(2026, 10, 30))
    today = dt.date(2026, 10, 5)

    def kinds():
        return {d.kind for d in compute_deadlines(today=today, la_ids=[world.la.pk]) if d.child_id == world.child.pk}

    assert "half_termly" not in kinds()
    result = _import(gias_bytes([row(world.school.urn, world.school.name, rating="Requires improvement")]))
    assert result.children_review_rule_changed == 1
    assert "half_termly" in kinds()
