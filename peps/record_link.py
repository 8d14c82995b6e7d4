"""Section B and the child's education record (the education app, a floor below peps).

- `prefill(pep)`: what the record says for the PEP's term, as section B's values:
  attendance this academic year (worked out from sessions), suspensions and exclusions,
  part-time timetable, alternative provision, SEN status, latest termly attainment.
  Used when the PEP starts and every time section B's form is opened, so the form
  always shows the record as it is now.
- `reconcile(...)`: called by section_save with section B's cleaned data. What the record
  keeps as dated events (exclusions, part-time timetables) and sessions (attendance)
  cannot be contradicted from the PEP: a different figure is a GOV.UK error on the field
  pointing to the record. What the PEP does decide (the term's sessions, SEN status,
  termly attainment in English, maths and science) is written to the record through
  education.services.record_from_pep (its own audit event). Returns the values section
  B stores, worked out from the record, so the record and the PEP cannot disagree.
- `changes_since_last(pep)`: attendance, attainment and exclusions against the previous PEP.

Where the record holds nothing yet of a kind (a child with no exclusions recorded), the
figure typed into section B is kept in the PEP only: there is nothing to disagree with.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from education import services as record_services
from education.models import SenStatus
from education.selectors import TermFigures, term_figures

from .models import Pep, Section

SUBJECTS = record_services.TERMLY_SUBJECTS  # section B field -> subject in the record
SESSION_FIELDS = {
    "term_sessions_possible": "sessions_possible",
    "term_sessions_present": "sessions_present",
    "term_sessions_authorised": "sessions_authorised_absence",
    "term_sessions_unauthorised": "sessions_unauthorised_absence",
}


def _figures(pep: Pep) -> TermFigures:
    return term_figures(pep.child, pep.academic_year, pep.term, on=timezone.localdate())


def _values(figures: TermFigures, names: set[str]) -> dict[str, Any]:
    """Section B's values from the record, for the fields this PEP's section B has."""
    values: dict[str, Any] = {}
    if figures.attendance_percent is not None:
        values["attendance_percent"] = float(figures.attendance_percent)
    if figures.term_sessions:
        for field, record_name in SESSION_FIELDS.items():
            values[field] = figures.term_sessions[record_name]
    if figures.exclusions_recorded:
        values.update(suspensions_count=figures.suspensions, permanent_exclusions=figures.permanent_exclusions,
                      suspension_days=int(figures.suspension_days.to_integral_value()))
    if figures.part_time_recorded:
        values["part_time_timetable"] = figures.part_time
    if figures.alternative_provision:
        values["alternative_provision"] = figures.alternative_provision
    if figures.sen_status:
        values["sen_status"] = figures.sen_status
    for field, subject in SUBJECTS.items():
        if subject in figures.termly:
            values[field] = figures.termly[subject]
    return {k: v for k, v in values.items() if k in names}


def prefill(pep: Pep, form_class) -> dict[str, Any]:
    if not hasattr(form_class, "base_fields") or "sen_status" not in form_class.base_fields:
        return {}
    return _values(_figures(pep), set(form_class.base_fields))


def _record_url(pep: Pep, anchor: str) -> str:
    return reverse("education_record", args=[pep.child_id]) + anchor


def reconcile(*, actor, pep: Pep, section: Section, data: dict[str, Any], names: set[str]) -> dict[str, Any]:
    """Check section B (`data`, the cleaned data of its form, whose fields are `names`)
    against the record and write what it decides; raises ValidationError (errors per field)
    when it contradicts the record. Returns the values to store."""
    if section.letter != "B" or "sen_status" not in names:
        return {}
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
    sessions = {record_name: cleaned.get(field) for field, record_name in SESSION_FIELDS.items()
                if field in names}
    sessions_given = any(v not in (None, "") for v in sessions.values())
    if sessions_given and not sessions.get("sessions_possible"):
        errors["term_sessions_possible"] = "Enter the possible sessions this term"
    if not sessions_given and figures.attendance_percent is not None and differs(
            "attendance_percent", Decimal(str(figures.attendance_percent))):
        errors["attendance_percent"] = (f"The education record gives {figures.attendance_percent}% this academic "
                                        "year: attendance is worked out from sessions, so enter this term's "
                                        "sessions instead")
    if errors:
        raise ValidationError(errors)

    placement_school = pep.school
    try:
        record_services.record_from_pep(
            actor=actor, child=pep.child, academic_year=pep.academic_year, term=pep.term,
            day=timezone.localdate(), school=placement_school, pep_id=pep.pk,
            sen_status=cleaned.get("sen_status") or None,
            attainment={subject: cleaned[field] for field, subject in SUBJECTS.items()
                        if cleaned.get(field)},
            attendance={k: int(v or 0) for k, v in sessions.items()} if sessions_given else None,
        )
    except ValidationError as exc:
        # The record's own rules (sessions that do not add up), shown on section B's fields.
        field_of = {v: k for k, v in SESSION_FIELDS.items()}
        raise ValidationError({field_of.get(k, "term_sessions_possible"): v
                               for k, v in exc.message_dict.items()}) from exc
    return _values(_figures(pep), names)


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


