""""My PEP": the young person's own view of their plan, in plain words.

A read: what they told us (section C) and who will read it, their targets and who helps,
the next meeting, and "You said, we did". Nothing professional: no legal status, UPN,
safeguarding, quality assurance or staff notes are read here at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from children.models import Child
from children.selectors import team_of
from core import hooks
from core.roles import Role

from .hooks import MY_PEP_NEXT_MEETING, MY_PEP_TARGETS
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
# The answers in section C that ask for something, and how the page names them. A target
# records which of them it answers by this key (targets.Target.answers_ask), with the words
# the young person used at the time.
ASKS = (("could_be_better", "What could be better"), ("helps_me_learn", "What helps you learn"),
        ("hopes_and_dreams", "Your hopes and dreams"))
NOTHING_PLANNED = ("We have not planned anything for this yet. Your designated teacher will talk to you "
                   "about it.")


@dataclass
class MyTarget:
    what: str
    help: str
    by_when: object
    answers: str = ""  # the key of the ask (ASKS) this target answers, if any
    # Carried forward from the last plan, where it answered these words of theirs (and it
    # answers nothing they said in this plan).
    last_time_said: str = ""


@dataclass
class YouSaid:
    label: str
    said: str
    we_will: list[MyTarget]


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
    you_said: list[YouSaid]
    last_time: list[MyTarget]
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
    """The young person's next meeting (the meetings app answers, peps.hooks.MY_PEP_NEXT_MEETING)."""
    for next_meeting in hooks.get_hooks(MY_PEP_NEXT_MEETING):
        meeting = next_meeting(child)
        if meeting is not None:
            return meeting
    return None


def asks_of(pep: Pep) -> list[tuple[str, str, str]]:
    """What the young person asked for in this PEP's section C: (key, label, their words)."""
    section_c = pep.sections.filter(letter="C").first()
    data = (section_c.data or {}) if section_c else {}
    return [(name, label, str(data[name]).strip()) for name, label in ASKS if str(data.get(name) or "").strip()]


def my_pep(pep: Pep, *, can_edit_views: bool) -> MyPep:
    child = pep.child
    section_c = pep.sections.filter(letter="C").first()
    data = (section_c.data or {}) if section_c else {}
    form_class = form_class_for(pep.phase, "C")
    views = [(str(row["label"]), row["value"]) for row in form_class.display_rows(data, professional=False)
             if row["value"] not in ("", None, "Not recorded")]
    # The targets app answers (peps.hooks.MY_PEP_TARGETS).
    targets = [target for targets_of in hooks.get_hooks(MY_PEP_TARGETS) for target in targets_of(pep)]
    section_e = pep.sections.filter(letter="E").first()
    actions = ((section_e.data or {}).get("actions") or "").strip() if section_e else ""
    # "You said, we did" through the stored link: each ask with the targets that answer it.
    you_said = [YouSaid(label=label, said=str(data[name]).strip(),
                        we_will=[t for t in targets if t.answers == name])
                for name, label in ASKS if str(data.get(name) or "").strip()]
    # Carried forward from the last plan with what they said then: "Last time you said".
    last_time = [t for t in targets if t.last_time_said]
    # Once each: a target carried forward and set again reads as one thing done. Targets that
    # answer an ask (now or last time) are shown with it, so "what else" is the rest.
    we_did = list(dict.fromkeys([t.what for t in targets if not t.answers and not t.last_time_said]
                                + ([actions] if actions else [])))
    return MyPep(pep=pep, views=views, readers=readers_of(child), targets=targets,
                 meeting=next_meeting_of(child), you_said=you_said, last_time=last_time, we_did=we_did,
                 views_editable=can_edit_views)


def peps_of_young_person(user) -> list[Pep]:
    """The young person's own PEPs, newest first (they are the child of their team link)."""
    if user.role != Role.YOUNG_PERSON:
        return []
    return list(Pep.objects.filter(child__team__user=user, child__team__role=Role.YOUNG_PERSON,
                                   child__team__ends_on__isnull=True)
                .select_related("child").order_by("-created_at")[:5])
