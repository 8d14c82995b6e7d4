"""Data protection: the subject-access export of one child, and the retention review.

Services in the house style: each writes exactly one audit event, in its transaction;
side effects (the Celery build, deleting files) wait for the commit. Security events
(an export asked for, downloaded; a record destroyed) also go to the `epep.security`
logger, with ids only.

- `subject_access_request` → the job row; `subject_access_build` (Celery) builds a ZIP of
  `child.json` (the whole record as data), `peps/<year>-<term>-<status>.pdf` (every PEP,
  professional view, PP+ shown) and `documents/<pep id>/<file>` (every supporting
  document); `subject_access_downloaded` audits each download.
- `retention_review_run` (monthly) lists, per LA, the children whose destroy-after date
  (75th birthday) has passed and emails the LA's admins; `retention_destroy` (an LA admin,
  typing the LA reference) deletes the record with everything that cascades, removes the
  files after commit, scrubs the child's earlier audit events and leaves one stub.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import zipfile
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Prefetch
from django.db.models.fields.files import FieldFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import LocalAuthority, User
from children.models import Child
from children.policies import Action, can
from core.audit import Verb, audit_record
from core.jobs import files_expire, queued_too_long
from core.models import AuditEvent
from core.roles import Role

from .models import RetentionReview, SubjectAccessExport

security_log = logging.getLogger("epep.security")

# What replaces every value in a destroyed child's earlier audit events.
SCRUBBED = "[removed]"
REASON_MAX_CHARS = 500
# The audit trail names exports and reviews as it has since they were first recorded, when
# the models lived in the children app: one name for every event, old and new.
EXPORT_OBJECT_TYPE = "children.subjectaccessexport"


# --------------------------------------------------------------------------------------
# Subject-access export
# --------------------------------------------------------------------------------------


@transaction.atomic
def subject_access_request(*, actor: User, child: Child, reason: str) -> SubjectAccessExport:
    """Queue a ZIP of everything held on the child. The Virtual School of the child's LA only."""
    if not can(actor, child, Action.EXPORT_SUBJECT_ACCESS):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the export is needed"})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": f"The reason must be {REASON_MAX_CHARS} characters or fewer"})
    job = SubjectAccessExport.objects.create(child=child, requested_by=actor, reason=reason)
    audit_record(actor=actor, verb=Verb.EXPORTED, obj=job, object_type=EXPORT_OBJECT_TYPE, child_id=child.pk,
                 changes={"subject_access": [None, True], "reason": [None, reason]})
    security_log.warning("subject access export requested",
                         extra={"event": "subject_access_requested", "user_id": actor.pk, "child_id": child.pk,
                                "object_type": "children.subjectaccessexport", "object_id": job.pk})
    from core.queue import send_task_quietly

    from .tasks import build_subject_access

    job_id = job.pk
    # Never fails the request if the broker is down: subject_access_catch_up builds it later.
    transaction.on_commit(lambda: send_task_quietly(build_subject_access, job_id))
    return job


def subject_access_catch_up(*, now: dt.datetime | None = None, limit: int = 20) -> int:
    """Build the exports still waiting to start; returns how many were built."""
    job_ids = queued_too_long(SubjectAccessExport, now=now, limit=limit)
    for job_id in job_ids:
        subject_access_build(job_id=job_id)
    return len(job_ids)


