"""Starting a PEP and its workflow: submit, return, approve, reopen.

Each public service runs in one transaction and writes exactly one audit event; email
to the team is sent after the commit. The workflow's transitions are in ONE table
(`ALLOWED`) and each is a filtered update, so two people acting at once cannot both win.

For other apps (the QA helper calls these from its own form):

- `pep_return(actor=, pep=, reason=)`: the Virtual School returns a submitted PEP; `reason`
  (required, shown to the team) is kept on the PEP.
- `pep_approve(actor=, pep=)`: the Virtual School approves a submitted PEP; its sections
  lock, and every `peps.hooks.AFTER_APPROVE` hook is called with the PEP inside the same
  transaction (quality registers the one that stores the approved PDF).

Both raise `PermissionDenied` for someone who may not quality-assure the PEP, and
`core.refusals.Refused` when the PEP is not submitted or someone else changed its status first.
Higher apps take part through peps.hooks (checks before submitting, carry-forward on rollover).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from children.models import Child, Phase, phase_for_year_group
from children.policies import relationship
from children.selectors import current_placement, team_of, year_group_by_age
from core import calendar as school_calendar
from core import hooks
from core.audit import Verb, audit_record, diff, snapshot
from core.refusals import Refused
from core.text_limits import require_text_limits

from .. import care_record, record_link
from .. import sections as defs
from ..hooks import AFTER_APPROVE, BEFORE_SUBMIT, CARRY_FORWARD
from ..models import Pep, ProfessionalPdf, Section, SupersededPdf, Term
from ..policies import PepAction, can_start_pep, require_pep_action
from .config import section_config_for

Status = Pep.Status

# The workflow: from each status, the statuses it may move to. Nothing else is allowed.
ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.RETURNED, Status.APPROVED},
    Status.RETURNED: {Status.SUBMITTED},
    # Only pep_reopen (the Virtual School, with a reason) takes an approved PEP back.
    Status.APPROVED: {Status.RETURNED},
}


@dataclass(frozen=True)
class Problem:
    message: str
    url: str = ""


class SubmitProblems(Refused):
    """What stops the PEP being submitted, each with where to fix it (for the submit page)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# --------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------


def academic_year_for(day: dt.date, calendar: school_calendar.SchoolCalendar | None = None) -> str:
    """The academic year of the term `day` is in (core.calendar)."""
    return school_calendar.term_containing(day, calendar).academic_year


def term_for(day: dt.date, calendar: school_calendar.SchoolCalendar | None = None) -> str:
    """The term `day` is in (core.calendar): the LA's loaded term, else September to December
    autumn, January to March spring, April to August summer."""
    return Term(school_calendar.term_containing(day, calendar).term)


# --------------------------------------------------------------------------------------
# Starting a PEP (with rollover from the last approved one)
# --------------------------------------------------------------------------------------

PEP_FIELDS = ("child", "kind", "phase", "academic_year", "term", "status", "previous", "school", "concern_reason")


def open_pep_of(child: Child) -> Pep | None:
    return Pep.objects.filter(child=child, status__in=Pep.OPEN_STATUSES).first()


def last_approved_pep(child: Child) -> Pep | None:
    return (Pep.objects.filter(child=child, status=Status.APPROVED)
            .order_by("-approved_at", "-created_at", "-pk").first())


