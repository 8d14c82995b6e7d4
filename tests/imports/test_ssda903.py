"""The SSDA903 import: what lands, what is reported per row, re-import, next year, the XML form."""

from __future__ import annotations

import datetime as dt

import pytest

from children.models import CareEpisode, CareHistoryEpisode, Child
from core.models import AuditEvent
from imports import services
from imports.readers import FileProblem


def _run(world, files, **kwargs):
    return services.ssda903_import(actor=world.people["admin_user"], la=world.la, header=files("903_header.csv"),
                                   episodes=files("903_episodes.csv"), run_validator=False, **kwargs)


def test_it_imports_the_usable_children_and_reports_each_bad_row(world, files):
    result = _run(world, files)
    refs = set(Child.objects.filter(local_authority=world.la, la_reference__in=["101", "102", "103", "104", "105",
                                                                              "106"]).values_list("la_reference",
                                                                                                  flat=True))
    assert refs == {"101", "102", "104", "106"}
    by_child: dict = {}
    for p in result.problems:
        by_child[(p.child, p.warning)] = by_child.get((p.child, p.warning), "") + " | " + p.message
    assert "no date of birth" in by_child[("103", False)]
    assert "30/02/2011" in by_child[("105", False)]  # not a real date, DD/MM/YYYY
    assert "not in the header file" in by_child[("999", False)]
    assert "31/13/2024" in by_child[("106", False)]
    assert "wrong check letter" in by_child[("104", True)]
    assert "UN9" in by_child[("106", True)]
    assert "ZZZZ" in by_child[("104", True)]
    assert result.children_created == 4


def test_it_stores_codes_with_labels_and_the_un_code(world, files):
    _run(world, files)
    child = Child.objects.get(local_authority=world.la, la_reference="101")
    assert (child.gender, child.ethnicity, child.upn, child.legal_status) == ("male", "White British (WBRI)", "UN4",
                                                                              "co")
    assert child.display_name == "Child 101"
    history = list(CareHistoryEpisode.objects.filter(child=child).order_by("starts_on"))
    assert [(h.legal_status, h.placement_type, h.placement_urn) for h in history] == [
        ("C1", "U1", "SC123456"), ("C2", "U4", "SC123456")]
    # Two episodes joined by X1 are one time in care, still open.
    assert list(child.care_episodes.values_list("entered_care_on", "left_care_on")) == [(dt.date(2024, 6, 1), None)]
    assert {h.care_episode_id for h in history} == {child.care_episodes.get().pk}


def test_a_child_whose_last_episode_ended_has_left_care(world, files):
    _run(world, files)
    child = Child.objects.get(local_authority=world.la, la_reference="102")
    assert list(child.care_episodes.values_list("entered_care_on", "left_care_on")) == [
        (dt.date(2023, 6, 1), dt.date(2025, 1, 31))]
    assert child.upn == "L12345678901B" and child.gender == "female"


def test_importing_the_same_files_again_changes_nothing_and_writes_no_event(world, files):
    _run(world, files)
    events = AuditEvent.objects.count()
    result = _run(world, files)
    assert AuditEvent.objects.count() == events
    assert (result.children_created, result.children_updated, result.episodes_added) == (0, 0, 0)
    assert result.children_unchanged == 4


def test_it_writes_one_imported_event_with_the_counts(world, files):
    _run(world, files)
    event = AuditEvent.objects.get(object_type="imports.ssda903")
    assert event.verb == "imported" and event.changes["children_created"] == 4
    assert event.actor == world.people["admin_user"]