def subject_access_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete subject-access ZIPs a week after they were built (core.jobs.KEEP_FILES_FOR)."""
    return files_expire(SubjectAccessExport, now=now)


def subject_access_build(*, job_id: int) -> SubjectAccessExport:
    """Build the ZIP, saving progress so the page can show it.

    Not one transaction on purpose (as the quality export): the polling page must see the
    progress while it runs. A finished job is left as it is, so a redelivered task does
    nothing twice.
    """
    from peps.models import Pep, SupportingDocument
    from peps.services.documents import document_path, safe_download_name
    from quality.pdf import pep_pdf_bytes

    job = SubjectAccessExport.objects.select_related("child").get(pk=job_id)
    if job.status == SubjectAccessExport.Status.DONE:
        return job
    child = job.child
    peps = list(Pep.objects.filter(child=child).select_related("child", "school").order_by("created_at", "pk"))
    documents = list(SupportingDocument.objects.filter(pep__child=child).order_by("pep_id", "pk"))
    total = 1 + len(peps) + len(documents)
    job.mark_running(total)
    buffer = io.BytesIO()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("child.json", json.dumps(child_record(child), cls=_Encoder, indent=2,
                                                      ensure_ascii=False))
            job.step()
            names: set[str] = set()
            for pep in peps:
                name = _unique(names, f"peps/{pep.academic_year.replace('/', '-')}-{pep.term}-{pep.status}.pdf",
                               pep.pk)
                archive.writestr(name, pep_pdf_bytes(pep, show_pp_plus=True, professional=True))
                job.step()
            for document in documents:
                name = _unique(names, f"documents/{document.pep_id}/{safe_download_name(document)}", document.pk)
                with default_storage.open(document_path(document), "rb") as fh:
                    archive.writestr(name, fh.read())
                job.step()
    except Exception:
        job.mark_failed()
        raise
    with transaction.atomic():
        # No name in the stored file's name: the child's id and the job's.
        job = job.store(f"subject-access-{job.child_id}-{job.pk}.zip", buffer.getvalue())
        audit_record(actor=None, verb=Verb.CREATED, obj=job, object_type=EXPORT_OBJECT_TYPE, child_id=job.child_id,
                     changes={"peps": [None, len(peps)], "documents": [None, len(documents)]})
    return job


@transaction.atomic
def subject_access_downloaded(*, actor: User, job: SubjectAccessExport) -> None:
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=job, object_type=EXPORT_OBJECT_TYPE,
                 child_id=job.child_id,
                 changes={"file": [None, job.file.name]})
    security_log.warning("subject access export downloaded",
                         extra={"event": "subject_access_downloaded", "user_id": actor.pk,
                                "child_id": job.child_id, "object_type": "children.subjectaccessexport",
                                "object_id": job.pk})


def subject_access_file_name(job: SubjectAccessExport) -> str:
    """The download's name: ASCII only, the LA reference (never the child's name)."""
    cleaned = re.sub(r"-{2,}", "-", "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in job.child.la_reference)).strip("-")
    return f"subject-access-{cleaned[:40] or job.child_id}-{job.created_at:%Y-%m-%d}.zip"


def _unique(names: set[str], name: str, pk: int) -> str:
    if name in names:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}-{pk}.{ext}" if dot else f"{name}-{pk}"
    names.add(name)
    return name


class _Encoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, FieldFile):
            return o.name or None
        return super().default(o)


def _row(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every stored column of a row (foreign keys as ids), for the JSON copy."""
    row: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        key = field.attname if field.is_relation else field.name
        value = field.value_from_object(obj)
        if isinstance(value, FieldFile):
            value = value.name or None
        row[key] = value
    return row


def _name(user: User | None) -> str | None:
    return user.full_name if user is not None else None


def child_record(child: Child) -> dict[str, Any]:
    """Everything held on the child, as plain data: the content of child.json."""
    from children.selectors import team_of
    from deadlines.models import ConcernRequest
    from meetings.models import Meeting
    from peps.models import Pep, Section, SupportingDocument
    from quality.models import QaReview
    from targets.models import PpPlusRequest, Target, TargetReview

    record: dict[str, Any] = {
        "generated_at": timezone.now(),
        "child": {**_row(child), "local_authority": child.local_authority.name,
                  "destroy_after": child.destroy_after},
        "care_episodes": [_row(e) for e in child.care_episodes.order_by("entered_care_on", "pk")],
        "placements": [{**_row(p), "school": p.school.name, "school_urn": p.school.urn}
                       for p in child.placements.select_related("school").order_by("started_on", "pk")],
        "team": {
            "links": [{"name": link.user.full_name, "email": link.user.email, "role": link.get_role_display(),
                       "starts_on": link.starts_on, "ends_on": link.ends_on}
                      for link in child.team.select_related("user").order_by("starts_on", "pk")],
            "designated_teachers": [{"name": m["name"], "email": m["email"], "since": m["since"]}
                                    for m in team_of(child) if m["link"].role == Role.DESIGNATED_TEACHER],
        },
    }
    # Everything under the PEPs in one query per kind (not per PEP), each in a stable order.
    pep_rows = (Pep.objects.filter(child=child).select_related("created_by").order_by("created_at", "pk")
                .prefetch_related(
                    Prefetch("sections", Section.objects.select_related("updated_by").order_by("letter")),
                    Prefetch("meetings", Meeting.objects.select_related("chair").prefetch_related("invitees")
                             .order_by("pk")),
                    Prefetch("targets", Target.objects.order_by("created_at", "pk")),
                    Prefetch("target_reviews", TargetReview.objects.order_by("pk")),
                    Prefetch("pp_plus_requests", PpPlusRequest.objects.order_by("pk")),
                    Prefetch("qa_reviews", QaReview.objects.select_related("reviewer").prefetch_related("ratings")),
                    Prefetch("documents", SupportingDocument.objects.order_by("pk"))))
    peps = []
    for pep in pep_rows:
        peps.append({
            **_row(pep), "created_by_name": _name(pep.created_by),
            "sections": [{**_row(s, exclude=("pep",)), "updated_by_name": _name(s.updated_by)}
                         for s in pep.sections.all()],
            "meetings": [{**_row(m), "chair_name": _name(m.chair),
                          "invitees": [{"name": i.name, "role": i.role, "attendance": i.attendance}
                                       for i in m.invitees.all()]}
                         for m in pep.meetings.all()],
            "targets": [_row(t) for t in pep.targets.all()],
            "target_reviews": [_row(r) for r in pep.target_reviews.all()],
            "pp_plus_requests": [_row(r) for r in pep.pp_plus_requests.all()],
            "qa_reviews": [{**_row(q), "reviewer_name": _name(q.reviewer),
                            "ratings": [_row(r, exclude=("review",)) for r in q.ratings.all()]}
                           for q in pep.qa_reviews.all()],
            "documents": [_row(d, exclude=("stored_name",)) for d in pep.documents.all()],
        })
    record["peps"] = peps
    record["education"] = _education_record(child)
    record["concern_requests"] = [_row(c) for c in ConcernRequest.objects.filter(child=child).order_by("pk")]
    record["audit_history"] = [
        {"at": e.at, "actor": _name(e.actor), "verb": e.verb, "object_type": e.object_type,
         "object_id": e.object_id, "changes": e.changes}
        for e in AuditEvent.objects.filter(child_id=child.pk).select_related("actor").order_by("at", "id")
    ]
    return record