@transaction.atomic
def pep_start(*, actor: User | None, child: Child, kind: str, concern_reason: str = "") -> Pep:
    """Start the child's next PEP for the current term, pre-filled from the last approved one.

    The sections come from the LA's configuration for the child's phase (from the current
    placement's year group), copied onto the PEP so later configuration changes never alter
    it. Rollover copies section A (care and contacts) and the school; the peps.hooks.CARRY_FORWARD
    hooks then take part (the targets app lists the previous PEP's open targets for review).
    """
    if actor is not None and not can_start_pep(relationship(actor, child)):
        raise PermissionDenied
    if kind not in Pep.Kind.values:
        raise ValidationError({"kind": "Select the kind of PEP"})
    concern_reason = concern_reason.strip()
    if kind == Pep.Kind.CONCERN and not concern_reason:
        raise ValidationError({"concern_reason": "Enter the concern that needs a review"})
    require_text_limits(Pep, concern_reason=concern_reason)
    already = open_pep_of(child)
    if already is not None:
        raise Refused(
            f"{child.display_name} already has an open PEP ({already.label}). "
            "Finish it before starting another."
        )
    today = timezone.localdate()
    placement = current_placement(child)
    year_group = placement.year_group if placement else year_group_by_age(child, today)
    phase = phase_for_year_group(year_group) or Phase.SCHOOL_AGE
    previous = last_approved_pep(child)
    calendar = school_calendar.calendar_of(child.local_authority)
    pep = Pep(child=child, kind=kind, phase=phase, academic_year=academic_year_for(today, calendar),
              term=term_for(today, calendar),
              previous=previous, school=placement.school if placement else (previous.school if previous else None),
              concern_reason=concern_reason if kind == Pep.Kind.CONCERN else "", created_by=actor)
    try:
        # A savepoint: the one-open-PEP constraint catches two people starting at once.
        with transaction.atomic():
            pep.save()
    except IntegrityError as exc:
        raise Refused(
            f"{child.display_name} already has an open PEP. Someone else started it a moment ago."
        ) from exc

    configs = [c for c in section_config_for(la=child.local_authority, phase=phase) if c.enabled]
    previous_a = previous.sections.filter(letter="A").first() if previous else None
    now = timezone.now()
    new_sections = []
    for cfg in configs:
        section = Section(pep=pep, letter=cfg.letter, title=cfg.title, editor_roles=list(cfg.editor_roles))
        form_cls = defs.form_class_for(phase, cfg.letter)
        if cfg.letter == "A" and previous_a is not None and previous_a.data:
            # Rollover: care and contact details, to be checked and marked complete again
            # (not the record's facts: section A reads those from the record).
            names = set(form_cls.field_names()) - set(care_record.RECORD_FIELDS)
            section.data = {k: v for k, v in previous_a.data.items() if k in names}
            section.state = Section.State.IN_PROGRESS
            section.updated_at = now
        elif cfg.letter == "B":
            # The school, and what the child's education record says for this term.
            section.data = record_link.prefill(pep, form_cls)
            if placement is not None:
                section.data.update(school_name=placement.school.name, year_group=placement.year_group)
        new_sections.append(section)
    Section.objects.bulk_create(new_sections)

    audit_record(actor=actor, verb=Verb.CREATED, obj=pep, child_id=child.pk,
                 changes={**diff({}, snapshot(pep, PEP_FIELDS)),
                          "sections": [None, [s.letter for s in new_sections]],
                          "rolled_over_from": [None, previous.pk if previous else None]})
    if previous is not None:
        for carry_forward in hooks.get_hooks(CARRY_FORWARD):
            carry_forward(pep, actor)
    return pep


# --------------------------------------------------------------------------------------
# Workflow: submit, return, approve, reopen
# --------------------------------------------------------------------------------------


def _normalise(problems: Iterable[Any]) -> list[Problem]:
    result = []
    for p in problems or ():
        if isinstance(p, Problem):
            result.append(p)
        elif isinstance(p, tuple | list):
            result.append(Problem(str(p[0]), str(p[1]) if len(p) > 1 and p[1] else ""))
        else:
            result.append(Problem(str(p)))
    return result


def submit_problems(pep: Pep) -> list[Problem]:
    """Everything that stops the PEP being submitted, in the order of the page."""
    problems = []
    for section in pep.sections.all():
        if section.state != Section.State.COMPLETE:
            problems.append(Problem(f"Complete section {section.letter}: {section.title}",
                                    reverse("pep_section", args=[pep.pk, section.letter])))
    if pep.meeting_held_on is None:
        problems.append(Problem("Record the PEP meeting: the date it was held is missing"))
    for check in hooks.get_hooks(BEFORE_SUBMIT):
        problems.extend(_normalise(check(pep)))
    return problems


def _team_recipients(pep: Pep, exclude: User | None) -> list[str]:
    emails = {row["email"] for row in team_of(pep.child) if row.get("email")}
    if exclude is not None:
        emails.discard(exclude.email)
    return sorted(emails)


def _email_team(pep: Pep, actor: User | None, subject: str, lines: list[str]) -> None:
    """Tell the team after the commit. No child's name or reasons in email: only a link."""
    recipients = _team_recipients(pep, actor)
    link = settings.SITE_URL + reverse("pep_detail", args=[pep.pk])
    body = "\n\n".join([*lines, f"Sign in to see the PEP: {link}", "This is an automatic message from ePEP."])
    # Written to the outbox in this transaction and delivered by Celery after the commit,
    # so the page never waits on the broker or the mail server.
    from core.notifications import Email, outbox_enqueue_many

    outbox_enqueue_many(Email(to=to, subject=subject, body=body) for to in recipients)


def _transition(*, actor: User | None, pep: Pep, to: str, also: dict | None = None, **fields) -> Pep:
    old = pep.status
    if to not in ALLOWED.get(old, set()):
        raise Refused(
            f"A PEP that is ‘{Status(old).label.lower()}’ cannot be {Status(to).label.lower()}."
        )
    updated = Pep.objects.filter(pk=pep.pk, status=old).update(status=to, **fields)
    if updated == 0:
        raise Refused("Someone else changed this PEP’s status first. Check it and try again.")
    before = {"status": old, **{k: getattr(pep, k) for k in fields}}
    pep.status = to
    for name, value in fields.items():
        setattr(pep, name, value)
    audit_record(actor=actor, verb=Verb.TRANSITIONED, obj=pep, child_id=pep.child_id,
                 changes={**diff(before, {"status": to, **fields}), **(also or {})})
    return pep


