"""Every write of quality assurance, PDF copies and exports. Each writes exactly one audit event.

The PEP's own transitions (returned, approved) belong to peps.services.workflow: qa_review_record
calls pep_return / pep_approve, which write their own audit events; the QA review is this
module's one event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from accounts.models import LocalAuthority, User
from children.policies import relationship
from core.audit import Verb, audit_record, diff, snapshot
from core.jobs import files_expire, queued_too_long
from core.text_limits import text_limit_errors
from peps.models import Pep, ProfessionalPdf
from peps.policies import PepAction, family_sees_pp_plus, rel_allows
from peps.services.workflow import pep_approve, pep_return

from . import selectors
from .defaults import DEFAULT_CRITERIA
from .models import ExportJob, QaCriterion, QaRating, QaReview, Rag, overall_rating

CRITERION_FIELDS = ("code", "text", "order", "active")

logger = logging.getLogger("epep.quality")


# --------------------------------------------------------------------------------------
# Criteria
# --------------------------------------------------------------------------------------


@transaction.atomic
def qa_criteria_seed_defaults(*, la: LocalAuthority, actor: User | None = None) -> list[QaCriterion]:
    """Give an LA the default framework the first time anyone needs its criteria.

    Idempotent: an LA that already has criteria (even all retired) keeps its own list, and
    nothing is written, so no audit event either.
    """
    existing = list(QaCriterion.objects.filter(local_authority=la))
    if existing:
        return existing
    # Lock the LA row so two first uses at once do not both seed (the unique code would
    # refuse the second anyway; this turns a crash into a wait).
    LocalAuthority.objects.select_for_update().get(pk=la.pk)
    existing = list(QaCriterion.objects.filter(local_authority=la))
    if existing:
        return existing
    created = QaCriterion.objects.bulk_create(
        QaCriterion(local_authority=la, code=code, text=text, order=(i + 1) * 10)
        for i, (code, text) in enumerate(DEFAULT_CRITERIA)
    )
    audit_record(actor=actor, verb=Verb.CREATED, object_type="quality.qacriterion", object_id=f"la:{la.pk}",
                 changes={"seeded_defaults": [len(created)]})
    return created


def active_criteria(la: LocalAuthority) -> list[QaCriterion]:
    qa_criteria_seed_defaults(la=la)
    return list(QaCriterion.objects.filter(local_authority=la, active=True).order_by("order", "pk"))


@transaction.atomic
def qa_criterion_save(*, actor: User, la: LocalAuthority, criterion: QaCriterion | None = None,
                      code: str, text: str, order: int, active: bool) -> QaCriterion:
    """Add or change one criterion of the actor's LA. Past ratings keep the text they had."""
    if actor.local_authority_id != la.pk:
        raise PermissionDenied
    before = snapshot(criterion, CRITERION_FIELDS) if criterion else {}
    if criterion is None:
        criterion = QaCriterion(local_authority=la)
    criterion.code, criterion.text, criterion.order, criterion.active = code, text, order, active
    criterion.full_clean()
    criterion.save()
    audit_record(actor=actor, verb=Verb.UPDATED if before else Verb.CREATED, obj=criterion,
                 changes=diff(before, snapshot(criterion, CRITERION_FIELDS)))
    return criterion


# --------------------------------------------------------------------------------------
# QA review
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    criterion_id: int
    rating: str
    comment: str = ""


def return_reasons(rows: Iterable[tuple[str, str, str]], comment: str) -> str:
    """The text the team sees on a returned PEP: each red or amber criterion with its comment."""
    lines = []
    for text, rating, rating_comment in rows:
        if rating in (Rag.RED, Rag.AMBER):
            line = f"{Rag(rating).label}: {text}"
            if rating_comment.strip():
                line += f" – {rating_comment.strip()}"
            lines.append(line)
    if comment.strip():
        lines.append(comment.strip())
    return "\n".join(lines)


