"""The QA pre-check: the quality criteria a machine can judge, scored before submission.

A provisional rating for the team, so that fewer PEPs come back: it does not stop a PEP
being submitted and it is not the Virtual School's rating (quality.services is).
Each criterion is green (met), amber (partly, or worth a look) or red (missing); the
provisional rating is the worst of them. Criteria that do not apply (the child's voice in
an early-years PEP, a transition plan when none is due) are left out.

Reads the PEP's sections, its targets and PP+ requests (targets) and its meeting
(meetings): the same seams as quality.integrations. Five queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from peps import care_record
from peps.models import Pep

GREEN, AMBER, RED = "green", "amber", "red"
_ORDER = {GREEN: 0, AMBER: 1, RED: 2}
VOICE_FIELDS = ("going_well", "could_be_better", "hopes_and_dreams", "feel_safe")
# Year groups with a move between phases coming: nursery to Reception, Year 6 to 7, Year 11 to
# post-16 and Year 13 onwards.
TRANSITION_YEARS = frozenset({-1, 6, 11, 13})


@dataclass(frozen=True)
class Criterion:
    name: str
    rating: str
    detail: str


@dataclass(frozen=True)
class PreCheck:
    criteria: list[Criterion]

    @property
    def rating(self) -> str:
        return max((c.rating for c in self.criteria), key=_ORDER.__getitem__, default=GREEN)

    @property
    def counts(self) -> dict[str, int]:
        return {r: sum(1 for c in self.criteria if c.rating == r) for r in (GREEN, AMBER, RED)}


def _filled(value) -> bool:
    return value not in (None, "", [], False)


def pre_check(pep: Pep) -> PreCheck:
    from meetings.models import Meeting
    from targets.models import ACADEMIC_AREAS, Area, PpPlusRequest, Target

    # Section B reads the education record while the PEP is open (peps.record_link).
    sections = {s.letter: care_record.section_values(pep, s) if s.letter == "B" else s.data or {}
                for s in pep.sections.all()}
    b, c, e = sections.get("B", {}), sections.get("C"), sections.get("E", {})
    targets = list(Target.objects.filter(pep=pep).values_list("pk", "area"))
    areas = {area for _pk, area in targets}
    meeting = (Meeting.objects.filter(pep=pep).exclude(status=Meeting.Status.CANCELLED)
               .prefetch_related("invitees").first())
    criteria: list[Criterion] = []

    if c is not None:
        given = [f for f in VOICE_FIELDS if _filled(c.get(f))]
        rating = GREEN if len(given) == len(VOICE_FIELDS) else AMBER if given else RED
        criteria.append(Criterion("The child's voice is present", rating,
                                  f"{len(given)} of {len(VOICE_FIELDS)} of the child's main questions answered"))

    academic = areas & set(ACADEMIC_AREAS)
    criteria.append(Criterion("At least one academic target", GREEN if academic else RED,
                              f"{len(academic)} academic target area{'s' if len(academic) != 1 else ''}"
                              if academic else "No English, maths, science or other academic target"))

    attendance = b.get("attendance_percent")
    if attendance is None:
        criteria.append(Criterion("Attendance recorded and addressed", RED, "No attendance recorded in section B"))
    elif Decimal(str(attendance)) < Decimal("95"):
        addressed = Area.ATTENDANCE in areas
        criteria.append(Criterion("Attendance below 95% is addressed", GREEN if addressed else RED,
                                  f"{attendance:g}%: " + ("an attendance target is set" if addressed
                                                          else "no attendance target")))
    else:
        criteria.append(Criterion("Attendance recorded", GREEN, f"{attendance:g}%"))

    requests = list(PpPlusRequest.objects.filter(pep=pep).values_list("target_id", flat=True))
    if requests:
        tied = sum(1 for t in requests if t is not None)
        criteria.append(Criterion("Pupil Premium Plus is tied to targets",
                                  GREEN if tied == len(requests) else AMBER if tied else RED,
                                  f"{tied} of {len(requests)} requests linked to a target"))

    year_group = b.get("year_group")
    if pep.kind == Pep.Kind.TRANSITION or year_group in TRANSITION_YEARS:
        plan = str(b.get("transition_planning") or "").strip()
        rating = GREEN if plan and plan.lower().rstrip(".") not in ("none", "none due", "n/a") else RED
        criteria.append(Criterion("A transition plan (one is due)", rating,
                                  "Transition planning recorded" if rating == GREEN else "No transition plan"))

    attendees = bool(meeting and list(meeting.invitees.all())) or _filled(e.get("attendees"))
    next_date = bool(meeting and meeting.next_meeting_on) or _filled(e.get("next_meeting_date"))
    rating = GREEN if attendees and next_date else AMBER if attendees or next_date else RED
    missing = [what for what, ok in (("attendees", attendees), ("next meeting date", next_date)) if not ok]
    criteria.append(Criterion("Attendees and next meeting date recorded", rating,
                              "Both recorded" if not missing else "Missing: " + " and ".join(missing)))
    return PreCheck(criteria)