@transaction.atomic
def pep_submit(*, actor: User | None, pep: Pep) -> Pep:
    """Submit to the Virtual School: every section complete and the meeting recorded."""
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    require_pep_action(actor, pep, PepAction.SUBMIT)
    if pep.status not in (Status.DRAFT, Status.RETURNED):
        raise Refused("This PEP has already been submitted.")
    problems = submit_problems(pep)
    if problems:
        raise SubmitProblems(problems)
    # Section A keeps what the child's record said at submission (peps.care_record), so the
    # submitted and approved PEP stays a true record of the time.
    # The snapshot is part of the submission's one audit event.
    snapped = care_record.snapshot(pep)
    also = ({"section_a_from_record": [None, {k: snapped.data.get(k) for k in care_record.RECORD_FIELDS}]}
            if snapped is not None else {})
    # Section B likewise keeps what the education record said (peps.record_link).
    snapped_b = record_link.snapshot(pep)
    if snapped_b:
        also["section_b_from_record"] = [None, {k: new for k, (_old, new) in snapped_b.items()}]
    pep = _transition(actor=actor, pep=pep, to=Status.SUBMITTED, also=also or None, submitted_at=timezone.now())
    _email_team(pep, actor, f"PEP submitted for quality assurance ({pep.child.la_reference})",
                [f"The {pep.label} PEP for child {pep.child.la_reference} has been submitted to the Virtual School."])
    return pep


@transaction.atomic
def pep_return(*, actor: User | None, pep: Pep, reason: str) -> Pep:
    """The Virtual School returns a submitted PEP with a reason the team will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for returning the PEP"})
    require_text_limits(Pep, {"returned_reason": reason}, field_names={"returned_reason": "reason"})
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    require_pep_action(actor, pep, PepAction.QA)
    pep = _transition(actor=actor, pep=pep, to=Status.RETURNED, returned_reason=reason)
    _email_team(pep, actor, f"PEP returned for changes ({pep.child.la_reference})",
                [f"The Virtual School has returned the {pep.label} PEP for child {pep.child.la_reference}.",
                 "Sign in to read the reason and make the changes."])
    return pep


@transaction.atomic
def pep_approve(*, actor: User | None, pep: Pep) -> Pep:
    """The Virtual School approves a submitted PEP: it and its sections lock."""
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    require_pep_action(actor, pep, PepAction.QA)
    pep = _transition(actor=actor, pep=pep, to=Status.APPROVED, approved_at=timezone.now())
    for on_approved in hooks.get_hooks(AFTER_APPROVE):
        on_approved(pep)
    _email_team(pep, actor, f"PEP approved ({pep.child.la_reference})",
                [f"The Virtual School has approved the {pep.label} PEP for child {pep.child.la_reference}."])
    return pep


@transaction.atomic
def pep_reopen(*, actor: User, pep: Pep, reason: str) -> Pep:
    """The Virtual School reopens an approved PEP with a reason: it goes back to the team as
    returned, its stored PDF is kept unchanged as a superseded copy, and the next approval
    stores a new one. One audit event (the transition, with the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why you are reopening the PEP"})
    require_text_limits(Pep, {"returned_reason": reason}, field_names={"returned_reason": "reason"})
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    require_pep_action(actor, pep, PepAction.REOPEN)
    if pep.status != Status.APPROVED:
        raise Refused("Only an approved PEP can be reopened.")
    if pep.approved_pdf:
        copy = SupersededPdf.objects.create(pep=pep, file=pep.approved_pdf.name, sha256=pep.approved_pdf_sha256,
                                            approved_at=pep.approved_at, reopened_by=actor, reason=reason)
        # The professionals' copies of the same approval go with it (quality.services keeps
        # them with the family's copy, in one transaction).
        ProfessionalPdf.objects.filter(pep=pep, superseded=None).update(superseded=copy)
    pep = _transition(actor=actor, pep=pep, to=Status.RETURNED, returned_reason=reason, approved_at=None,
                      approved_pdf_sha256="")
    # The file itself now belongs to the superseded copy; a new approval stores a new one.
    Pep.objects.filter(pk=pep.pk).update(approved_pdf="")
    pep.approved_pdf = ""
    _email_team(pep, actor, f"PEP reopened ({pep.child.la_reference})",
                [f"The Virtual School has reopened the approved {pep.label} PEP for child {pep.child.la_reference}.",
                 "Sign in to read the reason and make the changes."])
    return pep
