"""Every write about PEPs: starting one, saving sections, the workflow, documents, config.

Each public service runs in one transaction and writes exactly one audit event; email
to the team is sent after the commit. The workflow's transitions are in ONE table
(`ALLOWED`) and each is a filtered update, so two people acting at once cannot both win.

For other apps (the QA helper calls these from its own form):

- `pep_return(actor, pep, reason)`: the Virtual School returns a submitted PEP; `reason`
  (required, shown to the team) is kept on the PEP.
- `pep_approve(actor, pep)`: the Virtual School approves a submitted PEP; its sections
  lock, and `quality.services.on_pep_approved(pep)` is called (when it exists)
  inside the same transaction.

Both raise `PermissionDenied` for someone who may not quality-assure the PEP,
`TransitionRefused` when the PEP is not submitted, and `TransitionConflict` when someone
else changed its status first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import logging
import secrets
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.audit import Verb, audit_record, diff, snapshot
from accounts.models import LocalAuthority, User
from accounts.text_limits import require_text_limits
from children.models import Child, Phase, phase_for_year_group
from children.policies import relationship
from children.selectors import current_placement, team_of

from . import record_link
from . import sections as defs
from .models import Pep, Section, SectionConfig, StashedSectionPost, SupersededPdf, SupportingDocument, Term
from .policies import PROFESSIONAL_RELATIONSHIPS, PepAction, can_edit_section, can_start_pep, rel_allows

log = logging.getLogger("epep.peps")

Status = Pep.Status

# The workflow: from each status, the statuses it may move to. Nothing else is allowed.
ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.RETURNED, Status.APPROVED},
    Status.RETURNED: {Status.SUBMITTED},
    # Only pep_reopen (the Virtual School, with a reason) takes an approved PEP back.
    Status.APPROVED: {Status.RETURNED},
}


class PepError(Exception):
    """A refusal with a message to show the person (GOV.UK wording)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class PepStartRefused(PepError):
    pass


class SectionLocked(PepError):
    pass


class TransitionRefused(PepError):
    pass


class TransitionConflict(PepError):
    pass


class SectionInvalid(Exception):
    """The section's form did not validate; the view re-renders it with its errors."""

    def __init__(self, form: defs.SectionForm):
        super().__init__("section form invalid")
        self.form = form


class SectionConflict(Exception):
    """A save on a stale version. `theirs` is the section as now saved (with its version)."""

    def __init__(self, theirs: Section):
        super().__init__("stale section version")
        self.theirs = theirs


@dataclass(frozen=True)
class Problem:
    message: str
    url: str = ""


