"""Section B and the child's education record (the education app, a floor below peps).

- `prefill(pep, form_class)`: what the record says for the PEP's term, as section B's values:
  attendance this academic year (worked out from sessions), suspensions and exclusions,
  part-time timetable, alternative provision, SEN status, latest termly attainment (English,
  maths, science, the other subjects named in section B, and the early years' Development
  Matters areas). Used when the PEP starts.
- `section_values(pep, section)`: section B as it reads. While the PEP is open (draft,
  returned, reopened) the record's figures as they are now, over what was stored, so a
  change in the record shows in section B at once; once submitted or approved, the
  snapshot `snapshot(pep)` took at submission (as section A does, peps.care_record).
- `reconcile(...)`: called by section_save with section B's cleaned data. What the record
  keeps as dated events (exclusions, part-time timetables) and sessions (attendance)
  cannot be contradicted from the PEP: a different figure is a GOV.UK error on the field
  pointing to the record. What the PEP does decide (the term's sessions, SEN status,
  termly attainment and progress) is written to the record through
  education.services.record_from_pep, whether or not the record held anything for the
  term, so the record and the PEP agree. Its changes go into section_save's one audit event.
- `changes_since_last(pep)`: attendance, attainment and exclusions against the previous PEP.

What stays in the PEP only, because the record needs more than section B asks: counts of
suspensions and exclusions where the record has none (the record keeps each one, dated,
with its DfE reason), a part-time timetable or alternative provision the record does not
hold (it keeps dates, hours and a review date), and an attendance percentage typed without
the term's sessions (the record keeps sessions; the percentage is worked out from them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from children.models import Phase
from education import services as record_services
from education.models import SenStatus
from education.selectors import TermFigures, latest_eyfs_profile, term_figures

from . import sections as defs
from .models import Pep, Section

# Section B field -> subject or area of learning in the record (termly progress).
SUBJECTS = {**record_services.TERMLY_SUBJECTS, **dict(defs.DEVELOPMENT_MATTERS_AREAS)}
# The other subjects section B names: rating field -> the field naming the subject.
OTHER_SUBJECTS = {"attainment_other_1": "other_subject_1", "attainment_other_2": "other_subject_2"}
SESSION_FIELDS = {
    "term_sessions_possible": "sessions_possible",
    "term_sessions_present": "sessions_present",
    "term_sessions_authorised": "sessions_authorised_absence",
    "term_sessions_unauthorised": "sessions_unauthorised_absence",
}
AS_OF = "_record_as_of"
# The EYFS profile section B shows (EyfsProfile.summary()), kept in the snapshot at submission.
EYFS_KEY = "_eyfs_profile"


def applies(section: Section) -> bool:
    return section.letter == "B"


def _figures(pep: Pep) -> TermFigures:
    return term_figures(pep.child, pep.academic_year, pep.term, on=timezone.localdate())


def _values(figures: TermFigures, names: set[str], stored: dict[str, Any] | None = None) -> dict[str, Any]:
    """Section B's values from the record, for the fields this PEP's section B has
    (`stored`: section B's own data, which names its other subjects)."""
    values: dict[str, Any] = {}
    if figures.attendance_percent is not None:
        values["attendance_percent"] = float(figures.attendance_percent)
    if figures.term_sessions:
        for name, record_name in SESSION_FIELDS.items():
            values[name] = figures.term_sessions[record_name]
    if figures.exclusions_recorded:
        values.update(suspensions_count=figures.suspensions, permanent_exclusions=figures.permanent_exclusions,
                      suspension_days=int(figures.suspension_days.to_integral_value()))
    if figures.part_time_recorded:
        values["part_time_timetable"] = figures.part_time
    if figures.alternative_provision:
        values["alternative_provision"] = figures.alternative_provision
    if figures.sen_status:
        values["sen_status"] = figures.sen_status
    for name, subject in SUBJECTS.items():
        if subject in figures.termly:
            values[name] = figures.termly[subject]
    by_lower = {subject.lower(): result for subject, result in figures.termly.items()}
    for rating, subject_field in OTHER_SUBJECTS.items():
        subject = str((stored or {}).get(subject_field) or "").strip().lower()
        if subject and subject in by_lower:
            values[rating] = by_lower[subject]
    return {k: v for k, v in values.items() if k in names}


def _names(pep: Pep) -> set[str]:
    return set(defs.form_class_for(pep.phase, "B").base_fields)


def prefill(pep: Pep, form_class) -> dict[str, Any]:
    if not hasattr(form_class, "base_fields") or "sen_status" not in form_class.base_fields:
        return {}
    return _values(_figures(pep), set(form_class.base_fields))


def shows_eyfs(pep: Pep, data: dict[str, Any]) -> bool:
    """Section B shows the EYFS profile for an early-years PEP, and for a child in Reception
    or Year 1 (where it is the latest statutory assessment)."""
    year_group = data.get("year_group")
    return pep.phase == Phase.EARLY_YEARS or (isinstance(year_group, int) and 0 <= year_group <= 1)


def _eyfs(pep: Pep) -> dict[str, Any] | None:
    profile = latest_eyfs_profile(pep.child)
    return profile.summary() if profile else None


def live_values(pep: Pep, section: Section) -> dict[str, Any]:
    """Section B's stored data with the record's figures as they are now over it (and the
    child's latest EYFS profile, under EYFS_KEY, where section B shows it)."""
    data = {k: v for k, v in (section.data or {}).items() if k not in (AS_OF, EYFS_KEY)}
    data.update(_values(_figures(pep), _names(pep), data))
    if shows_eyfs(pep, data):
        data[EYFS_KEY] = _eyfs(pep)
    return data


def section_values(pep: Pep, section: Section) -> dict[str, Any]:
    """Section B as it reads: the record live while the PEP is open, the snapshot taken at
    submission once it is not. Any other section's data as stored."""
    if not applies(section) or not pep.is_open:
        return dict(section.data or {})
    return live_values(pep, section)


def snapshot(pep: Pep) -> dict[str, list[Any]]:
    """Keep the record's figures in section B as they are now (at submission), with the
    date. Returns what that changed in section B's stored data ({name: [old, new]}), for
    the submission's one audit event."""
    section = pep.sections.filter(letter="B").first()
    if section is None:
        return {}
    before = dict(section.data or {})
    data = {**live_values(pep, section), AS_OF: timezone.localdate().isoformat()}
    if data == before:
        return {}
    Section.objects.filter(pk=section.pk).update(data=data)
    section.data = data
    return {k: [before.get(k), v] for k, v in data.items() if before.get(k) != v}


def _record_url(pep: Pep, anchor: str) -> str:
    return reverse("education_record", args=[pep.child_id]) + anchor


@dataclass(frozen=True)
class RecordNote:
    """What section B's pages say about where its figures come from, and the EYFS profile
    they show (live while the PEP is open, the snapshot once submitted)."""

    is_open: bool
    as_of: dt.date | None
    url: str
    shows_eyfs: bool = False
    eyfs: dict[str, Any] | None = None


def record_note(pep: Pep, section: Section) -> RecordNote | None:
    if not applies(section):
        return None
    data = section.data or {}
    as_of = data.get(AS_OF)
    shown = shows_eyfs(pep, data)
    eyfs = (_eyfs(pep) if pep.is_open else data.get(EYFS_KEY)) if shown else None
    return RecordNote(is_open=pep.is_open, as_of=None if pep.is_open or not as_of else dt.date.fromisoformat(as_of),
                      url=_record_url(pep, ""), shows_eyfs=shown, eyfs=eyfs)


@dataclass(frozen=True)
class Reconciled:
    """What section_save stores from the record, and what it changed in the record (for
    the section's one audit event)."""

    values: dict[str, Any] = field(default_factory=dict)
    record_changes: dict[str, list[Any]] = field(default_factory=dict)


def reconcile(*, actor, pep: Pep, section: Section, data: dict[str, Any], names: set[str]) -> Reconciled:
    """Check section B (`data`, the cleaned data of its form, whose fields are `names`)
    against the record and write what it decides (no audit event of its own: the caller
    writes the changes in its event); raises ValidationError (errors per field) when it
    contradicts the record. Returns the values to store and the record's changes."""
    if not applies(section) or "sen_status" not in names:
        return Reconciled()
    cleaned = data
    figures = _figures(pep)
    errors: dict[str, str] = {}

    def differs(name: str, expected) -> bool:
        typed = cleaned.get(name)
        return name in names and typed not in (None, "") and typed != expected

    if figures.exclusions_recorded:
        counts = {"suspensions_count": figures.suspensions, "permanent_exclusions": figures.permanent_exclusions,
                  "suspension_days": int(figures.suspension_days.to_integral_value())}
        for name, expected in counts.items():
            if differs(name, expected):
                errors[name] = (f"The education record has {expected} for this academic year: change suspensions "
                                f"and exclusions in the education record")
    if figures.part_time_recorded and differs("part_time_timetable", figures.part_time):
        errors["part_time_timetable"] = ("The education record says the child is "
                                         f"{'' if figures.part_time else 'not '}on a part-time timetable: change "
                                         "it in the education record")
    sessions = {record_name: cleaned.get(name) for name, record_name in SESSION_FIELDS.items()
                if name in names}
    sessions_given = any(v not in (None, "") for v in sessions.values())
    if sessions_given and not sessions.get("sessions_possible"):
        errors["term_sessions_possible"] = "Enter the possible sessions this term"
    if not sessions_given and figures.attendance_percent is not None and differs(
            "attendance_percent", Decimal(str(figures.attendance_percent))):
        errors["attendance_percent"] = (f"The education record gives {figures.attendance_percent}% this academic "
                                        "year: attendance is worked out from sessions, so enter this term's "
                                        "sessions instead")
    attainment = {subject: cleaned[name] for name, subject in SUBJECTS.items()
                  if name in names and cleaned.get(name)}
    fixed = {subject.lower() for subject in SUBJECTS.values()}
    for rating, subject_field in OTHER_SUBJECTS.items():
        subject = str(cleaned.get(subject_field) or "").strip()
        if rating not in names or not subject or not cleaned.get(rating):
            continue
        if subject.lower() in fixed:
            errors[subject_field] = f"{subject} has its own question above: choose another subject"
        elif subject.lower() in {s.lower() for s in attainment}:
            errors[subject_field] = f"{subject} is already given: enter each subject once"
        else:
            attainment[subject] = cleaned[rating]
    if errors:
        raise ValidationError(errors)

    try:
        written = record_services.record_from_pep(
            actor=actor, child=pep.child, academic_year=pep.academic_year, term=pep.term,
            day=timezone.localdate(), school=pep.school, pep_id=pep.pk,
            sen_status=cleaned.get("sen_status") or None, attainment=attainment,
            attendance={k: int(v or 0) for k, v in sessions.items()} if sessions_given else None,
            audit=False,
        )
    except ValidationError as exc:
        # The record's own rules (sessions that do not add up), shown on section B's fields.
        field_of = {v: k for k, v in SESSION_FIELDS.items()}
        raise ValidationError({field_of.get(k, "term_sessions_possible"): v
                               for k, v in exc.message_dict.items()}) from exc
    return Reconciled(_values(_figures(pep), names, cleaned), written.changes)


# ---- the change since the last PEP ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    now: str
    direction: str  # "up", "down", "same", "new"


ATTAINMENT_ORDER = {"below": 0, "working_towards": 1, "at": 2, "above": 3}
ATTAINMENT_LABELS: dict[str | None, str] = {"below": "Below", "working_towards": "Working towards", "at": "At",
                                            "above": "Above"}


def changes_since_last(pep: Pep) -> list[Change] | None:
    """What moved between the previous PEP's term and this one's (None without a previous PEP)."""
    previous = pep.previous or (Pep.objects.filter(child_id=pep.child_id, created_at__lt=pep.created_at)
                                .exclude(pk=pep.pk).order_by("-created_at").first())
    if previous is None:
        return None
    now, before = _figures(pep), term_figures(pep.child, previous.academic_year, previous.term)
    rows: list[Change] = []
    if now.attendance_percent is not None or before.attendance_percent is not None:
        a, b = before.attendance_percent, now.attendance_percent
        direction = "new" if a is None or b is None else ("up" if b > a else "down" if b < a else "same")
        rows.append(Change("Attendance this academic year", f"{a}%" if a is not None else "Not recorded",
                           f"{b}%" if b is not None else "Not recorded", direction))
    for subject in sorted(set(now.termly) | set(before.termly)):
        was, is_now = before.termly.get(subject), now.termly.get(subject)
        if was == is_now:
            direction = "same"
        elif was is None or is_now is None:
            direction = "new"
        else:
            direction = "up" if ATTAINMENT_ORDER.get(is_now, 0) > ATTAINMENT_ORDER.get(was, 0) else "down"
        rows.append(Change(f"{subject} against age-related expectations", ATTAINMENT_LABELS.get(was, "Not recorded"),
                           ATTAINMENT_LABELS.get(is_now, "Not recorded"), direction))
    new_exclusions = _exclusions_between(pep, previous)
    rows.append(Change("Suspensions and exclusions since the last PEP", "",
                       f"{new_exclusions} new" if new_exclusions else "None", "new" if new_exclusions else "same"))
    if before.sen_status != now.sen_status:
        labels = dict(SenStatus.Status.choices)
        rows.append(Change("SEN status", labels.get(before.sen_status or "", "Not recorded"),
                           labels.get(now.sen_status or "", "Not recorded"), "new"))
    return rows


def _exclusions_between(pep: Pep, previous: Pep) -> int:
    from education.models import Exclusion

    since = previous.meeting_held_on or previous.created_at.date()
    until = pep.meeting_held_on or timezone.localdate()
    return Exclusion.objects.filter(child_id=pep.child_id, starts_on__gt=since, starts_on__lte=until).count()