def _education_record(child: Child) -> dict[str, Any]:
    """The education record (education app) and the chronology, every field: a subject-access
    copy is for the person the record is about, professional-only fields included."""
    from education.chronology import chronology_of
    from education.selectors import education_record_of

    rec = education_record_of(child)
    return {
        "attendance": [{**_row(a), "percent": a.percent} for y in rec.attendance_years for a in y.rows],
        "exclusions": [_row(x) for x in rec.exclusions],
        "part_time_timetables": [_row(t) for t in rec.part_time],
        "alternative_provision": [_row(a) for a in rec.alternative_provision],
        "sen_statuses": [_row(s) for s in rec.sen],
        "attainment": [_row(a) for a in rec.attainment],
        "school_moves": [_row(p.move) for p in rec.placements if getattr(p, "move", None) is not None],
        "eet_statuses": [_row(e) for e in rec.eet],
        "chronology": [{"on": e.on, "kind": e.kind, "text": e.text}
                       for e in chronology_of(child, professional=True)],
    }


# --------------------------------------------------------------------------------------
# Retention
# --------------------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def past_destroy_after(la_id: int, today: dt.date) -> list[Child]:
    """The LA's children whose destroy-after date (75th birthday) is before `today`.

    The database narrows by date of birth (a day's margin for 29 February); the property
    decides, so the rule lives in one place (Child.destroy_after).
    """
    bound = _years_before(today, 75) + dt.timedelta(days=1)
    candidates = Child.objects.filter(local_authority_id=la_id, date_of_birth__lte=bound) \
        .order_by("date_of_birth", "pk")
    return [c for c in candidates if c.destroy_after < today]


def age_on(child: Child, day: dt.date) -> int:
    born = child.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def retention_review_run(*, today: dt.date | None = None) -> list[RetentionReview]:
    """The monthly run: per LA, list the records past their date and tell the LA's admins.

    One RetentionReview per LA with anything to list; one email per admin, deduplicated by
    LA and day, so a second run on the same day writes and sends nothing again.
    """
    from core.notifications import Email, outbox_enqueue_many

    today = today or timezone.localdate()
    reviews: list[RetentionReview] = []
    emails: list[Email] = []
    link = settings.SITE_URL + reverse("retention_list")
    for la in LocalAuthority.objects.order_by("pk"):
        due = past_destroy_after(la.pk, today)
        if not due:
            continue
        review, created = RetentionReview.objects.get_or_create(
            local_authority=la, run_on=today, defaults={"child_ids": [c.pk for c in due]})
        if not created:
            continue
        reviews.append(review)
        admins = User.objects.filter(role=Role.LA_ADMIN, local_authority=la, is_active=True).order_by("pk")
        for admin in admins:
            emails.append(Email(
                to=admin.email,
                subject=f"{len(due)} record{'s' if len(due) != 1 else ''} past the retention date – confirm deletion",
                body=(f"Dear {admin.full_name},\n\n"
                      f"{len(due)} child record{'s' if len(due) != 1 else ''} of {la.name} "
                      f"{'are' if len(due) != 1 else 'is'} past the destroy-after date (the child's 75th "
                      f"birthday) on {today:%d %B %Y}.\n\n"
                      f"Sign in to ePEP and open {link} to confirm the deletion of each record.\n"),
                dedupe_key=f"retention:{la.pk}:{today.isoformat()}:{admin.pk}",
            ))
    outbox_enqueue_many(emails)
    audit_record(actor=None, verb=Verb.CREATED, object_type="children.retentionreview", object_id=today.isoformat(),
                 changes={"local_authorities": [None, [r.local_authority_id for r in reviews]],
                          "records": [None, sum(r.count for r in reviews)], "emails": [None, len(emails)]})
    return reviews