@transaction.atomic
def qa_review_record(*, actor: User, pep: Pep, ratings: list[RatingInput], decision: str,
                     comment: str = "") -> QaReview:
    """Record the Virtual School's QA of a submitted PEP, then return or approve it.

    Any red returns the PEP with the reasons (the red and amber criteria and their
    comments); otherwise the officer chooses to approve or return it.
    """
    # Lock the PEP so that two officers (or a double click) cannot both review it.
    pep = Pep.objects.select_for_update().select_related("child", "child__local_authority").get(pk=pep.pk)
    rel = relationship(actor, pep.child)
    if rel is None or not rel_allows(rel, pep, PepAction.QA):
        # The policy says only the Virtual School, and only while the PEP is submitted.
        raise PermissionDenied("Only the Virtual School can quality assure a submitted PEP.")
    if decision not in QaReview.Decision.values:
        raise ValidationError({"decision": "Select whether to approve or return the PEP"})
    criteria = {c.pk: c for c in active_criteria(pep.child.local_authority)}
    given = {r.criterion_id: r for r in ratings}
    errors: dict[str, str] = {}
    for pk, criterion in criteria.items():
        r = given.get(pk)
        if r is None or r.rating not in Rag.values:
            errors[f"rating_{pk}"] = f"Select a rating for ‘{criterion.text}’"
        elif r.rating != Rag.GREEN and not r.comment.strip():
            errors[f"comment_{pk}"] = f"Enter a comment for ‘{criterion.text}’, rated {r.rating}"
    if set(given) - set(criteria):
        errors["ratings"] = "A rating was given for a criterion that is not in use"
    errors.update(text_limit_errors(QaReview, {"comment": comment}))
    for pk, r in given.items():
        errors.update(text_limit_errors(QaRating, {"comment": r.comment}, field_names={"comment": f"comment_{pk}"}))
    if errors:
        raise ValidationError(errors)
    overall = overall_rating([r.rating for r in ratings])
    if overall == Rag.RED and decision == QaReview.Decision.APPROVED:
        raise ValidationError({"decision": "A PEP with a red rating must be returned, not approved"})

    review = QaReview.objects.create(pep=pep, reviewer=actor, overall=overall, decision=decision,
                                     comment=comment.strip())
    QaRating.objects.bulk_create(
        QaRating(review=review, criterion=criteria[pk], criterion_text=criteria[pk].text, position=i,
                 rating=given[pk].rating, comment=given[pk].comment.strip())
        for i, pk in enumerate(criteria)
    )
    audit_record(actor=actor, verb=Verb.CREATED, obj=review, child_id=pep.child_id,
                 changes={"pep": [None, pep.pk], "overall": [None, overall], "decision": [None, decision],
                          "ratings": [None, {criteria[pk].code: given[pk].rating for pk in criteria}]})
    if decision == QaReview.Decision.RETURNED:
        reasons = return_reasons(((criteria[pk].text, given[pk].rating, given[pk].comment) for pk in criteria),
                                 comment)
        pep_return(actor=actor, pep=pep, reason=reasons or "Returned after quality assurance")
    else:
        # pep_approve runs the peps.hooks.AFTER_APPROVE hooks inside this transaction: among
        # them on_pep_approved (below, registered in QualityConfig.ready()), which stores the PDF.
        pep_approve(actor=actor, pep=pep)
    return review


# --------------------------------------------------------------------------------------
# PDF copies
# --------------------------------------------------------------------------------------


def on_pep_approved(pep: Pep) -> None:
    """A peps.hooks.AFTER_APPROVE hook (registered in QualityConfig.ready()), so every approval,
    from a QA review or elsewhere, calls it inside pep_approve's transaction: render the copy
    once, later.

    The task runs after the commit, so it sees the approved PEP (and an aborted approval
    renders nothing).
    """
    from core.queue import send_task_quietly

    from .tasks import render_approved_pdf

    pep_id = pep.pk
    transaction.on_commit(lambda: send_task_quietly(render_approved_pdf, pep_id))


def safe_file_name(pep: Pep, suffix: str = "pdf") -> str:
    """ASCII only, no spaces or quotes: the child's LA reference and the PEP's term."""
    raw = f"PEP-{pep.child.la_reference}-{pep.academic_year.replace('/', '-')}-{pep.term}"
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in raw)
    cleaned = re.sub(r"-{2,}", "-", cleaned).strip("-")
    return f"{cleaned[:80] or 'PEP'}.{suffix}"


