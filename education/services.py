"""Every write to the education record. Each service runs in one transaction, validates
the record (model.clean via full_clean; a ValidationError names the field), saves it and
writes exactly one audit event. Whether the actor may do it is the policy's question,
asked by the view first (education.policies).

`<thing>_save(actor=..., child=..., instance=None, **fields)` creates a record when
`instance` is None and changes it otherwise; nothing changed means nothing saved and
nothing audited. `record_from_pep` is what saving a PEP's section B writes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction

from accounts.models import User
from children.models import Child, SchoolPlacement
from core.audit import Verb, audit_record, diff, snapshot

from .models import (
    EYFS_RESULT_SUBJECT,
    AlternativeProvision,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    EyfsProfile,
    PartTimeTimetable,
    SchoolMove,
    SenStatus,
    is_mid_year,
)

M = TypeVar("M", bound=models.Model)

def _save(model: type[M], *, actor: User | None, child: Child, instance: M | None, fields: dict[str, Any]) -> M:
    names: tuple[str, ...] = model.FIELDS  # type: ignore[attr-defined]  # every record model lists its FIELDS
    unknown = set(fields) - set(names)
    if unknown:
        raise TypeError(f"unknown fields for {model.__name__}: {sorted(unknown)}")
    if instance is None:
        obj = model(child=child, **fields)
        before: dict[str, Any] = {}
    else:
        if instance.child_id != child.pk:  # type: ignore[attr-defined]  # every record model has a child
            raise ValidationError("This record belongs to another child")
        obj = model._default_manager.select_for_update().get(pk=instance.pk)
        before = snapshot(obj, names)
        for name, value in fields.items():
            setattr(obj, name, value)
    obj.full_clean()
    changes = diff(before, snapshot(obj, names))
    if instance is not None and not changes:
        return obj
    obj.save()
    audit_record(actor=actor, verb=Verb.CREATED if instance is None else Verb.UPDATED, obj=obj,
                 child_id=child.pk, changes=changes)
    return obj


@transaction.atomic
def attendance_save(*, actor: User | None, child: Child, instance: Attendance | None = None,
                    **fields) -> Attendance:
    """Sessions for one term (or half-term) at one school; a second row for the same term
    and school is refused with a message rather than an integrity error."""
    probe = instance or Attendance(child=child)
    key = {name: fields.get(name, getattr(probe, name, None))
           for name in ("school", "academic_year", "term", "half_term")}
    clash = Attendance.objects.filter(child=child, **key)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"term": "Attendance for this term and school is already recorded: change that "
                                       "record instead"})
    return _save(Attendance, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def exclusion_save(*, actor: User | None, child: Child, instance: Exclusion | None = None, **fields) -> Exclusion:
    return _save(Exclusion, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def part_time_timetable_save(*, actor: User | None, child: Child, instance: PartTimeTimetable | None = None,
                             **fields) -> PartTimeTimetable:
    return _save(PartTimeTimetable, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def alternative_provision_save(*, actor: User | None, child: Child, instance: AlternativeProvision | None = None,
                               **fields) -> AlternativeProvision:
    return _save(AlternativeProvision, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def sen_status_save(*, actor: User | None, child: Child, instance: SenStatus | None = None,
                    **fields) -> SenStatus:
    return _save(SenStatus, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def attainment_save(*, actor: User | None, child: Child, instance: Attainment | None = None,
                    **fields) -> Attainment:
    """One result per subject per assessment point: a second is refused with a message.
    The EYFS profile's result is worked out from its goals (eyfs_profile_save), never typed."""
    probe = instance or Attainment(child=child)
    _refuse_typed_eyfs(fields.get("assessment", probe.assessment))
    key = {name: fields.get(name, getattr(probe, name, None))
           for name in ("academic_year", "term", "assessment", "subject", "grade_kind")}
    key["grade_kind"] = key["grade_kind"] or ""
    clash = Attainment.objects.filter(child=child, **key)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"subject": "A result for this subject, assessment and term is already recorded: "
                                          "change that record instead"})
    return _save(Attainment, actor=actor, child=child, instance=instance, fields=fields)


