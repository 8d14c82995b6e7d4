"""Demo PEPs: every status and phase, a history of approved PEPs, and one PEP mid-way.

Current PEPs are started and filled in through the services (so rollover and validation
are real). Past terms' approved PEPs and the submitted/returned statuses are written
directly, so that seeding sends no email and renders no PDF. Idempotent: nothing is done
for an LA that has PEPs already.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import School, User
from children.models import Child, Phase
from children.policies import relationship
from core.calendar import TermRef
from core.forms import show_rule_errors

from . import care_record, record_link
from . import sections as defs
from .models import Pep, Section, Term
from .policies import PROFESSIONAL_RELATIONSHIPS
from .services.config import section_config_defaults, section_config_for
from .services.sections import section_form, section_save
from .services.workflow import academic_year_for, pep_start, term_for


class AnswersInvalid(Exception):
    """The answers did not validate; `form` carries the errors."""

    def __init__(self, form: defs.SectionForm):
        super().__init__(f"section answers invalid: {form.errors.as_json()}")
        self.form = form


def save_answers(*, actor: User | None, section: Section, answers, version: int,
                 mark_complete: bool = False) -> Section:
    """Save `answers` (as a browser would post them) the way the section edit page does:
    the section's form validates them and section_save keeps its cleaned data; a rule only
    the service checks (section B against the education record) lands on the form too.
    For demo data, the load generator and tests. `actor=None` is the system."""
    rel = relationship(actor, section.pep.child) if actor is not None else None
    professional = actor is None or rel in PROFESSIONAL_RELATIONSHIPS
    form = section_form(pep=section.pep, section=section, data=answers, professional=professional,
                        mark_complete=mark_complete,
                        record_editable=care_record.can_edit_record(rel, section.pep.child))
    if form.is_valid():
        try:
            return section_save(actor=actor, section=section, data=form.cleaned_data, version=version,
                                mark_complete=mark_complete)
        except ValidationError as exc:
            show_rule_errors(form, exc)
    raise AnswersInvalid(form)


def sample_answers(phase: str, letter: str, *, year_group: int | None = None) -> dict[str, str]:
    """Answers (as a browser would post them) that complete a section of the given phase."""
    next_term = (timezone.localdate() + dt.timedelta(days=90)).strftime("%d/%m/%Y")
    if letter == "A":
        # Legal status, the date entered care, the school, carers and social worker come
        # from the child's record (peps.care_record), so they are not answers here.
        data = {
            "placement_type": "foster",
            "parental_responsibility": "The local authority shares parental responsibility with the mother.",
            "delegated_authority": "School trips, photographs and after-school clubs.",
            "health_summary": "Healthy. Annual health assessment up to date.",
            "other_agencies": "None",
        }
        if phase == Phase.SCHOOL_AGE:
            data["sdq_score"] = "14"
        return data
    if letter == "B":
        if phase == Phase.EARLY_YEARS:
            return {
                "school_name": "Little Acorns Nursery", "year_group": str(year_group if year_group is not None else -1),
                "funded_hours": "15", "attendance_percent": "93.5", "eypp_received": "yes",
                "eypp_use": "Speech and language sessions in small groups.", "sen_status": "none",
                **{area: "working_towards" for area, _label in defs.DEVELOPMENT_MATTERS_AREAS},
                "development_notes": "Enjoys stories; needs support to share and take turns.",
                "semh": "Settles well with a familiar adult.", "transition_planning": "Starts Reception in September.",
            }
        if phase == Phase.POST_16:
            return {
                "eet_status": "education", "school_name": "Little Acorns Sixth Form College",
                "year_group": str(year_group if year_group is not None else 12), "course": "A levels",
                "course_level": "Level 3", "attendance_percent": "97", "sen_status": "none",
                "progress_notes": "On track for predicted grades.", "semh": "Settled.",
                "transition_planning": "Applying to university for next year.",
                "pathway_plan_link": "https://social-care.demo.test/pathway-plans/123",
            }
        yg = year_group if year_group is not None else 9
        data = {
            "school_name": "Oakfield Academy", "year_group": str(yg), "attendance_percent": "92.4",
            "suspensions_count": "1", "suspension_days": "2", "permanent_exclusions": "0",
            "exclusion_details": "One suspension after a fight; a mentor now meets them weekly.",
            "part_time_timetable": "no", "sen_status": "sen_support",
            "sen_details": "Dyslexia: reading support three times a week.",
            "attainment_english": "working_towards", "attainment_maths": "at", "attainment_science": "at",
            "other_subject_1": "Art", "attainment_other_1": "above",
            "progress_notes": "Good progress in maths; reading age improving.",
            "semh": "Anxious at transitions; uses the quiet room at lunch.",
            "transition_planning": "None due",
        }
        if yg in (10, 11):
            data["ks4_plan"] = "GCSEs this year, then a Level 3 course in engineering at college."
        return data
    if letter == "C":
        return {
            "feel_safe": "mostly", "going_well": "I like art and my friends.",
            "could_be_better": "Maths is hard sometimes.", "hopes_and_dreams": "I want to be a vet.",
            "arts_and_sports": "Football club and drama.", "helps_me_learn": "Sitting near the front.",
        }
    if letter == "D":
        return {
            "homework_and_equipment": "Homework is usually done on time; we check the bag each evening.",
            "reading_at_home": "We read together three nights a week.",
            "interests_to_develop": "Football and drawing.", "concerns": "",
        }
    return {
        "attendees": "Designated teacher\nSocial worker\nCarer\nVirtual School officer",
        "going_well": "Settled in class and making friends.", "difficulties": "Attendance dipped last half term.",
        "support_in_place": "Weekly mentoring and reading support.",
        "pp_plus_impact": "Tutoring improved the reading age by a year.",
        "actions": "School to share the reading plan with the carer by half term.",
        "next_meeting_date": next_term, "dt_summary": "A good term; the focus now is attendance.",
        "dt_sign_off": "on",
    }


def _academic_term_back(year: str, term: str, steps: int) -> tuple[str, str]:
    back = TermRef.of(year, term).shifted(-steps)
    return back.academic_year, Term(back.term)


def _editor_for(section: Section, child: Child, people: list[User]) -> User | None:
    for person in people:
        if relationship(person, child) in section.editor_roles:
            return person
    return None  # the system, when no demo login edits this section for this child


def _from_record(pep: Pep, answers: dict[str, str]) -> dict[str, str]:
    """Section B's sample answers with what the child's education record says, as posted."""
    for name, value in record_link.prefill(pep, defs.form_class_for(pep.phase, "B")).items():
        answers[name] = ("yes" if value else "no") if isinstance(value, bool) else f"{value}"
    if answers.get("sen_status") in ("sen_support", "ehcp"):
        answers.setdefault("sen_details", "Speech and language support twice a week; see the EHCP where there is one.")
    if answers.get("part_time_timetable") == "yes":
        answers.setdefault("part_time_details", "15 hours a week; building up to full time by half term.")
    return answers


def _fill(pep: Pep, letters: str, people: list[User], year_group: int | None) -> None:
    for section in pep.sections.filter(letter__in=list(letters)):
        actor = _editor_for(section, pep.child, people)
        answers = sample_answers(pep.phase, section.letter, year_group=year_group)
        if section.letter == "B":
            answers = _from_record(pep, answers)
        save_answers(actor=actor, section=section, answers=answers, version=section.version, mark_complete=True)


def _approved_history(child: Child, phase: str, year: str, term: str, count: int, people, year_group) -> None:
    """Past terms' approved PEPs, oldest first."""
    previous = None
    for steps in range(count, 0, -1):
        past_year, past_term = _academic_term_back(year, term, steps)
        created = timezone.now() - dt.timedelta(days=120 * steps)
        placement = child.placements.filter(ended_on__isnull=True).first()
        if placement is None:
            raise ValueError(f"The demo child {child.la_reference} has no school")
        pep = Pep.objects.create(
            child=child, kind=Pep.Kind.TERMLY, phase=phase, academic_year=past_year, term=past_term,
            status=Pep.Status.DRAFT, previous=previous, created_at=created,
            school=placement.school,
        )
        configs = [c for c in section_config_for(la=child.local_authority, phase=phase) if c.enabled]
        Section.objects.bulk_create(Section(pep=pep, letter=c.letter, title=c.title, editor_roles=c.editor_roles)
                                    for c in configs)
        _fill(pep, "ABCDE", people, year_group)
        care_record.snapshot(pep)  # as pep_submit does: what the records said, kept
        record_link.snapshot(pep)
        Pep.objects.filter(pk=pep.pk).update(
            status=Pep.Status.APPROVED, meeting_held_on=created.date() + dt.timedelta(days=30),
            submitted_at=created + dt.timedelta(days=31), approved_at=created + dt.timedelta(days=40),
        )
        previous = pep