def approved_pdf_store(*, pep_id: int) -> Pep:
    """Render and keep the approved PEP's PDF copies, once. Later calls change nothing.

    Three copies of one approval, rendered from the same data at the same time:
    - the family's (Pep.approved_pdf), for carers and the young person: no QA, no
      professional-only fields, and PP+ amounts only where the LA lets families see them;
    - the professionals' with PP+ amounts (peps.models.ProfessionalPdf), for the social
      worker, the school and the Virtual School: everything, the QA review included;
    - the professionals' without amounts, for professionals who may not see them (LA
      admins, IROs, personal advisers).
    A PEP approved before the professionals' copies existed has only the family's: its
    professionals' copies are rendered at the first call after (a professional's download
    or the export), from the locked PEP as it is then.

    The renders (seconds) happen before the transaction, which only keeps the bytes: a
    write transaction open for a render holds SQLite's one write lock (or a PostgreSQL row
    lock) that long, and made the web and the worker fail each other with "database is
    locked". An approved PEP no longer changes, so rendering it unlocked is safe; when two
    callers render at once (the worker and a download), the first to store wins and the
    other's identical bytes are dropped. All the copies are kept in one transaction, so a
    PEP with a family copy has its professionals' copies too (the catch-up sweep looks for
    missing family copies only).
    """
    from .pdf import pep_pdf_bytes

    pep = Pep.objects.select_related("child", "child__local_authority").get(pk=pep_id)
    if pep.status != Pep.Status.APPROVED:
        return pep
    missing = _professional_copies_missing(pep)
    if pep.approved_pdf and not missing:
        return pep
    family = None if pep.approved_pdf else pep_pdf_bytes(pep, show_pp_plus=family_sees_pp_plus(pep),
                                                         professional=False)
    professional = {amounts: pep_pdf_bytes(pep, show_pp_plus=amounts, professional=True) for amounts in missing}
    return _approved_pdf_keep(pep_id=pep_id, family=family, professional=professional)


def _professional_copies_missing(pep: Pep) -> list[bool]:
    """Which of the current professionals' copies (with PP+ amounts or not) are not stored yet."""
    have = set(ProfessionalPdf.objects.filter(pep=pep, superseded=None)
               .values_list("with_pp_plus_amounts", flat=True))
    return [amounts for amounts in (True, False) if amounts not in have]


@transaction.atomic
def _approved_pdf_keep(*, pep_id: int, family: bytes | None, professional: dict[bool, bytes]) -> Pep:
    """approved_pdf_store's short write: keep each copy unless the PEP has it by now. One audit
    event when anything was kept."""
    pep = Pep.objects.select_for_update().select_related("child", "child__local_authority").get(pk=pep_id)
    if pep.status != Pep.Status.APPROVED:
        return pep
    changes: dict[str, list] = {}
    if family is not None and not pep.approved_pdf:
        pep.approved_pdf_sha256 = hashlib.sha256(family).hexdigest()
        pep.approved_pdf.save(f"pep-{pep.pk}-{pep.approved_pdf_sha256[:12]}.pdf", ContentFile(family), save=False)
        pep.save(update_fields=["approved_pdf", "approved_pdf_sha256"])
        changes["approved_pdf_sha256"] = [None, pep.approved_pdf_sha256]
    for amounts in _professional_copies_missing(pep):
        if amounts not in professional:
            continue
        data = professional[amounts]
        copy = ProfessionalPdf(pep=pep, with_pp_plus_amounts=amounts, sha256=hashlib.sha256(data).hexdigest())
        kind = "professional" if amounts else "professional-no-amounts"
        copy.file.save(f"pep-{pep.pk}-{kind}-{copy.sha256[:12]}.pdf", ContentFile(data), save=False)
        copy.save()
        changes["professional_pdf_sha256" if amounts else "professional_pdf_without_amounts_sha256"] = [
            None, copy.sha256]
    if changes:
        audit_record(actor=None, verb=Verb.CREATED, obj=pep, object_type="peps.pep.approved_pdf",
                     child_id=pep.child_id, changes=changes)
    return pep