def _refuse_typed_eyfs(assessment: str | None) -> None:
    if assessment == Attainment.Assessment.EYFS:
        raise ValidationError({"assessment": "Record the EYFS profile goal by goal instead (Add an EYFS profile): "
                                             "the good level of development is worked out from the early "
                                             "learning goals"})


@transaction.atomic
def eyfs_profile_save(*, actor: User | None, child: Child, instance: EyfsProfile | None = None,
                      **fields) -> EyfsProfile:
    """The EYFS profile of one Reception year: each of the 17 early learning goals expected
    or emerging. One profile per child and year (a second is refused with a message).

    The good level of development is worked out from the goals (EyfsProfile), never typed;
    the record's attainment row that reporting counts (assessment "eyfs", the summer term of
    the year) is kept in step here. One audit event, with the good level of development's
    change among the profile's."""
    unknown = set(fields) - set(EyfsProfile.FIELDS)
    if unknown:
        raise TypeError(f"unknown fields for EyfsProfile: {sorted(unknown)}")
    year = fields.get("academic_year", instance.academic_year if instance else None)
    clash = EyfsProfile.objects.filter(child=child, academic_year=year)
    if instance is not None:
        if instance.child_id != child.pk:
            raise ValidationError("This record belongs to another child")
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError({"academic_year": "An EYFS profile for this academic year is already recorded: "
                                                "change that one instead"})
    if instance is None:
        profile = EyfsProfile(child=child, **fields)
        before: dict[str, Any] = {}
        gld_before: bool | None = None
    else:
        profile = EyfsProfile.objects.select_for_update().get(pk=instance.pk)
        before = snapshot(profile, EyfsProfile.FIELDS)
        gld_before = profile.good_level_of_development
        for name, value in fields.items():
            setattr(profile, name, value)
    profile.full_clean()
    changes = diff(before, snapshot(profile, EyfsProfile.FIELDS))
    if instance is not None and not changes:
        return profile
    profile.save()
    # The one attainment row of the EYFS profile for the year, worked out (quality.reporting
    # counts "gld"); a profile moved to another year takes its row along.
    years = {profile.academic_year, before.get("academic_year") or profile.academic_year}
    Attainment.objects.filter(child=child, assessment=Attainment.Assessment.EYFS, academic_year__in=years).delete()
    gld = profile.good_level_of_development
    Attainment.objects.create(child=child, academic_year=profile.academic_year, term="summer",
                              assessment=Attainment.Assessment.EYFS, subject=EYFS_RESULT_SUBJECT,
                              result="gld" if gld else "not_gld")
    if gld != gld_before:
        changes["good_level_of_development"] = [gld_before, gld]
    audit_record(actor=actor, verb=Verb.CREATED if instance is None else Verb.UPDATED, obj=profile,
                 child_id=child.pk, changes=changes)
    return profile


@transaction.atomic
def eet_status_save(*, actor: User | None, child: Child, instance: EetStatus | None = None,
                    **fields) -> EetStatus:
    return _save(EetStatus, actor=actor, child=child, instance=instance, fields=fields)


@transaction.atomic
def school_move_save(*, actor: User | None, placement: SchoolPlacement, reason: str,
                     mid_year: bool | None = None, notes: str = "") -> SchoolMove:
    """Why the child moved to this school (one record per placement); mid-year is worked
    out from the start date unless given."""
    move = SchoolMove.objects.select_for_update().filter(placement=placement).first()
    before = snapshot(move, SchoolMove.FIELDS) if move else {}
    if move is None:
        move = SchoolMove(placement=placement)
    move.reason = reason
    move.mid_year = is_mid_year(placement.started_on) if mid_year is None else mid_year
    move.notes = notes
    move.full_clean()
    changes = diff(before, snapshot(move, SchoolMove.FIELDS))
    if before and not changes:
        return move
    created = move.pk is None
    move.save()
    audit_record(actor=actor, verb=Verb.CREATED if created else Verb.UPDATED, obj=move,
                 child_id=placement.child_id, changes={**changes, "placement": [None, placement.pk]})
    return move