@transaction.atomic
def retention_destroy(*, actor: User, child: Child, confirm: str, today: dt.date | None = None) -> int:
    """Destroy a child's record at the end of its retention period; returns the child's id.

    An LA admin of the child's LA only, who types the child's LA reference to confirm, and
    only once the destroy-after date has passed. Deletes the child and everything that
    cascades (episodes, placements, team, PEPs with sections, meetings, targets, PP+,
    QA, documents, concern requests, subject-access exports); the files go after commit.
    The child's earlier audit events keep who did what and when, with every value
    replaced; one stub records the destruction (LA reference, no name or date of birth).
    """
    from peps.models import Pep, ProfessionalPdf, SupersededPdf, SupportingDocument
    from peps.services.documents import document_path

    today = today or timezone.localdate()
    child = Child.objects.select_for_update().select_related("local_authority").get(pk=child.pk)
    if not can(actor, child, Action.DESTROY_RECORD):
        raise PermissionDenied
    if not child.destroy_after < today:
        keep = child.destroy_after
        raise ValidationError(f"This record must be kept until {keep.day} {keep:%B %Y}, the day after which "
                              f"it may be destroyed")
    if (confirm or "").strip().casefold() != child.la_reference.strip().casefold():
        raise ValidationError({"confirm": "Enter the child's LA reference exactly as shown to confirm"})

    child_id, la_reference, la = child.pk, child.la_reference, child.local_authority
    peps = Pep.objects.filter(child=child)
    files = [document_path(d) for d in SupportingDocument.objects.filter(pep__child=child)]
    documents = len(files)
    files += [p.approved_pdf.name for p in peps if p.approved_pdf]
    # Every stored copy of every approval: the professionals' and the superseded ones too.
    files += [c.file.name for c in ProfessionalPdf.objects.filter(pep__child=child)]
    files += [c.file.name for c in SupersededPdf.objects.filter(pep__child=child)]
    files += [j.file.name for j in SubjectAccessExport.objects.filter(child=child) if j.file]
    pep_count = peps.count()
    child.delete()

    # The earlier events stay (who did what, when), their values do not.
    scrubbed = []
    for event in AuditEvent.objects.filter(child_id=child_id).only("id", "changes"):
        event.changes = _scrub(event.changes)
        scrubbed.append(event)
    AuditEvent.objects.bulk_update(scrubbed, ["changes"], batch_size=500)

    audit_record(actor=actor, verb=Verb.RECORD_DESTROYED, object_type="children.child", object_id=child_id,
                 child_id=child_id,
                 changes={"la_reference": [la_reference, None], "local_authority": [la.code, None],
                          "peps": [pep_count, 0], "documents": [documents, 0],
                          "audit_events_scrubbed": [None, len(scrubbed)]})
    security_log.warning("child record destroyed",
                         extra={"event": "record_destroyed", "user_id": actor.pk, "child_id": child_id,
                                "object_type": "children.child", "object_id": child_id})
    transaction.on_commit(lambda: _delete_files(files))
    return child_id


def _scrub(changes: Any) -> Any:
    """Keep the field names of an audit event's changes; replace every value."""
    if isinstance(changes, dict):
        return {key: (_scrub(value) if isinstance(value, dict) else SCRUBBED) for key, value in changes.items()}
    return SCRUBBED if changes else changes


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # A file that cannot be removed is logged (by id-free name) for an operator.
            security_log.error("retained file could not be deleted", extra={"event": "retention_file_left",
                                                                           "object_id": name})