def seed(la, schools: list[School], people: dict[str, User]) -> None:
    if Pep.objects.filter(child__local_authority=la).exists():
        return
    section_config_defaults(la=la)
    team = [people[e] for e in ("sw@demo.test", "dt@demo.test", "yp@demo.test", "carer@demo.test",
                                "carer2@demo.test", "vs@demo.test")]
    sw, vs = people["sw@demo.test"], people["vs@demo.test"]
    today = timezone.localdate()
    year, term = academic_year_for(today), term_for(today)
    # Children new to care are left without a PEP: their initial PEP is still due.
    recent = today - dt.timedelta(days=30)
    children = list(Child.objects.filter(local_authority=la).exclude(care_episodes__entered_care_on__gt=recent)
                    .order_by("la_reference"))
    by_phase: dict[str, list[tuple[Child, int]]] = {p: [] for p in Phase.values}
    for child in children:
        placement = child.placements.filter(ended_on__isnull=True).first()
        if placement is not None and placement.phase is not None:
            by_phase[placement.phase].append((child, placement.year_group))
    yp_child = next((c for c in children if relationship(people["yp@demo.test"], c)), None)

    def start(child, kind=Pep.Kind.TERMLY):
        return pep_start(actor=sw, child=child, kind=kind)

    plans = []  # (child, year_group, phase, status, letters complete, history count)
    school_age = [(c, yg) for c, yg in by_phase[Phase.SCHOOL_AGE] if c != yp_child]
    statuses = [Pep.Status.DRAFT, Pep.Status.SUBMITTED, Pep.Status.RETURNED, Pep.Status.APPROVED]
    for phase in Phase.values:
        pool = [(c, yg) for c, yg in by_phase[phase] if c != yp_child]
        if phase == Phase.SCHOOL_AGE:
            pool = school_age
        for (child, yg), status in zip(pool, statuses, strict=False):
            letters = "A" if status == Pep.Status.DRAFT else "ABCDE"
            plans.append((child, yg, phase, status, letters, 2 if status == Pep.Status.APPROVED else 1))
    if yp_child is not None:
        yp_placement = yp_child.placements.filter(ended_on__isnull=True).first()
        if yp_placement is None:
            raise ValueError("The demo young person has no school")
        yg = yp_placement.year_group
        # The PEP mid-way: A and B complete, C (the young person's) empty.
        plans.append((yp_child, yg, Phase.SCHOOL_AGE, Pep.Status.DRAFT, "AB", 2))

    for child, yg, phase, status, letters, history in plans:
        _approved_history(child, phase, year, term, history, team, yg)
        pep = start(child)
        _fill(pep, letters, team, yg)
        if status == Pep.Status.DRAFT:
            continue
        care_record.snapshot(pep)  # as pep_submit does: what the records said, kept
        record_link.snapshot(pep)
        meeting = today - dt.timedelta(days=7)
        if status == Pep.Status.SUBMITTED:
            Pep.objects.filter(pk=pep.pk).update(status=status, meeting_held_on=meeting, submitted_at=timezone.now())
        elif status == Pep.Status.RETURNED:
            Pep.objects.filter(pk=pep.pk).update(
                status=status, meeting_held_on=meeting, submitted_at=timezone.now(),
                returned_reason="The targets are not SMART: say how progress will be measured and by when.",
            )
        else:
            Pep.objects.filter(pk=pep.pk).update(status=status, meeting_held_on=meeting,
                                                 submitted_at=timezone.now(), approved_at=timezone.now())
    assert vs  # the Virtual School officer is on every demo child's team (children.demo)