class SubmitProblems(PepError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class DocumentRefused(PepError):
    pass


# Where other apps plug into the workflow (looked up at call time; absent apps are skipped).
SUBMIT_CHECKS: tuple[str, ...] = ("targets.checks", "meetings.checks")
APPROVAL_HOOK: tuple[str, str] = ("quality.services", "on_pep_approved")
CARRY_FORWARD_HOOK: tuple[str, str] = ("targets.services", "targets_carry_forward")


def _optional_hook(module_name: str, attr: str) -> Callable | None:
    """A function another app may provide; None when its module (or the function) is absent."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            return None
        raise
    return getattr(module, attr, None)


# --------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------


def academic_year_for(day: dt.date) -> str:
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def term_for(day: dt.date) -> str:
    """September to December is autumn, January to March spring, April to August summer."""
    if day.month >= 9:
        return Term.AUTUMN
    if day.month <= 3:
        return Term.SPRING
    return Term.SUMMER


def year_group_by_age(child: Child, day: dt.date) -> int:
    """The national curriculum year group from the date of birth (age on 1 September, less 5)."""
    start = dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    dob = child.date_of_birth
    age = start.year - dob.year - ((start.month, start.day) < (dob.month, dob.day))
    return max(-2, min(13, age - 5))


# --------------------------------------------------------------------------------------
# Section configuration per LA and phase
# --------------------------------------------------------------------------------------

CONFIG_FIELDS = ("title", "editor_roles", "enabled")


@transaction.atomic
def section_config_defaults(la: LocalAuthority, actor: User | None = None) -> dict[str, list[SectionConfig]]:
    """The LA's configuration for every phase, seeding the default the first time it is needed.

    Idempotent: a phase the LA has configured keeps its configuration, and nothing is
    written (so no audit event) when every phase exists already.
    """
    existing = {p: [] for p in Phase.values}
    for cfg in SectionConfig.objects.filter(local_authority=la).order_by("phase", "letter"):
        existing.setdefault(cfg.phase, []).append(cfg)
    if all(existing[p] for p in Phase.values):
        return existing
    # Lock the LA so that two first uses at once do not both seed.
    LocalAuthority.objects.select_for_update().get(pk=la.pk)
    created = []
    for phase in Phase.values:
        if SectionConfig.objects.filter(local_authority=la, phase=phase).exists():
            continue
        created += SectionConfig.objects.bulk_create(
            SectionConfig(local_authority=la, phase=phase, letter=letter, title=defs.DEFAULT_TITLES[letter],
                          editor_roles=list(defs.DEFAULT_EDITORS[letter]), enabled=True)
            for letter in defs.letters_for(phase)
        )
    audit_record(actor=actor, verb=Verb.CREATED, object_type="peps.sectionconfig", object_id=f"la:{la.pk}",
                 changes={"seeded_defaults": [None, sorted({f"{c.phase}:{c.letter}" for c in created})]})
    result = {p: [] for p in Phase.values}
    for cfg in SectionConfig.objects.filter(local_authority=la).order_by("phase", "letter"):
        result.setdefault(cfg.phase, []).append(cfg)
    return result


def section_config_for(la: LocalAuthority, phase: str) -> list[SectionConfig]:
    return section_config_defaults(la)[phase]


@dataclass(frozen=True)
class ConfigRow:
    letter: str
    enabled: bool
    title: str
    editor_roles: list[str]


@transaction.atomic
def section_config_save(*, actor: User, la: LocalAuthority, phase: str,
                        rows: Iterable[ConfigRow]) -> list[SectionConfig]:
    """Change which sections a phase has, their titles and editors. Existing PEPs keep theirs."""
    if actor.local_authority_id != la.pk:
        raise PermissionDenied
    configs = {c.letter: c for c in section_config_for(la, phase)}
    before, after = {}, {}
    for row in rows:
        cfg = configs.get(row.letter)
        if cfg is None:
            raise ValidationError(f"Section {row.letter} is not defined for this phase")
        before[row.letter] = snapshot(cfg, CONFIG_FIELDS)
        if row.enabled and not row.editor_roles:
            raise ValidationError({f"editors_{row.letter}": f"Select who edits section {row.letter}"})
        cfg.enabled, cfg.title, cfg.editor_roles = row.enabled, row.title.strip(), sorted(row.editor_roles)
        cfg.full_clean()
        cfg.save(update_fields=list(CONFIG_FIELDS))
        after[row.letter] = snapshot(cfg, CONFIG_FIELDS)
    if not any(c.enabled for c in configs.values()):
        raise ValidationError("Keep at least one section")
    audit_record(actor=actor, verb=Verb.UPDATED, object_type="peps.sectionconfig", object_id=f"la:{la.pk}:{phase}",
                 changes=diff(before, after))
    return list(configs.values())


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
def pep_start(actor: User | None, child: Child, kind: str, concern_reason: str = "") -> Pep:
    """Start the child's next PEP for the current term, pre-filled from the last approved one.

    The sections come from the LA's configuration for the child's phase (from the current
    placement's year group), copied onto the PEP so later configuration changes never alter
    it. Rollover copies section A (care and contacts) and the school; open targets are
    carried forward by the targets app when it is installed.
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
        raise PepStartRefused(
            f"{child.display_name} already has an open PEP ({already.label}). "
            "Finish it before starting another."
        )
    today = timezone.localdate()
    placement = current_placement(child)
    year_group = placement.year_group if placement else year_group_by_age(child, today)
    phase = phase_for_year_group(year_group) or Phase.SCHOOL_AGE
    previous = last_approved_pep(child)
    pep = Pep(child=child, kind=kind, phase=phase, academic_year=academic_year_for(today), term=term_for(today),
              previous=previous, school=placement.school if placement else (previous.school if previous else None),
              concern_reason=concern_reason if kind == Pep.Kind.CONCERN else "", created_by=actor)
    try:
        # A savepoint: the one-open-PEP constraint catches two people starting at once.
        with transaction.atomic():
            pep.save()
    except IntegrityError as exc:
        raise PepStartRefused(
            f"{child.display_name} already has an open PEP. Someone else started it a moment ago."
        ) from exc

    configs = [c for c in section_config_for(child.local_authority, phase) if c.enabled]
    previous_a = previous.sections.filter(letter="A").first() if previous else None
    now = timezone.now()
    new_sections = []
    for cfg in configs:
        section = Section(pep=pep, letter=cfg.letter, title=cfg.title, editor_roles=list(cfg.editor_roles))
        form_cls = defs.form_class_for(phase, cfg.letter)
        if cfg.letter == "A" and previous_a is not None and previous_a.data:
            # Rollover: care and contact details, to be checked and marked complete again.
            names = set(form_cls.field_names())
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
    carry_forward = _optional_hook(*CARRY_FORWARD_HOOK)
    if carry_forward is not None and previous is not None:
        carry_forward(pep, actor)
    return pep


# --------------------------------------------------------------------------------------
# Saving a section (optimistic locking by version)
# --------------------------------------------------------------------------------------


def section_form(pep: Pep, section: Section, data=None, *, professional: bool, mark_complete: bool = False,
                 initial: dict | None = None) -> defs.SectionForm:
    form_cls = defs.form_class_for(pep.phase, section.letter)
    if data is None:
        if initial is None:
            stored = section.data
            if section.letter == "B" and pep.is_open:
                # The education record as it is now wins over what was stored (peps.record_link).
                stored = {**stored, **record_link.prefill(pep, form_cls)}
            initial = form_cls.initial_from(stored)
        return form_cls(initial=initial, professional=professional)
    return form_cls(data, professional=professional, mark_complete=mark_complete)


@transaction.atomic
def section_save(actor: User | None, section: Section, data, version: int, mark_complete: bool = False) -> Section:
    """Save a section's own fields from `data` (a POST or a dict), if `version` is current.

    Only the fields of the section's form are read, so anything else posted (status, child,
    another section's fields) is ignored. "Mark as complete" checks the mandatory fields;
    otherwise partial work is kept as "in progress". A stale `version` raises
    SectionConflict carrying the section as the other person saved it. `actor=None` is
    the system (demo data, imports) and skips the edit-right check.
    """
    # Lock the PEP row: a save and a transition (submit, approve) never interleave.
    pep = Pep.objects.select_for_update().select_related("child").get(pk=section.pep_id)
    rel = relationship(actor, pep.child) if actor is not None else None
    if not pep.is_open:
        raise SectionLocked(f"This PEP is {pep.get_status_display().lower()}, so its sections cannot be changed.")
    current = Section.objects.select_related("updated_by").get(pk=section.pk)
    if actor is not None and not can_edit_section(rel, current, pep):
        raise PermissionDenied
    professional = actor is None or rel in PROFESSIONAL_RELATIONSHIPS
    if current.version != version:
        raise SectionConflict(current)
    form = section_form(pep, current, data, professional=professional, mark_complete=mark_complete)
    if not form.is_valid():
        raise SectionInvalid(form)
    try:
        # Section B and the education record: checked against it and written to it (its own audit event).
        from_record = record_link.reconcile(actor=actor, pep=pep, section=current, form=form)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        raise SectionInvalid(form) from exc
    new_data = {**current.data, **form.to_data(), **from_record}
    state = Section.State.COMPLETE if mark_complete else Section.State.IN_PROGRESS
    now = timezone.now()
    updated = Section.objects.filter(pk=current.pk, version=version).update(
        data=new_data, state=state, version=version + 1, updated_by=actor, updated_at=now,
    )
    if updated == 0:
        raise SectionConflict(Section.objects.select_related("updated_by").get(pk=current.pk))
    before = {**current.data, "state": current.state}
    after = {**new_data, "state": state}
    audit_record(actor=actor, verb=Verb.UPDATED, obj=current, child_id=pep.child_id,
                 changes={**diff(before, after), "version": [version, version + 1]})
    current.refresh_from_db()
    return current


# --------------------------------------------------------------------------------------
# Workflow: submit, return, approve
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
    for module in SUBMIT_CHECKS:
        check = _optional_hook(module, "problems_before_submit")
        if check is not None:
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


def _transition(*, actor: User | None, pep: Pep, to: str, **fields) -> Pep:
    old = pep.status
    if to not in ALLOWED.get(old, set()):
        raise TransitionRefused(
            f"A PEP that is ‘{Status(old).label.lower()}’ cannot be {Status(to).label.lower()}."
        )
    updated = Pep.objects.filter(pk=pep.pk, status=old).update(status=to, **fields)
    if updated == 0:
        raise TransitionConflict("Someone else changed this PEP’s status first. Check it and try again.")
    before = {"status": old, **{k: getattr(pep, k) for k in fields}}
    pep.status = to
    for name, value in fields.items():
        setattr(pep, name, value)
    audit_record(actor=actor, verb=Verb.TRANSITIONED, obj=pep, child_id=pep.child_id,
                 changes=diff(before, {"status": to, **fields}))
    return pep


def _require(actor: User | None, pep: Pep, action: str) -> None:
    if actor is None:
        return
    rel = relationship(actor, pep.child)
    if rel is None or not rel_allows(rel, pep, action):
        raise PermissionDenied


@transaction.atomic
def pep_submit(actor: User | None, pep: Pep) -> Pep:
    """Submit to the Virtual School: every section complete and the meeting recorded."""
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    _require(actor, pep, PepAction.SUBMIT)
    if pep.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionRefused("This PEP has already been submitted.")
    problems = submit_problems(pep)
    if problems:
        raise SubmitProblems(problems)
    pep = _transition(actor=actor, pep=pep, to=Status.SUBMITTED, submitted_at=timezone.now())
    _email_team(pep, actor, f"PEP submitted for quality assurance ({pep.child.la_reference})",
                [f"The {pep.label} PEP for child {pep.child.la_reference} has been submitted to the Virtual School."])
    return pep


@transaction.atomic
def pep_return(actor: User | None, pep: Pep, reason: str) -> Pep:
    """The Virtual School returns a submitted PEP with a reason the team will see."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for returning the PEP"})
    require_text_limits(Pep, {"returned_reason": reason}, field_names={"returned_reason": "reason"})
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    _require(actor, pep, PepAction.QA)
    pep = _transition(actor=actor, pep=pep, to=Status.RETURNED, returned_reason=reason)
    _email_team(pep, actor, f"PEP returned for changes ({pep.child.la_reference})",
                [f"The Virtual School has returned the {pep.label} PEP for child {pep.child.la_reference}.",
                 "Sign in to read the reason and make the changes."])
    return pep


@transaction.atomic
def pep_approve(actor: User | None, pep: Pep) -> Pep:
    """The Virtual School approves a submitted PEP: it and its sections lock."""
    pep = Pep.objects.select_for_update().select_related("child").get(pk=pep.pk)
    _require(actor, pep, PepAction.QA)
    pep = _transition(actor=actor, pep=pep, to=Status.APPROVED, approved_at=timezone.now())
    on_approved = _optional_hook(*APPROVAL_HOOK)
    if on_approved is not None:
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
    _require(actor, pep, PepAction.REOPEN)
    if pep.status != Status.APPROVED:
        raise TransitionRefused("Only an approved PEP can be reopened.")
    if pep.approved_pdf:
        SupersededPdf.objects.create(pep=pep, file=pep.approved_pdf.name, sha256=pep.approved_pdf_sha256,
                                     approved_at=pep.approved_at, reopened_by=actor, reason=reason)
    pep = _transition(actor=actor, pep=pep, to=Status.RETURNED, returned_reason=reason, approved_at=None,
                      approved_pdf_sha256="")
    # The file itself now belongs to the superseded copy; a new approval stores a new one.
    Pep.objects.filter(pk=pep.pk).update(approved_pdf="")
    pep.approved_pdf = ""
    _email_team(pep, actor, f"PEP reopened ({pep.child.la_reference})",
                [f"The Virtual School has reopened the approved {pep.label} PEP for child {pep.child.la_reference}.",
                 "Sign in to read the reason and make the changes."])
    return pep


# --------------------------------------------------------------------------------------
# Supporting documents
# --------------------------------------------------------------------------------------

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# The most supporting documents one PEP holds (each up to 10 MB).
MAX_DOCUMENTS_PER_PEP = 30
DOCUMENT_DIR = "pep-documents"
# kind → (content type, extension, plain name)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", "pdf", "PDF"),
    "png": ("image/png", "png", "PNG image"),
    "jpeg": ("image/jpeg", "jpg", "JPEG image"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word document"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel spreadsheet"),
}
ALLOWED_WORDS = "a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
_EXTENSION_KIND = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "docx": "docx", "xlsx": "xlsx"}


def sniff_document(fileobj) -> str | None:
    """The kind of file by its content (magic bytes), or None when it is not allowed.

    Word and Excel files are zip archives: they must hold [Content_Types].xml and a
    word/ or xl/ part, and no macros. A plain zip is refused.
    """
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


# An Office file (OOXML) is a zip archive. Real Word and Excel files of up to 10 MB unpack to
# tens of MB at most, in a few hundred parts; a zip bomb (2 MiB that unpacks to 2 GiB) is
# refused before anyone's computer (or a virus scanner, or a preview) unpacks it.
OFFICE_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
OFFICE_MAX_ENTRIES = 1000
OFFICE_MAX_RATIO = 100  # unpacked size ÷ file size, over the whole archive
OFFICE_TOO_BIG = ("The selected file is too large once unpacked (Word and Excel files are compressed). "
                  "Save it as a PDF, or remove large pictures, and try again")


def office_archive_problem(fileobj) -> str | None:
    """Why an Office (zip) file is refused as a zip bomb; None when its size is sane.

    The central directory is checked first (sizes, number of parts, ratio); then every part
    is unpacked as a stream and counted, because the directory's sizes can lie. Nothing is
    kept in memory or written anywhere."""
    fileobj.seek(0, 2)
    packed = max(fileobj.tell(), 1)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            if len(entries) > OFFICE_MAX_ENTRIES:
                return OFFICE_TOO_BIG
            limit = min(OFFICE_MAX_UNPACKED_BYTES, packed * OFFICE_MAX_RATIO)
            if sum(entry.file_size for entry in entries) > limit:
                return OFFICE_TOO_BIG
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as part:
                    while chunk := part.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            return OFFICE_TOO_BIG
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError):
        return f"The selected file is not a real Word document or Excel spreadsheet. The file must be {ALLOWED_WORDS}"
    finally:
        fileobj.seek(0)
    return None


def document_problem(upload) -> str | None:
    """Why an upload is refused, in words for the person; None when it is fine."""
    if upload is None:
        return "Select a file"
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > MAX_DOCUMENT_BYTES:
        return "The selected file must be smaller than 10 MB"
    kind = sniff_document(upload)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if kind is None:
        claimed = _EXTENSION_KIND.get(extension)
        if claimed:
            return (f"The selected file is called .{extension} but it is not a real "
                    f"{DOCUMENT_TYPES[claimed][2]}. The file must be {ALLOWED_WORDS}")
        return f"The selected file must be {ALLOWED_WORDS}"
    if _EXTENSION_KIND.get(extension) != kind:
        return (f"The selected file’s name does not match its contents (it is a {DOCUMENT_TYPES[kind][2]}). "
                f"Rename it to end .{DOCUMENT_TYPES[kind][1]} and try again")
    if kind in ("docx", "xlsx"):
        return office_archive_problem(upload)
    return None


def safe_download_name(document: SupportingDocument) -> str:
    """ASCII letters, digits, '-', '_' and '.', ending with the extension of the real content."""
    stem = document.original_name.rsplit(".", 1)[0]
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in stem).strip("-.")
    extension = next((ext for ct, ext, _n in DOCUMENT_TYPES.values() if ct == document.content_type), "bin")
    return f"{cleaned[:80] or 'document'}.{extension}"


@transaction.atomic
def document_upload(actor: User | None, pep: Pep, upload, description: str = "",
                    visibility: str = SupportingDocument.Visibility.PROFESSIONALS) -> SupportingDocument:
    _require(actor, pep, PepAction.UPLOAD_DOCUMENT)
    if visibility not in SupportingDocument.Visibility.values:
        raise DocumentRefused("Select who can see this document")
    if SupportingDocument.objects.filter(pep=pep).count() >= MAX_DOCUMENTS_PER_PEP:
        raise DocumentRefused(f"This PEP already has {MAX_DOCUMENTS_PER_PEP} supporting documents, the most one PEP "
                              "can hold. Put several pages in one PDF instead.")
    problem = document_problem(upload)
    if problem:
        raise DocumentRefused(problem)
    kind = sniff_document(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    stored_name = secrets.token_hex(20)
    saved = default_storage.save(f"{DOCUMENT_DIR}/{stored_name}", File(upload))
    try:
        document = SupportingDocument.objects.create(
            pep=pep, original_name=upload.name[:255], stored_name=saved.rsplit("/", 1)[-1],
            content_type=DOCUMENT_TYPES[kind][0], size=upload.size, sha256=digest.hexdigest(),
            description=description.strip()[:200], uploaded_by=actor, visibility=visibility,
        )
        audit_record(actor=actor, verb=Verb.CREATED, obj=document, child_id=pep.child_id,
                     changes={"pep": [None, pep.pk], "original_name": [None, document.original_name],
                              "visibility": [None, document.visibility],
                              "content_type": [None, document.content_type], "size": [None, document.size],
                              "sha256": [None, document.sha256]})
    except Exception:
        # No row, no file: the bytes never outlive a failed upload.
        default_storage.delete(saved)
        raise
    return document


def document_path(document: SupportingDocument) -> str:
    return f"{DOCUMENT_DIR}/{document.stored_name}"


def _require_document_manager(actor: User, document: SupportingDocument) -> None:
    from .policies import PepAccess, can_manage_document

    rel = relationship(actor, document.pep.child)
    if rel is None or not can_manage_document(PepAccess(pep=document.pep, relationship=rel), actor, document):
        raise PermissionDenied


def _delete_stored_file_later(name: str) -> None:
    """The old bytes leave storage once the change is committed (never before: a rolled-back
    change must still find its file)."""
    transaction.on_commit(lambda: default_storage.delete(f"{DOCUMENT_DIR}/{name}"))


@transaction.atomic
def document_change(*, actor: User, document: SupportingDocument, visibility: str,
                    upload=None) -> SupportingDocument:
    """Change who can see a document and, with `upload`, replace its file (the old file
    leaves storage). One audit event with what changed, old and new."""
    document = SupportingDocument.objects.select_for_update().select_related("pep__child").get(pk=document.pk)
    _require_document_manager(actor, document)
    if visibility not in SupportingDocument.Visibility.values:
        raise DocumentRefused("Select who can see this document")
    before = {"visibility": document.visibility, "original_name": document.original_name,
              "content_type": document.content_type, "size": document.size, "sha256": document.sha256}
    old_stored = None
    document.visibility = visibility
    if upload is not None:
        problem = document_problem(upload)
        if problem:
            raise DocumentRefused(problem)
        kind = sniff_document(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        saved = default_storage.save(f"{DOCUMENT_DIR}/{secrets.token_hex(20)}", File(upload))
        old_stored = document.stored_name
        document.stored_name = saved.rsplit("/", 1)[-1]
        document.original_name = upload.name[:255]
        document.content_type = DOCUMENT_TYPES[kind][0]
        document.size = upload.size
        document.sha256 = digest.hexdigest()
    after = {"visibility": document.visibility, "original_name": document.original_name,
             "content_type": document.content_type, "size": document.size, "sha256": document.sha256}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    try:
        document.save()
        audit_record(actor=actor, verb=Verb.UPDATED, obj=document, child_id=document.pep.child_id, changes=changes)
    except Exception:
        if old_stored is not None:
            default_storage.delete(f"{DOCUMENT_DIR}/{document.stored_name}")
        raise
    if old_stored is not None:
        _delete_stored_file_later(old_stored)
    return document


@transaction.atomic
def document_remove(*, actor: User, document: SupportingDocument) -> None:
    """Remove a document: the row goes, the file leaves storage after the commit, and the
    audit keeps who removed it, when, and the file's name."""
    document = SupportingDocument.objects.select_for_update().select_related("pep__child").get(pk=document.pk)
    _require_document_manager(actor, document)
    audit_record(actor=actor, verb=Verb.DELETED, obj=document, child_id=document.pep.child_id,
                 changes={"original_name": [document.original_name, None], "pep": [document.pep_id, None],
                          "uploaded_by": [document.uploaded_by_id, None], "sha256": [document.sha256, None]})
    stored = document.stored_name
    document.delete()
    _delete_stored_file_later(stored)


@transaction.atomic
def document_download(actor: User, document: SupportingDocument):
    """Open a document for reading, audited. The caller has checked PepAction.DOWNLOAD."""
    handle = default_storage.open(document_path(document), "rb")
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=document, child_id=document.pep.child_id,
                 changes={"sha256": [None, document.sha256]})
    return handle


@transaction.atomic
def superseded_pdf_open(*, actor: User, copy: SupersededPdf):
    """Open a superseded approved PDF for reading, audited. The caller has checked access."""
    handle = copy.file.open("rb")
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=copy, child_id=copy.pep.child_id,
                 changes={"sha256": [None, copy.sha256]})
    return handle