# ---- what saving a PEP's section B writes --------------------------------------------------------


TERMLY_SUBJECTS = {"attainment_english": "English", "attainment_maths": "Maths", "attainment_science": "Science"}


@dataclass(frozen=True)
class RecordWrite:
    """What `record_from_pep` wrote: the rows, and the changes as an audit event holds them."""

    written: list[models.Model]
    changes: dict[str, list[Any]]

    def __bool__(self) -> bool:
        return bool(self.written)


@transaction.atomic
def record_from_pep(*, actor: User | None, child: Child, academic_year: str, term: str, day: dt.date,
                    school=None, sen_status: str | None = None, attainment: dict[str, str] | None = None,
                    attendance: dict[str, int] | None = None, pep_id: int | None = None,
                    audit: bool = True) -> RecordWrite:
    """Write what a PEP's section B says into the record, as ONE audit event.

    - a SEN status different from the current one starts a new status from `day`;
    - termly progress per subject or area of learning (English, maths, science, any other
      subject, the early years' Development Matters areas) is kept for the PEP's term;
    - the term's attendance sessions (when given) are kept for the PEP's term and school.
    Returns what was written and the changes (nothing when the record already says the same).

    `audit=False` is for a caller that writes the changes into its own, single audit event
    in the same transaction: saving section B (peps.services.sections.section_save) is one
    event, the section's, carrying the record's changes.
    """
    written: list[models.Model] = []
    changes: dict[str, Any] = {}
    current = SenStatus.objects.filter(child=child).order_by("-starts_on", "-pk").first()
    if sen_status and (current is None or current.status != sen_status):
        new = SenStatus(child=child, status=sen_status, starts_on=day,
                        primary_need=current.primary_need if current and sen_status != "none" else "",
                        ehcp_started_on=current.ehcp_started_on if current else None,
                        maintaining_la=current.maintaining_la if current else None)
        if sen_status != SenStatus.Status.EHCP:
            new.ehcp_started_on = None
            new.maintaining_la = None
        if sen_status != "none" and not new.primary_need:
            new.primary_need = "NSA"
        new.full_clean()
        new.save()
        written.append(new)
        changes["sen_status"] = [current.status if current else None, sen_status]
    for subject, result in (attainment or {}).items():
        subject = (subject or "").strip()
        if not result or not subject:
            continue
        # One row per subject and term, whatever the capitals typed ("art" is "Art").
        row = Attainment.objects.filter(child=child, academic_year=academic_year, term=term,
                                        assessment=Attainment.Assessment.TERMLY, subject__iexact=subject).first()
        if row is not None and row.result == result:
            continue
        old = row.result if row else None
        row = row or Attainment(child=child, academic_year=academic_year, term=term,
                                assessment=Attainment.Assessment.TERMLY, subject=subject)
        row.result = result
        row.full_clean()
        row.save()
        written.append(row)
        changes[f"attainment:{row.subject}"] = [old, result]
    if attendance and attendance.get("sessions_possible"):
        sessions = Attendance.objects.filter(child=child, school=school, academic_year=academic_year, term=term,
                                             half_term=Attendance.HalfTerm.WHOLE).first()
        before = snapshot(sessions, Attendance.FIELDS) if sessions else {}
        sessions = sessions or Attendance(child=child, school=school, academic_year=academic_year, term=term)
        for name, value in attendance.items():
            setattr(sessions, name, value or 0)
        sessions.full_clean()
        delta = diff(before, snapshot(sessions, Attendance.FIELDS))
        if delta:
            sessions.save()
            written.append(sessions)
            changes.update({f"attendance:{k}": v for k, v in delta.items()})
    if written and audit:
        audit_record(actor=actor, verb=Verb.UPDATED, object_type="education.record", object_id=child.pk,
                     child_id=child.pk, changes={**changes, "from_pep": [None, pep_id]})
    return RecordWrite(written, changes)
