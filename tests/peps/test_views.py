"""The PEP pages: each mutating view works for the right person and refuses the wrong one."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from peps.demo import save_answers
from peps.models import Pep, SectionConfig, StashedSectionPost
from peps.services.workflow import pep_approve
from tests.peps.factories import ready_to_submit, set_status, start_pep

pytestmark = pytest.mark.django_db


def _edit(pep, letter="A"):
    return reverse("pep_section_edit", args=[pep.pk, letter])


def test_the_pep_page_shows_sections_states_and_who_changed_them(client, pep, social_worker):
    client.force_login(social_worker)
    client.post(_edit(pep), {"version": "0", "action": "save", "other_agencies": "Pat"})
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "In progress" in page and "Not started" in page and "Social Worker," in page


def test_mark_as_complete_with_missing_fields_shows_the_error_summary(client, pep, social_worker):
    client.force_login(social_worker)
    response = client.post(_edit(pep), {"version": "0", "action": "complete", "other_agencies": "Pat"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and "Enter who holds parental responsibility" in response.text
    assert pep.sections.get(letter="A").version == 0


def test_a_stale_save_shows_both_texts_and_keeps_the_first(pep, social_worker, vs_officer):
    """Two browsers open section E; the second save is a conflict with both texts on the page."""
    first, second = Client(), Client()
    first.force_login(vs_officer)
    second.force_login(vs_officer)
    url = _edit(pep, "E")
    assert first.get(url).status_code == second.get(url).status_code == 200
    saved = first.post(url, {"version": "0", "action": "save", "dt_summary": "First person's summary"})
    assert saved.status_code == 302
    response = second.post(url, {"version": "0", "action": "save", "dt_summary": "Second person's summary"})
    assert response.status_code == 409
    assert "Someone else saved this section" in response.text
    assert "First person&#x27;s summary" in response.text  # theirs, read-only
    assert "Second person&#x27;s summary" in response.text  # yours, still in the form
    assert 'name="version" value="1"' in response.text
    e = pep.sections.get(letter="E")
    assert e.data["dt_summary"] == "First person's summary" and e.version == 1
    # Merged and saved again on the new version: accepted.
    again = second.post(url, {"version": "1", "action": "save", "dt_summary": "Both summaries"})
    assert again.status_code == 302
    assert pep.sections.get(letter="E").data["dt_summary"] == "Both summaries"


# A POST after the session ended, kept and put back after signing in again: see
# tests/peps/test_section_stash.py.


def test_a_stash_link_alone_does_not_prefill_another_browser(pep, social_worker):
    from tests.security.helpers import signed_in_then_timed_out

    timed_out = signed_in_then_timed_out(social_worker)
    response = timed_out.post(_edit(pep), {"version": "0", "other_agencies": "Planted text"})
    assert StashedSectionPost.objects.count() == 1
    from urllib.parse import unquote

    next_url = unquote(response["Location"].split("next=", 1)[1])
    victim = Client()
    victim.force_login(social_worker)
    page = victim.get(next_url)
    assert page.status_code == 200 and "Planted text" not in page.text


def test_start_a_pep_from_the_childs_page(client, world, social_worker):
    client.force_login(social_worker)
    child_page = client.get(reverse("child_detail", args=[world.child.pk])).text
    assert "Start a new PEP" in child_page
    response = client.post(reverse("pep_start", args=[world.child.pk]), {"kind": "termly"})
    pep = Pep.objects.get(child=world.child)
    assert response["Location"] == reverse("pep_detail", args=[pep.pk])
    child_page = client.get(reverse("child_detail", args=[world.child.pk])).text
    assert pep.label in child_page and "Start a new PEP" not in child_page


def test_start_refuses_a_second_open_pep_with_a_message(client, world, pep, designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("pep_start", args=[world.child.pk]), {"kind": "concern", "concern_reason": "X"})
    assert response.status_code == 200 and "already has an open PEP" in response.text
    assert Pep.objects.filter(child=world.child).count() == 1


def test_a_carer_cannot_start_a_pep(client, world, carer):
    client.force_login(carer)
    assert client.post(reverse("pep_start", args=[world.child.pk]), {"kind": "termly"}).status_code == 403
    assert not Pep.objects.exists()


def test_submit_page_lists_problems_as_an_error_summary(client, pep, designated_teacher):
    client.force_login(designated_teacher)
    response = client.post(reverse("pep_submit", args=[pep.pk]))
    assert response.status_code == 200 and "govuk-error-summary" in response.text
    assert "Complete section A: Care and contacts" in response.text and "Record the PEP meeting" in response.text
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.DRAFT


def test_submit_works_for_the_designated_teacher(client, world, designated_teacher, django_capture_on_commit_callbacks):
    pep = ready_to_submit(world.child)
    client.force_login(designated_teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pep_submit", args=[pep.pk]))
    assert response.status_code == 302
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED and mail.outbox


def test_a_social_worker_cannot_submit(client, world, social_worker):
    pep = ready_to_submit(world.child)
    client.force_login(social_worker)
    assert client.post(reverse("pep_submit", args=[pep.pk])).status_code == 403
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.DRAFT


def test_return_needs_a_reason_and_works_for_the_virtual_school(client, world, vs_officer):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    client.force_login(vs_officer)
    response = client.post(reverse("pep_return", args=[pep.pk]), {"reason": "  "})
    assert response.status_code == 200 and "Enter the reason for returning the PEP" in response.text
    response = client.post(reverse("pep_return", args=[pep.pk]), {"reason": "Targets need dates"})
    assert response.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.RETURNED and pep.returned_reason == "Targets need dates"


def test_a_designated_teacher_cannot_return_or_approve(client, world, designated_teacher):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    client.force_login(designated_teacher)
    assert client.post(reverse("pep_return", args=[pep.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("qa_review", args=[pep.pk]), {"decision": "approve"}).status_code == 403
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.SUBMITTED


def test_approve_locks_the_pep(client, world, vs_officer, social_worker):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    pep_approve(actor=vs_officer, pep=pep)
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.APPROVED
    client.force_login(social_worker)
    assert client.get(_edit(pep)).status_code == 403
    assert client.post(_edit(pep), {"version": "1", "other_agencies": "Late"}).status_code == 403


def test_carers_do_not_see_professional_only_fields(client, world, social_worker, carer):
    pep = start_pep(world.child)
    save_answers(actor=social_worker, section=pep.sections.get(letter="A"),
                 answers={"health_summary": "Confidential health note", "other_agencies": "Pat"}, version=0)
    client.force_login(carer)
    page = client.get(reverse("pep_section", args=[pep.pk, "A"])).text
    assert "Pat" in page and "Confidential health note" not in page
    client.force_login(social_worker)
    assert "Confidential health note" in client.get(reverse("pep_section", args=[pep.pk, "A"])).text


def test_the_admin_changes_the_sections_of_a_phase(client, world, admin_user):
    client.force_login(admin_user)
    assert "Care and contacts" in client.get(reverse("pep_section_config")).text
    url = reverse("pep_section_config_edit", args=["school_age"])
    data = {}
    for letter in "ABCDE":
        data.update({f"enabled_{letter}": "on", f"title_{letter}": f"Part {letter}", f"editors_{letter}": ["carer"]})
    data.pop("editors_B")
    response = client.post(url, data)
    assert response.status_code == 200 and "Select who edits section B" in response.text
    data["editors_B"] = ["designated_teacher", "social_worker"]
    assert client.post(url, data).status_code == 302
    b = SectionConfig.objects.get(local_authority=world.la, phase="school_age", letter="B")
    assert b.title == "Part B" and b.editor_roles == ["designated_teacher", "social_worker"]


def test_only_admins_change_the_sections(client, vs_officer):
    client.force_login(vs_officer)
    assert client.post(reverse("pep_section_config_edit", args=["school_age"]), {}).status_code == 403


def test_section_e_includes_the_meeting_and_targets_pages_only_when_they_exist(client, pep, designated_teacher,
                                                                               monkeypatch):
    from peps import views

    client.force_login(designated_teacher)
    monkeypatch.setattr(views, "SECTION_E_INCLUDES", ("meetings/includes/no-such-template.html",))
    response = client.get(reverse("pep_section", args=[pep.pk, "E"]))
    assert response.status_code == 200
    assert response.context["has_meeting_include"] is False and response.context["has_targets_include"] is False


def test_the_home_page_lists_sections_waiting_for_the_person(client, pep, carer, admin_user):
    client.force_login(carer)
    page = client.get(reverse("home")).text
    assert f"/peps/{pep.pk}/sections/D/edit/" in page and "/sections/A/edit/" not in page
    client.force_login(admin_user)
    assert reverse("pep_section_config") in client.get(reverse("home")).text


def test_a_post_at_the_12_hour_limit_keeps_the_text_too(client, pep, social_worker):
    import time

    from accounts.middleware import STARTED_AT
    from tests.security.helpers import sign_in

    sign_in(client, social_worker.email)  # through the portal, so the browser is known
    session = client.session
    session[STARTED_AT] = int(time.time()) - 12 * 60 * 60 - 1
    session.save()
    response = client.post(_edit(pep), {"version": "0", "action": "save", "other_agencies": "Typed at the limit"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert StashedSectionPost.objects.count() == 1
    assert pep.sections.get(letter="A").data == {}


def test_turning_off_section_a_asks_for_confirmation_first(client, world, admin_user):
    """Issue 14, point 9: a GOV.UK warning and a confirm step (POST only) before section A goes."""
    client.force_login(admin_user)
    url = reverse("pep_section_config_edit", args=["school_age"])
    data = {}
    for letter in "ABCDE":
        data.update({f"enabled_{letter}": "on", f"title_{letter}": f"Part {letter}",
                     f"editors_{letter}": ["designated_teacher"]})
    data.pop("enabled_A")
    client.get(reverse("pep_section_config"))  # the LA's defaults exist
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Turn off section A for school age PEPs?" in response.text and "govuk-warning-text" in response.text
    assert SectionConfig.objects.get(local_authority=world.la, phase="school_age", letter="A").enabled
    assert client.post(url, {**data, "confirm_section_a_off": "yes"}).status_code == 302
    assert not SectionConfig.objects.get(local_authority=world.la, phase="school_age", letter="A").enabled
    # Turning another section off needs no confirmation.
    data.update({"enabled_A": "on", "confirm_section_a_off": ""})
    data.pop("enabled_E")
    assert client.post(url, data).status_code == 302
