"""Saving sections (optimistic locking) and the workflow: submit, return, approve."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import hooks
from core.models import AuditEvent
from core.notifications import outbox_deliver
from core.refusals import Refused
from peps import hooks as peps_hooks
from peps.demo import AnswersInvalid, sample_answers, save_answers
from peps.models import Pep, Section
from peps.services.sections import SectionConflict
from peps.services.workflow import ALLOWED, SubmitProblems, _transition, pep_approve, pep_return, pep_start, pep_submit
from tests.peps.factories import complete_sections, ready_to_submit, set_status

pytestmark = pytest.mark.django_db


def _a(pep):
    return pep.sections.get(letter="A")


# --- section_save -------------------------------------------------------------------------


def test_section_save_keeps_partial_work_in_progress(pep, social_worker):
    saved = save_answers(actor=social_worker, section=_a(pep), answers={"other_agencies": "Pat"}, version=0,
                         mark_complete=False)
    assert saved.state == Section.State.IN_PROGRESS and saved.version == 1
    assert saved.data["other_agencies"] == "Pat" and saved.updated_by == social_worker and saved.updated_at


def test_mark_as_complete_checks_the_mandatory_fields(pep, social_worker):
    with pytest.raises(AnswersInvalid) as exc:
        save_answers(actor=social_worker, section=_a(pep), answers={"other_agencies": "Pat"}, version=0,
                     mark_complete=True)
    assert exc.value.form.errors["parental_responsibility"] == ["Enter who holds parental responsibility"]
    assert _a(pep).version == 0 and _a(pep).data == {}


def test_section_save_writes_one_audit_event(pep, social_worker):
    # Section A is complete only with the legal status on the child's record.
    type(pep.child).objects.filter(pk=pep.child_id).update(legal_status="co")
    before = AuditEvent.objects.count()
    save_answers(actor=social_worker, section=_a(pep), answers=sample_answers("school_age", "A"), version=0,
                 mark_complete=True)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.first()
    assert event.object_type == "peps.section" and event.changes["state"] == ["not_started", "complete"]


def test_it_refuses_a_stale_section_save_and_keeps_the_first_text(pep, social_worker):
    save_answers(actor=social_worker, section=_a(pep), answers={"other_agencies": "First text"}, version=0)
    with pytest.raises(SectionConflict) as exc:
        save_answers(actor=social_worker, section=_a(pep), answers={"other_agencies": "Second text"}, version=0)
    assert exc.value.theirs.data["other_agencies"] == "First text" and exc.value.theirs.version == 1
    assert _a(pep).data["other_agencies"] == "First text"


def test_only_the_sections_editors_can_save(pep, carer, designated_teacher):
    for person in (carer, designated_teacher):
        with pytest.raises(PermissionDenied):
            save_answers(actor=person, section=_a(pep), answers={"other_agencies": "X"}, version=0)


def test_a_carer_posting_other_fields_or_status_approved_changes_nothing_else(pep, carer, client):
    d = pep.sections.get(letter="D")
    client.force_login(carer)
    response = client.post(reverse("pep_section_edit", args=[pep.pk, "D"]), {
        "version": "0", "action": "save", "reading_at_home": "Every night",
        "status": "approved", "child": "999", "pep": "999", "state": "complete", "editor_roles": "carer",
        "carer_name": "Hacked", "legal_status": "co", "attendance_percent": "12", "dt_sign_off": "on",
        "version_override": "99", "updated_by": "1",
    })
    assert response.status_code == 302
    pep.refresh_from_db()
    assert pep.status == Pep.Status.DRAFT and pep.child_id != 999
    d.refresh_from_db()
    assert d.data == {"homework_and_equipment": "", "reading_at_home": "Every night", "interests_to_develop": "",
                      "concerns": ""}
    assert d.state == Section.State.IN_PROGRESS and d.editor_roles == ["carer"]
    for other in pep.sections.exclude(letter="D"):
        assert other.version == 0 and other.data.get("carer_name") is None and other.data.get("dt_sign_off") is None
    # Posting to another section's page is refused outright.
    response = client.post(reverse("pep_section_edit", args=[pep.pk, "A"]),
                           {"version": "0", "carer_name": "Hacked", "status": "approved"})
    assert response.status_code == 403
    assert _a(pep).data == {}


def test_a_carers_save_keeps_professional_only_fields(world, pep, social_worker):
    """When a carer edits a section with professional-only fields, those fields are kept as stored."""
    Section.objects.filter(pk=_a(pep).pk).update(editor_roles=["social_worker", "carer"])
    save_answers(actor=social_worker, section=_a(pep), answers={"health_summary": "Asthma", "other_agencies": "A"},
                 version=0)
    save_answers(actor=world.people["carer"], section=_a(pep), answers={"other_agencies": "B", "health_summary": ""},
                 version=1)
    assert _a(pep).data["health_summary"] == "Asthma" and _a(pep).data["other_agencies"] == "B"


def test_approved_sections_are_locked(pep, social_worker):
    set_status(pep, Pep.Status.APPROVED)
    with pytest.raises(Refused):
        save_answers(actor=social_worker, section=_a(pep), answers={"other_agencies": "X"}, version=0)


# --- workflow -----------------------------------------------------------------------------


def test_the_workflow_table_is_the_issues():
    S = Pep.Status
    # Issue 14: the Virtual School can reopen an approved PEP (it goes back as returned).
    assert ALLOWED == {S.DRAFT: {S.SUBMITTED}, S.SUBMITTED: {S.RETURNED, S.APPROVED},
                                S.RETURNED: {S.SUBMITTED}, S.APPROVED: {S.RETURNED}}


def test_submit_lists_every_problem(pep, designated_teacher):
    complete_sections(pep, "AB")
    with pytest.raises(SubmitProblems) as exc:
        pep_submit(actor=designated_teacher, pep=pep)
    messages = [p.message for p in exc.value.problems]
    assert messages == ["Complete section C: My views", "Complete section D: Carer's views",
                        "Complete section E: Meeting, targets and sign-off",
                        "Record the PEP meeting: the date it was held is missing"]
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.DRAFT


def test_submit_adds_the_problems_of_other_apps_checks(world, designated_teacher):
    pep = ready_to_submit(world.child)
    with (hooks.register_temporarily(peps_hooks.BEFORE_SUBMIT, lambda p: ["Add at least one academic target"]),
          pytest.raises(SubmitProblems) as exc):
        pep_submit(actor=designated_teacher, pep=pep)
    assert [p.message for p in exc.value.problems] == ["Add at least one academic target"]


def test_submit_return_resubmit_approve_each_audited_and_emailed(world, designated_teacher, vs_officer,
                                                                  django_capture_on_commit_callbacks):
    pep = ready_to_submit(world.child)
    steps = [
        (lambda: pep_submit(actor=designated_teacher, pep=pep), Pep.Status.SUBMITTED, "submitted"),
        (lambda: pep_return(actor=vs_officer, pep=pep, reason="Targets are not SMART"), Pep.Status.RETURNED,
         "returned"),
        (lambda: pep_submit(actor=designated_teacher, pep=pep), Pep.Status.SUBMITTED, "submitted"),
        (lambda: pep_approve(actor=vs_officer, pep=pep), Pep.Status.APPROVED, "approved"),
    ]
    for action, status, word in steps:
        before = AuditEvent.objects.count()
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action()
        # Emails go through the outbox; deliver what this step queued.
        outbox_deliver()
        pep.refresh_from_db()
        assert pep.status == status
        assert AuditEvent.objects.count() == before + 1
        event = AuditEvent.objects.first()
        assert event.verb == "transitioned" and event.changes["status"][1] == status
        recipients = sorted(m.to[0] for m in mail.outbox)
        assert "social_worker@example.test" in recipients and "carer@example.test" in recipients
        assert all(word in m.subject for m in mail.outbox)
        assert "Ruby" not in mail.outbox[0].body  # no child's name in email
    assert pep.returned_reason == "Targets are not SMART" and pep.approved_at is not None


def test_return_needs_a_reason(world, vs_officer):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    with pytest.raises(ValidationError):
        pep_return(actor=vs_officer, pep=pep, reason="   ")


def test_only_the_virtual_school_returns_or_approves(world, designated_teacher, social_worker):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    for person in (designated_teacher, social_worker):
        with pytest.raises(PermissionDenied):
            pep_approve(actor=person, pep=pep)
        with pytest.raises(PermissionDenied):
            pep_return(actor=person, pep=pep, reason="No")


def test_a_stale_transition_is_refused(world, vs_officer):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    stale = Pep.objects.get(pk=pep.pk)
    pep_approve(actor=vs_officer, pep=pep)
    # Another officer, on a page loaded before the approval, tries to return it.
    with pytest.raises((Refused, PermissionDenied)):
        pep_return(actor=vs_officer, pep=stale, reason="Too late")
    assert Pep.objects.get(pk=pep.pk).status == Pep.Status.APPROVED


def test_the_transition_is_a_filtered_update(world):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    stale = Pep.objects.get(pk=pep.pk)
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.APPROVED)
    with pytest.raises(Refused):
        _transition(actor=None, pep=stale, to=Pep.Status.RETURNED)


def test_approval_calls_the_pdf_hook_when_it_exists(world, vs_officer):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    seen = []
    with hooks.register_temporarily(peps_hooks.AFTER_APPROVE, lambda p: seen.append((p.pk, p.status))):
        pep_approve(actor=vs_officer, pep=pep)
    assert seen == [(pep.pk, Pep.Status.APPROVED)]


def test_a_returned_pep_shows_the_reason_to_the_team(world, vs_officer, social_worker, carer, client):
    pep = set_status(ready_to_submit(world.child), Pep.Status.SUBMITTED)
    pep_return(actor=vs_officer, pep=pep, reason="Add the carer's views on reading")
    client.force_login(social_worker)
    assert "Add the carer&#x27;s views on reading" in client.get(reverse("pep_detail", args=[pep.pk])).text
    # The reasons come from quality assurance (ratings and reviewer comments), which is for
    # professionals: the family is told changes were asked for, not the reviewer's words.
    client.force_login(carer)
    page = client.get(reverse("pep_detail", args=[pep.pk])).text
    assert "Add the carer&#x27;s views on reading" not in page and "data-returned-for-family" in page


def test_rollover_calls_the_targets_carry_forward_when_it_exists(world, social_worker):
    first = set_status(ready_to_submit(world.child), Pep.Status.APPROVED)
    seen = []
    with hooks.register_temporarily(peps_hooks.CARRY_FORWARD,
                                    lambda new_pep, actor: seen.append((new_pep.previous_id, actor))):
        pep_start(actor=social_worker, child=world.child, kind=Pep.Kind.TERMLY)
    assert seen == [(first.pk, social_worker)]