def test_next_years_files_close_and_add_episodes(world, files):
    _run(world, files)
    header = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n101,1,01/05/2012,WBRI,UN4,,\n"
    episodes = (b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
                b"101,01/09/2024,L,C2,N1,U4,PR4,01/03/2025,X1,,AB1 2CD,AB3 4EF,SC123456\n"
                b"101,01/03/2025,P,C2,N1,U5,PR4,30/06/2025,E13,CHANGE,AB1 2CD,AB5 6GH,SC999999\n")
    result = services.ssda903_import(actor=None, la=world.la, header=header, episodes=episodes, run_validator=False)
    child = Child.objects.get(local_authority=world.la, la_reference="101")
    assert result.episodes_added == 1 and result.episodes_changed == 1 and result.left_care == 1
    assert list(child.care_episodes.values_list("entered_care_on", "left_care_on")) == [
        (dt.date(2024, 6, 1), dt.date(2025, 6, 30))]
    assert child.care_history.count() == 3


def test_names_file_in_windows_1252_fills_the_names(world, files):
    _run(world, files, names=files("903_names_cp1252.csv"))
    child = Child.objects.get(local_authority=world.la, la_reference="102")
    assert (child.first_name, child.last_name, child.preferred_name) == ("Zoë", "O\u2019Brien", "Zo")
    assert Child.objects.get(local_authority=world.la, la_reference="101").first_name == "Siân"


def test_a_reimport_without_names_keeps_the_names_people_typed(world, files):
    _run(world, files)
    Child.objects.filter(local_authority=world.la, la_reference="101").update(first_name="Ana", last_name="Lee")
    _run(world, files)
    assert Child.objects.get(local_authority=world.la, la_reference="101").display_name == "Ana Lee"


def test_the_xml_form_is_read_into_the_same_tables(world, files):
    result = services.ssda903_import(actor=None, la=world.la, header=files("903.xml"), run_validator=False)
    assert result.errors == [] and result.children_created == 2
    left = Child.objects.get(local_authority=world.la, la_reference="201")
    assert left.care_episodes.get().left_care_on == dt.date(2025, 1, 20)
    assert left.upn == "UN1" and left.ethnicity == "Indian (AIND)"


def test_another_las_import_never_touches_this_las_children(world, files):
    _run(world, files)
    result = services.ssda903_import(actor=world.people["other_la_admin"], la=world.other_la,
                                     header=files("903_header.csv"), episodes=files("903_episodes.csv"),
                                     run_validator=False)
    assert result.children_created == 4
    assert Child.objects.filter(la_reference="101").count() == 2
    assert Child.objects.get(local_authority=world.la, la_reference="101").care_history.count() == 2


def test_an_episodes_file_given_as_the_header_is_refused_whole(world, files):
    with pytest.raises(FileProblem, match="looks like an episodes file"):
        services.ssda903_import(actor=None, la=world.la, header=files("903_episodes.csv"),
                                episodes=files("903_episodes.csv"), run_validator=False)
    assert not CareEpisode.objects.filter(child__la_reference="101").exists()


def test_the_dfe_rules_are_shown_as_warnings(world, files):
    result = services.ssda903_import(actor=None, la=world.la, header=files("903_header.csv"),
                                     episodes=files("903_episodes.csv"))
    assert "error" not in result.validation, result.validation
    codes = {f["code"] for f in result.validation["findings"]}
    assert "168" in codes  # the DfE's own "UPN is not valid" rule
    assert result.children_created == 4  # findings never stop the import


def test_the_expanded_xml_return_with_dd_mm_yyyy_dates_is_read(world, files):
    result = services.ssda903_import(actor=None, la=world.la, header=files("903_expanded.xml"))
    assert result.errors == [] and result.children_created == 1
    child = Child.objects.get(local_authority=world.la, la_reference="301")
    assert (child.upn, child.gender, child.legal_status) == ("UN3", "male", "co")
    assert list(child.care_episodes.values_list("entered_care_on", "left_care_on")) == [
        (dt.date(2024, 5, 1), dt.date(2025, 2, 28))]
    assert [h.placement_type for h in child.care_history.order_by("starts_on")] == ["U1", "U4"]
    assert "error" not in result.validation  # the DfE rules run on the XML form too