def approved_pdf_bytes(pep: Pep, *, professional: bool, show_pp_plus: bool) -> tuple[bytes, str]:
    """The stored copy of an approved PEP for one reader (made now if it is still missing),
    and its SHA-256: the professionals' (with or without PP+ amounts) or the family's."""
    if professional:
        copy = ProfessionalPdf.objects.filter(pep=pep, superseded=None, with_pp_plus_amounts=show_pp_plus).first()
        if copy is None:
            approved_pdf_store(pep_id=pep.pk)
            copy = ProfessionalPdf.objects.get(pep=pep, superseded=None, with_pp_plus_amounts=show_pp_plus)
        with copy.file.open("rb") as fh:
            return fh.read(), copy.sha256
    if not pep.approved_pdf:
        # The Celery task has not run yet (or failed): render it now, once, in its place.
        pep = approved_pdf_store(pep_id=pep.pk)
    with pep.approved_pdf.open("rb") as fh:
        return fh.read(), pep.approved_pdf_sha256


# A draft PEP's PDF is rendered from its data on each download (a PEP with hundreds of
# targets takes seconds of WeasyPrint). The bytes are kept per version of what the PDF
# shows: the key is a hash of the HTML it is rendered from (every section, target, meeting,
# name and the reader's view: professional fields, PP+ amounts), so a change to anything
# shown makes a new key and an old PDF is never served. Kept for a few hours only: the cache
# is not where a child's record lives (retention deletes records; this expires by itself).
PDF_CACHE_SECONDS = 6 * 60 * 60
_GENERATED_ON = re.compile(r'<p class="generated-on">.*?</p>', re.DOTALL)


def pdf_cache_key(pep: Pep, html: str) -> str:
    """The version of what the PDF shows: its HTML without the "Generated on" time."""
    shown = _GENERATED_ON.sub("", html)
    return f"pep-pdf:{pep.pk}:{hashlib.sha256(shown.encode()).hexdigest()}"


def pep_pdf_rendered(pep: Pep, *, show_pp_plus: bool, professional: bool) -> tuple[bytes, str]:
    """The PDF of a PEP that is not approved, and whether it came from the cache."""
    from django.core.cache import cache

    from core.pdf import render_pdf

    from .pdf import pdf_title, pep_pdf_html

    html = pep_pdf_html(pep, show_pp_plus=show_pp_plus, professional=professional)
    key = pdf_cache_key(pep, html)
    data = cache.get(key)
    if data is not None:
        return data, "cached"
    data = render_pdf(html, title=pdf_title(pep), lang="en-GB")
    cache.set(key, data, PDF_CACHE_SECONDS)
    return data, "live"


def pep_pdf_download(*, actor: User, pep: Pep, show_pp_plus: bool, professional: bool) -> bytes:
    """The PEP's PDF for one reader, audited: the stored copy at their level once approved,
    else the PDF of the PEP as it is now (rendered once per version of what it shows)."""
    if pep.status == Pep.Status.APPROVED:
        # The stored copy at the reader's level: professionals get everything, the family its own.
        data, _sha = approved_pdf_bytes(pep, professional=professional, show_pp_plus=show_pp_plus)
        source = "stored professional" if professional else "stored"
    else:
        data, source = pep_pdf_rendered(pep, show_pp_plus=show_pp_plus, professional=professional)
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=pep, child_id=pep.child_id,
                 changes={"pdf": [None, source]})
    return data


# Downloads of PEP PDFs one person may make in a minute: enough for a Virtual School officer
# going through a list, too few to keep the PDF renderer busy on purpose.
PDF_DOWNLOADS_PER_MINUTE = 10


def pdf_download_allowed(*, user: User) -> bool:
    """Count one PDF download by this person; False once they have made too many this minute.

    The window starts at their first download and lasts 60 seconds. If the cache is
    unavailable the download is allowed (epep.cache fails soft)."""
    from django.core.cache import cache

    key = f"pdf-downloads:{user.pk}"
    cache.add(key, 0, 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 60)
        count = 1
    return count <= PDF_DOWNLOADS_PER_MINUTE


# --------------------------------------------------------------------------------------
# Exports
# --------------------------------------------------------------------------------------


@transaction.atomic
def export_job_request(*, actor: User, academic_year: str, term: str) -> ExportJob:
    """Queue a ZIP of every approved PEP of the actor's LA in one term."""
    if actor.local_authority_id is None:
        raise PermissionDenied
    job = ExportJob.objects.create(requested_by=actor, la_id=actor.local_authority_id,
                                   academic_year=academic_year, term=term)
    audit_record(actor=actor, verb=Verb.EXPORTED, obj=job,
                 changes={"academic_year": [None, academic_year], "term": [None, term]})
    from core.queue import send_task_quietly

    from .tasks import build_export

    job_id = job.pk
    transaction.on_commit(lambda: send_task_quietly(build_export, job_id))
    return job


