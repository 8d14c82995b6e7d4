"""The access-matrix vocabulary. Each app lists its URLs in tests/<app>/access_rows.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

OK = "ok"  # 200, or a redirect that is not to the login page
LOGIN = "login"  # a redirect to the login page
GONE = 410
FORBIDDEN = 403
NOT_FOUND = 404

STAFF_OF_CHILD = ("social_worker", "designated_teacher", "vs_officer")
FAMILY_OF_CHILD = ("carer", "young_person")
OUTSIDERS = ("outsider_social_worker", "outsider_designated_teacher", "outsider_carer",
             "outsider_young_person", "other_la_vs", "other_la_admin", "other_la_designated_teacher")
# A designated teacher another LA registered at the child's own school gets, unless a row says
# otherwise, exactly what a designated teacher at an unrelated school gets: the shared school
# gives them nothing (issue 12).
SHARED_SCHOOL_DT = "other_la_designated_teacher"
LIKE = {SHARED_SCHOOL_DT: "outsider_designated_teacher"}


@dataclass
class Row:
    """One URL pattern and what each persona gets from it.

    `expect` maps persona → outcome; `default` is for personas not named. `kwargs` builds
    the URL's arguments from the world (and may create objects the URL needs).
    """

    name: str
    expect: dict[str, object]
    default: object = NOT_FOUND
    kwargs: Callable[[object], dict] = field(default=lambda world: {})
    method: str = "get"
    data: Callable[[object], dict] | None = None
    anonymous: object = LOGIN

    def outcome(self, persona: str) -> object:
        if persona == "anonymous":
            return self.anonymous
        if persona in LIKE and persona not in self.expect:
            return self.outcome(LIKE[persona])
        return self.expect.get(persona, self.default)


def everyone(outcome, **overrides) -> dict[str, object]:
    from tests.conftest import PERSONAS

    result = {p: outcome for p in PERSONAS if p != "anonymous" and p not in LIKE}
    result.update(overrides)
    return result