# --------------------------------------------------------------------------------------
# What someone typed when their session had ended
# --------------------------------------------------------------------------------------

STASH_LIFETIME = dt.timedelta(hours=2)
# The longest value kept for a field that has no max_length of its own (a number, a date,
# a choice, a yes/no): what the form accepts there is far shorter.
STASH_SHORT_VALUE_MAX = 100
# Posted alongside the section's own fields.
STASH_EXTRA_FIELDS = {"version": 12, "action": 12}


def stash_fields(form: defs.SectionForm, data) -> dict[str, str] | None:
    """The section form's own fields from `data`, or None if any is beyond its limit.

    Only the fields of the form (and the version and button) are kept; a value longer than
    its field's max_length (or STASH_SHORT_VALUE_MAX for fields without one) means the
    POST did not come from the form, and nothing is kept.
    """
    limits = {form.add_prefix(name): getattr(field, "max_length", None) or STASH_SHORT_VALUE_MAX
              for name, field in form.fields.items()}
    limits.update(STASH_EXTRA_FIELDS)
    kept = {}
    for key, limit in limits.items():
        if key not in data:
            continue
        value = data.get(key)
        if not isinstance(value, str) or len(value) > limit:
            return None
        kept[key] = value
    return kept


@transaction.atomic
def section_post_stash(*, person: User, section: Section, professional: bool, data) -> str | None:
    """Keep what `person` typed into `section` after their session ended; return the token
    that finds it, or None if nothing was kept (the POST is beyond the form's limits).

    The caller has established that this browser held a session of `person`
    (accounts.signed_in_browser) and that `person` may edit `section` (peps.policies).
    One kept POST per person and section: a newer one replaces it, under a new token.
    Not audited: the person is not signed in, and the text is only kept to be put back into
    the form; the save that follows (after signing in) is audited as usual.
    """
    StashedSectionPost.objects.filter(created_at__lt=timezone.now() - STASH_LIFETIME).delete()
    kept = stash_fields(section_form(section.pep, section, data, professional=professional), data)
    if kept is None:
        return None
    token = secrets.token_urlsafe(24)
    StashedSectionPost.objects.update_or_create(
        user=person, section=section, defaults={"token": token, "data": kept, "created_at": timezone.now()},
    )
    return token


@transaction.atomic
def section_post_unstash(*, token: str, user: User, section: Section) -> dict[str, str] | None:
    """What `user` typed into this section, once; None if unknown, expired, or someone else's."""
    stash = StashedSectionPost.objects.filter(
        token=token, user=user, section=section, created_at__gte=timezone.now() - STASH_LIFETIME
    ).first()
    if stash is None:
        return None
    StashedSectionPost.objects.filter(pk=stash.pk).delete()
    return stash.data
