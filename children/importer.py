"""Reading and checking a children CSV file before anything is written.

`check_file` reads the whole file, looks up every school, person and existing child it
names in a handful of queries (not one per row), and returns either the problems, each
with its line number, or a plan for every row. `children.services.children_import` does
the writing, and only when there are no problems at all.

What each column means on import (a blank optional cell leaves what is stored alone):

- child_ref: the LA's reference; a child already recorded with it is updated, otherwise
  a new child is added. It may appear only once in a file.
- first_name, last_name, date_of_birth, entered_care_on: required.
- gender, upn: optional.
- school_urn, school_started_on, year_group: together, or all blank (no change). A URN
  other than the current school's ends the current placement the day before
  school_started_on and starts a new one; the same URN with another year group corrects
  the year group.
- social_worker_email: the child's social worker; anyone else linked as social worker is
  unlinked.
- designated_teacher_email: checked only (a designated teacher of that school):
  designated teachers see the children placed at their school and are never linked.
- carer_emails: the child's carers, separated by ";"; carers linked but not listed are
  unlinked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from core.roles import Role

from .models import YEAR_GROUP_CHOICES, CareEpisode, Child, SchoolPlacement, TeamMembership
from .policies import team_link_problem

COLUMNS = [
    "child_ref", "first_name", "last_name", "date_of_birth", "gender", "upn", "entered_care_on",
    "school_urn", "school_started_on", "year_group", "social_worker_email", "designated_teacher_email",
    "carer_emails",
]
MAX_ROWS = 20_000
# Keeps each IN (...) list well under SQLite's limit on query parameters.
CHUNK = 900
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

_GENDERS = {
    **{value: value for value in Child.Gender.values},
    **{label.lower(): value for value, label in Child.Gender.choices},
    "f": Child.Gender.FEMALE, "m": Child.Gender.MALE, "girl": Child.Gender.FEMALE, "boy": Child.Gender.MALE,
    "not known": Child.Gender.NOT_KNOWN, "unknown": Child.Gender.NOT_KNOWN,
}
_YEAR_GROUPS = {
    **{str(value): value for value, _label in YEAR_GROUP_CHOICES},
    **{label.lower(): value for value, label in YEAR_GROUP_CHOICES},
    "r": 0, "reception": 0, "n": -1, "nursery": -1, "n1": -2, "n2": -1,
    **{f"y{n}": n for n in range(1, 14)},
}


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    children_created: int = 0
    children_updated: int = 0
    episodes_started: int = 0
    episodes_corrected: int = 0
    placements_started: int = 0
    placements_updated: int = 0
    links_made: int = 0
    links_ended: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in (
            "rows", "children_created", "children_updated", "episodes_started", "episodes_corrected",
            "placements_started", "placements_updated", "links_made", "links_ended")}

    @property
    def changed(self) -> bool:
        return any(v for k, v in self.counts.items() if k != "rows")

    @property
    def children_unchanged(self) -> int:
        return self.rows - self.children_created - self.children_updated


@dataclass
class Existing:
    """What is already stored about a child named in the file."""

    child: Child
    episodes: list[CareEpisode]
    placement: SchoolPlacement | None
    links: list[TeamMembership]  # active social worker and carer links


@dataclass
class RowPlan:
    line: int
    child_ref: str
    fields: dict  # first_name, last_name, date_of_birth, and gender/upn when given
    entered_care_on: dt.date
    school: School | None
    school_started_on: dt.date | None
    year_group: int | None
    social_worker: User | None
    carers: list[User]
    existing: Existing | None = None


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _read(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The file must be a CSV file saved as UTF-8") from exc
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue  # blank lines, and lines of commas only, are not children
            if len(cells) > len(header):
                rows.append((reader.line_num, {"__too_many__": "1"}))
                continue
            rows.append((reader.line_num, {h: (cells[i].strip() if i < len(cells) else "")
                                           for i, h in enumerate(header)}))
    except csv.Error as exc:
        raise ValueError(f"The file could not be read as CSV: {exc}") from exc
    return header, rows


def _date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class _Row:
    """One row being checked: collects its problems."""

    def __init__(self, line: int, cells: dict[str, str], errors: list[RowError]):
        self.line, self.cells, self.errors = line, cells, errors
        self.bad = False

    def problem(self, message: str) -> None:
        self.bad = True
        self.errors.append(RowError(self.line, message))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.cells.get(column, "")
        if required and not value:
            self.problem(f"{column} is empty")
        return value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        parsed = _date(value)
        if parsed is None:
            self.problem(f"{column} '{value}' is not a real date (use YYYY-MM-DD or DD/MM/YYYY)")
        return parsed


def _emails(value: str) -> list[str]:
    seen: list[str] = []
    for part in value.replace(",", ";").split(";"):
        email = part.strip().lower()
        if email and email not in seen:
            seen.append(email)
    return seen


def _load_existing(la: LocalAuthority, refs: list[str]) -> dict[str, Existing]:
    """Existing children named in the file, with episodes, current placement and links: 4 queries a chunk."""
    found: dict[str, Existing] = {}
    for refs_chunk in _chunks(refs):
        children = {c.pk: c for c in Child.objects.filter(local_authority=la, la_reference__in=refs_chunk)}
        if not children:
            continue
        by_child = {pk: Existing(child=c, episodes=[], placement=None, links=[]) for pk, c in children.items()}
        for episode in CareEpisode.objects.filter(child_id__in=children).order_by("entered_care_on"):
            by_child[episode.child_id].episodes.append(episode)
        for placement in SchoolPlacement.objects.filter(child_id__in=children, ended_on__isnull=True):
            by_child[placement.child_id].placement = placement
        for link in TeamMembership.objects.filter(
            child_id__in=children, ends_on__isnull=True, role__in=[Role.SOCIAL_WORKER, Role.CARER]
        ).select_related("user"):
            by_child[link.child_id].links.append(link)
        for existing in by_child.values():
            existing.child.local_authority = la
            found[existing.child.la_reference] = existing
    return found


def check_file(*, la: LocalAuthority, data: bytes) -> tuple[ImportResult, list[RowPlan]]:
    """Every problem in the file, or a plan for every row when there are none."""
    result = ImportResult()
    try:
        header, rows = _read(data)
    except ValueError as exc:
        result.errors.append(RowError(1, str(exc)))
        return result, []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(RowError(1, "The header row is missing the column" + ("s " if len(missing) > 1 else " ")
                                      + ", ".join(missing)))
        return result, []
    if not rows:
        result.errors.append(RowError(1, "The file has no children in it"))
        return result, []
    if len(rows) > MAX_ROWS:
        result.errors.append(RowError(1, f"The file has {len(rows):,} rows: split it into files of at most "
                                         f"{MAX_ROWS:,}"))
        return result, []
    result.rows = len(rows)
    today = timezone.localdate()

    # Everything the file names, fetched once.
    refs = [cells.get("child_ref", "") for _line, cells in rows if cells.get("child_ref")]
    existing = _load_existing(la, sorted(set(refs)))
    urns = {cells.get("school_urn", "") for _line, cells in rows} - {""}
    schools = {s.urn: s for s in School.objects.filter(urn__in=urns)}
    emails: set[str] = set()
    for _line, cells in rows:
        emails.update(_emails(cells.get("social_worker_email", "")))
        emails.update(_emails(cells.get("designated_teacher_email", "")))
        emails.update(_emails(cells.get("carer_emails", "")))
    users: dict[str, User] = {}
    for chunk in _chunks(sorted(emails)):
        users.update({u.email.lower(): u for u in User.objects.filter(email__in=chunk)})

    first_line: dict[str, int] = {}
    plans: list[RowPlan] = []
    for line, cells in rows:
        row = _Row(line, cells, result.errors)
        if "__too_many__" in cells:
            row.problem("The row has more cells than the header row has columns")
            continue
        plan = _check_row(row, la=la, today=today, existing=existing, schools=schools, users=users)
        ref = cells.get("child_ref", "")
        if ref:
            if ref in first_line:
                row.problem(f"child_ref {ref} is already on line {first_line[ref]}")
            else:
                first_line[ref] = line
        if not row.bad and plan is not None:
            plans.append(plan)
    if result.errors:
        return result, []
    return result, plans


def _user(row: _Row, column: str, email: str, users: dict[str, User]) -> User | None:
    user = users.get(email)
    if user is None:
        row.problem(f"{column}: no one with a login has the email address {email}")
    return user


def _check_row(row: _Row, *, la: LocalAuthority, today: dt.date, existing: dict[str, Existing],
               schools: dict[str, School], users: dict[str, User]) -> RowPlan | None:
    child_ref = row.text("child_ref", required=True)
    first_name = row.text("first_name", required=True)
    last_name = row.text("last_name", required=True)
    date_of_birth = row.date("date_of_birth", required=True)
    if date_of_birth and date_of_birth > today:
        row.problem("date_of_birth is in the future")
    fields: dict = {"first_name": first_name, "last_name": last_name, "date_of_birth": date_of_birth}

    gender_text = row.text("gender")
    if gender_text:
        gender = _GENDERS.get(gender_text.lower())
        if gender is None:
            row.problem(f"gender '{gender_text}' is not one of: female, male, other, not known")
        else:
            fields["gender"] = gender
    upn = row.text("upn").upper().replace(" ", "")
    if upn:
        fields["upn"] = upn

    # Field lengths and the UPN's format, checked by the model's own validators (no queries).
    if child_ref and first_name and last_name and date_of_birth:
        try:
            Child(local_authority=la, la_reference=child_ref, **fields).clean_fields(exclude=["local_authority"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = {"la_reference": "child_ref"}.get(name, name)
                for message in messages:
                    row.problem(f"{column}: {message}")

    entered_care_on = row.date("entered_care_on", required=True)
    if entered_care_on and entered_care_on > today:
        row.problem("entered_care_on is in the future")
    if entered_care_on and date_of_birth and entered_care_on < date_of_birth:
        row.problem("entered_care_on is before date_of_birth")

    # School placement: all three columns or none.
    urn = row.text("school_urn")
    started_text, year_text = row.text("school_started_on"), row.text("year_group")
    school = None
    school_started_on = None
    year_group = None
    if urn or started_text or year_text:
        if not urn:
            row.problem("school_urn is empty but school_started_on or year_group is given")
        else:
            school = schools.get(urn)
            if school is None:
                row.problem(f"school_urn: no school has the URN {urn}")
        school_started_on = row.date("school_started_on", required=True)
        if not year_text:
            row.problem("year_group is empty")
        else:
            year_group = _YEAR_GROUPS.get(" ".join(year_text.lower().split()))
            if year_group is None:
                row.problem(f"year_group '{year_text}' is not a year group (use -2 to 13, R for Reception)")

    # People.
    social_worker = None
    sw_emails = _emails(row.text("social_worker_email"))
    if len(sw_emails) > 1:
        row.problem("social_worker_email has more than one email address")
    elif sw_emails:
        social_worker = _user(row, "social_worker_email", sw_emails[0], users)
        if social_worker is not None:
            problem = team_link_problem(la=la, user=social_worker, role=Role.SOCIAL_WORKER)
            if problem:
                row.problem(f"social_worker_email: {problem}")
    dt_emails = _emails(row.text("designated_teacher_email"))
    if len(dt_emails) > 1:
        row.problem("designated_teacher_email has more than one email address")
    elif dt_emails:
        teacher = _user(row, "designated_teacher_email", dt_emails[0], users)
        if teacher is not None:
            if teacher.role != Role.DESIGNATED_TEACHER:
                row.problem(f"designated_teacher_email: {teacher.email} has the role {teacher.get_role_display()}, "
                            f"not designated teacher")
            elif not urn:
                row.problem("designated_teacher_email is given but school_urn is empty")
            elif school is not None and teacher.school_id != school.pk:
                row.problem(f"designated_teacher_email: {teacher.email} is not a designated teacher at "
                            f"{school.name}")
            elif not teacher.is_active:
                row.problem(f"designated_teacher_email: {teacher.email}'s login is switched off")
    carers = []
    for email in _emails(row.text("carer_emails")):
        carer = _user(row, "carer_emails", email, users)
        if carer is not None:
            problem = team_link_problem(la=la, user=carer, role=Role.CARER)
            if problem:
                row.problem(f"carer_emails: {problem}")
            else:
                carers.append(carer)

    if row.bad or entered_care_on is None:  # A required date missing is a problem of the row.
        return None
    plan = RowPlan(line=row.line, child_ref=child_ref, fields=fields, entered_care_on=entered_care_on,
                   school=school, school_started_on=school_started_on, year_group=year_group,
                   social_worker=social_worker, carers=carers, existing=existing.get(child_ref))
    if plan.existing is not None:
        _check_against_stored(row, plan)
    return None if row.bad else plan


def _check_against_stored(row: _Row, plan: RowPlan) -> None:
    """The file against what is stored: dates must not go backwards."""
    stored = plan.existing
    assert stored is not None
    current = stored.placement
    if plan.school is not None and (current is None or current.school_id != plan.school.pk):
        if current is not None and plan.school_started_on and plan.school_started_on <= current.started_on:
            row.problem(f"school_started_on must be after the current placement started "
                        f"({current.started_on:%-d %B %Y}), because the school has changed")
    if not any(e.entered_care_on == plan.entered_care_on for e in stored.episodes):
        closed = [e.left_care_on for e in stored.episodes if e.left_care_on is not None]
        if closed and plan.entered_care_on <= max(closed):
            row.problem(f"entered_care_on must be after they last left care ({max(closed):%-d %B %Y})")
