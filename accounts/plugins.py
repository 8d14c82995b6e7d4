"""The few places where apps extend each other: home-page panels, demo data, and what
follows a person's registration.

Each app may provide `<app>.home.panels(user) -> list[dict]` (each dict names a
`template` and carries its data) and `<app>.demo.seed(la, schools, people)`. They are
called in the order below, so later apps can rely on earlier apps' demo data.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType

# data_protection's one panel (records past their retention date, for LA admins) stays
# beside the children panels, where it was when it lived in children/.
APPS_IN_ORDER = ["children", "data_protection", "education", "peps", "meetings", "targets", "deadlines", "quality"]


def _optional(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name or (exc.name and module_name.startswith(exc.name + ".")):
            return None
        raise


def home_panels(user) -> list[dict]:
    panels: list[dict] = []
    for app in APPS_IN_ORDER:
        module = _optional(f"{app}.home")
        if module is not None and hasattr(module, "panels"):
            panels.extend(module.panels(user))
    return panels


def seed_demo(la, schools, people) -> None:
    for app in APPS_IN_ORDER:
        module = _optional(f"{app}.demo")
        if module is not None and hasattr(module, "seed"):
            module.seed(la, schools, people)


# Called inside the registering transaction of every new person (people page, bulk CSV,
# approved login request): children links a designated teacher to the children of the LA
# that registered them placed at their school. Register in AppConfig.ready().
_PERSON_REGISTERED: list[Callable[..., object]] = []


def on_person_registered(hook: Callable[..., object]) -> None:
    if hook not in _PERSON_REGISTERED:
        _PERSON_REGISTERED.append(hook)


def person_registered(*, actor, user) -> dict:
    """Run the hooks; what they changed (a dict of audit changes each), for the registration's
    one audit event."""
    changes: dict = {}
    for hook in _PERSON_REGISTERED:
        changes.update(hook(actor=actor, user=user) or {})
    return changes
