""""My PEP": the young person's own view of their plan, in plain words.

A read: what they told us (section C) and who will read it, their targets and who helps,
the next meeting, and "You said, we did". Nothing professional: no legal status, UPN,
safeguarding, quality assurance or staff notes are read here at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from accounts.models import Role
from children.models import Child
from children.selectors import team_of
from core.text import lower_first

from .models import Pep
from .sections import form_class_for

# Who reads a PEP, by role, in the young person's words.
_READER = {
    "Designated teacher": "your designated teacher",
    "Social worker": "your social worker",
    "Carer": "your carer",
    "Independent reviewing officer": "your independent reviewing officer",
    "Post-16 personal adviser": "your personal adviser",
}
# The answers in section C that ask for something, and how the page names them.
_ASKS = (("could_be_better", "What could be better"), ("helps_me_learn", "What helps you learn"),
         ("hopes_and_dreams", "Your hopes and dreams"))


@dataclass
class MyTarget:
    what: str
    help: str
    by_when: object


@dataclass
class MyMeeting:
    when: object
    where: str
    who: list[str] = field(default_factory=list)


@dataclass
class MyPep:
    pep: Pep
    views: list[tuple[str, str]]
    readers: str
    targets: list[MyTarget]
    meeting: MyMeeting | None
    you_said: list[tuple[str, str]]
    we_did: list[str]
    views_editable: bool


def _joined(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def readers_of(child: Child) -> str:
    """Who will read the young person's views, named by role (never the young person)."""
    present = {str(member["role"]) for member in team_of(child)}
    # In a fixed order (the school first), once each.
    roles = [reader for role, reader in _READER.items() if role in present]
    roles.append("the Virtual School team")
    return _joined(roles)


def next_meeting_of(child: Child) -> MyMeeting | None:
    from meetings.models import Meeting

    meeting = (Meeting.objects.filter(pep__child=child, status=Meeting.Status.SCHEDULED,
                                      starts_at__gte=timezone.now())
               .prefetch_related("invitees").order_by("starts_at").first())
    if meeting is None:
        return None
    where = {"in_school": "At school", "online": "Online", "other": "Somewhere else"}.get(meeting.format, "")
    if meeting.location and meeting.format != "online":
        where = f"{where}: {meeting.location}"
    who = [f"{i.name} ({lower_first(i.role)})" for i in meeting.invitees.all()
           if i.role.lower() not in ("young person", "child", "the young person")]
    return MyMeeting(when=timezone.localtime(meeting.starts_at), where=where, who=who)


def my_pep(pep: Pep, *, can_edit_views: bool) -> MyPep:
    from targets.models import Target

    child = pep.child
    section_c = pep.sections.filter(letter="C").first()
    data = (section_c.data or {}) if section_c else {}
    form_class = form_class_for(pep.phase, "C")
    views = [(str(row["label"]), row["value"]) for row in form_class.display_rows(data, professional=False)
             if row["value"] not in ("", None, "Not recorded")]
    targets = []
    for target in Target.objects.filter(pep=pep).order_by("created_at", "pk"):
        helper = f" ({target.strategy_who})" if target.strategy_who else ""
        targets.append(MyTarget(what=target.what, help=f"{target.strategy_what.strip()}{helper}".strip(),
                                by_when=target.by_when))
    section_e = pep.sections.filter(letter="E").first()
    actions = ((section_e.data or {}).get("actions") or "").strip() if section_e else ""
    you_said = [(label, str(data[name]).strip()) for name, label in _ASKS if str(data.get(name) or "").strip()]
    # Once each: a target carried forward and set again reads as one thing done.
    we_did = list(dict.fromkeys([t.what for t in targets] + ([actions] if actions else [])))
    return MyPep(pep=pep, views=views, readers=readers_of(child), targets=targets,
                 meeting=next_meeting_of(child), you_said=you_said, we_did=we_did,
                 views_editable=can_edit_views)


def peps_of_young_person(user) -> list[Pep]:
    """The young person's own PEPs, newest first (they are the child of their team link)."""
    if user.role != Role.YOUNG_PERSON:
        return []
    return list(Pep.objects.filter(child__team__user=user, child__team__role="young_person",
                                   child__team__ends_on__isnull=True)
                .select_related("child").order_by("-created_at")[:5])