def export_job_build(*, job_id: int) -> ExportJob:
    """Build the ZIP, one PEP at a time, saving progress so the page can show it.

    Not one transaction on purpose: progress must be visible to the polling page while it
    runs. Each stored PDF is reused; an approved PEP without one gets it rendered now.
    """
    job = ExportJob.objects.get(pk=job_id)
    if job.status == ExportJob.Status.DONE:
        return job
    peps = list(
        Pep.objects.filter(child__local_authority_id=job.la_id, academic_year=job.academic_year, term=job.term,
                           status=Pep.Status.APPROVED)
        .select_related("child").order_by("child__last_name", "child__first_name", "pk")
    )
    job.mark_running(len(peps))
    buffer = io.BytesIO()
    names: set[str] = set()
    try:
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for pep in peps:
                # The Virtual School's own export: the professionals' copies, with PP+ amounts.
                data, _sha = approved_pdf_bytes(pep, professional=True, show_pp_plus=True)
                name = safe_file_name(pep)
                if name in names:
                    name = name.replace(".pdf", f"-{pep.pk}.pdf")
                names.add(name)
                archive.writestr(name, data)
                job.step()
    except Exception:
        job.mark_failed()
        raise
    with transaction.atomic():
        job = job.store(f"PEPs-{job.la_id}-{job.academic_year.replace('/', '-')}-{job.term}-{job.pk}.zip",
                        buffer.getvalue())
        audit_record(actor=None, verb=Verb.CREATED, obj=job, changes={"peps": [None, len(peps)]})
    return job


def quality_catch_up(*, now: dt.datetime | None = None, limit: int = 50) -> tuple[int, int]:
    """Render missing stored PDFs of approved PEPs and build exports still queued.

    Their tasks are published after commit without waiting for the broker; when it was
    down (or a task was lost) this periodic sweep does the work. Both steps are safe to
    repeat: approved_pdf_store renders once under a row lock, and a built export is done.
    Returns (PDFs rendered, exports built).
    """
    pep_ids = list(selectors.approved_without_pdf(now=now).values_list("pk", flat=True)[:limit])
    rendered = 0
    for pep_id in pep_ids:
        try:
            approved_pdf_store(pep_id=pep_id)
            rendered += 1
        except Exception:  # noqa: BLE001 - one PEP that fails must not keep the others waiting
            # Logged with the traceback; the PEP stays on the list (and its page says the
            # copy is missing) and the next sweep tries again.
            logger.exception("stored PDF not made", extra={"event": "approved_pdf_failed", "pep_id": pep_id})
    job_ids = queued_too_long(ExportJob, now=now, limit=limit)
    for job_id in job_ids:
        export_job_build(job_id=job_id)
    return rendered, len(job_ids)


def export_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the term exports' ZIPs a week after they were built (core.jobs.KEEP_FILES_FOR)."""
    return files_expire(ExportJob, now=now)


def export_job_downloaded(*, actor: User, job: ExportJob) -> None:
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=job, changes={"file": [None, job.file.name]})


def dashboard_list_exported(*, actor: User, figure: str, group: str, academic_year: str, term: str,
                            count: int) -> None:
    """A dashboard list leaving the portal as CSV: who, which list, how many children."""
    audit_record(actor=actor, verb=Verb.EXPORTED, object_type="quality.dashboard", object_id=figure,
                 changes={"figure": [None, figure], "group": [None, group], "term": [None, f"{academic_year} {term}"],
                          "children": [None, count]})


@transaction.atomic
def reporting_exported(*, actor: User, what: str, academic_year: str, filters: dict[str, str], count: int) -> None:
    """Reporting leaving the portal as CSV (the figures, or a figure's list of children)."""
    audit_record(actor=actor, verb=Verb.EXPORTED, object_type="quality.reporting", object_id=what,
                 changes={"figure": [None, what], "year": [None, academic_year],
                          "filters": [None, ", ".join(f"{k}={v}" for k, v in sorted(filters.items()))],
                          "children": [None, count]})
