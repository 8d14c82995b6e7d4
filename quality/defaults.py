"""The default QA framework (DOMAIN.md; Lancashire and St Helens frameworks), seeded per LA."""

from __future__ import annotations

DEFAULT_CRITERIA: list[tuple[str, str]] = [
    ("childs-voice", "The child's voice is present and shaped the plan"),
    ("previous-targets", "Previous targets are evaluated"),
    ("attainment", "Current attainment is recorded"),
    ("attendance", "Attendance is recorded, and addressed when below 95%"),
    ("smart-targets", "Targets are SMART, with at least one academic target"),
    ("pp-plus", "Pupil Premium Plus is costed and linked to targets"),
    ("transition", "There is a transition plan where one is due"),
    ("carer-input", "The carer's input is present"),
    ("attendees-next-meeting", "Attendees and the next meeting date are recorded"),
]
