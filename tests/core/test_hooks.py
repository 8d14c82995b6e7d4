"""The one registry through which lower apps let higher ones take part (core.hooks)."""

from __future__ import annotations

import pytest

from accounts import hooks as accounts_hooks
from core import hooks
from core.audit import AFTER_WRITE, CHILD_LA
from core.calendar import LA_CALENDAR
from education import hooks as education_hooks
from peps import hooks as peps_hooks

NAME = "tests_core_example_hook"


@pytest.fixture(autouse=True)
def _clean_example_hook():
    with hooks.isolated(NAME):
        yield


def first(*args, **kwargs):
    return "first"


def second(*args, **kwargs):
    return "second"


def test_register_as_a_call_and_get_hooks_in_registration_order():
    assert hooks.get_hooks(NAME) == []
    assert hooks.register(NAME, first) is first
    hooks.register(NAME, second)
    assert hooks.get_hooks(NAME) == [first, second]


def test_register_as_a_decorator_returns_the_function():
    @hooks.register(NAME)
    def decorated():
        return "decorated"

    assert decorated() == "decorated"
    assert hooks.get_hooks(NAME) == [decorated]


def test_hooks_run_lowest_order_first_and_equal_orders_keep_registration_order():
    def third():
        return "third"

    hooks.register(NAME, third, order=20)
    hooks.register(NAME, second, order=10)
    hooks.register(NAME, first, order=10)
    assert hooks.get_hooks(NAME) == [second, first, third]


def test_registering_the_same_function_twice_keeps_one_registration():
    hooks.register(NAME, first)
    hooks.register(NAME, first)
    assert hooks.get_hooks(NAME) == [first]


def test_register_temporarily_registers_for_the_block_only():
    hooks.register(NAME, first)
    with hooks.register_temporarily(NAME, second) as fn:
        assert fn is second
        assert hooks.get_hooks(NAME) == [first, second]
    assert hooks.get_hooks(NAME) == [first]


def test_register_temporarily_unregisters_when_the_block_raises():
    with pytest.raises(RuntimeError), hooks.register_temporarily(NAME, second):
        raise RuntimeError("boom")
    assert hooks.get_hooks(NAME) == []


def test_isolated_empties_the_named_hooks_and_puts_them_back():
    other = "tests_core_other_hook"
    hooks.register(NAME, first)
    with hooks.isolated(other):
        hooks.register(other, second)
        with hooks.isolated(NAME):
            assert hooks.get_hooks(NAME) == []
            # Registered inside the block: gone afterwards.
            hooks.register(NAME, second)
            with hooks.register_temporarily(NAME, first):
                assert hooks.get_hooks(NAME) == [second, first]
        assert hooks.get_hooks(NAME) == [first]
        assert hooks.get_hooks(other) == [second]
    assert hooks.get_hooks(other) == []


def _names(hook_name: str) -> list[str]:
    return [f"{fn.__module__}.{fn.__qualname__}" for fn in hooks.get_hooks(hook_name)]


def test_the_apps_register_their_hooks_when_django_starts():
    # pytest-django has run django.setup(), so every AppConfig.ready() has registered.
    assert _names(peps_hooks.BEFORE_SUBMIT) == ["targets.checks.problems_before_submit",
                                                "meetings.checks.problems_before_submit"]
    assert _names(peps_hooks.AFTER_APPROVE) == ["quality.services.on_pep_approved"]
    assert _names(peps_hooks.CARRY_FORWARD) == ["targets.services.targets_carry_forward"]
    assert _names(peps_hooks.MY_PEP_NEXT_MEETING) == ["meetings.young_person.next_meeting_of"]
    assert _names(peps_hooks.MY_PEP_TARGETS) == ["targets.young_person.targets_for_young_person"]
    assert _names(accounts_hooks.PERSON_REGISTERED) == ["children.services.designated_teacher_registered"]
    assert sorted(_names(education_hooks.CHRONOLOGY_SOURCE)) == ["meetings.chronology.meeting_events",
                                                                 "peps.chronology.pep_events"]
    assert _names(AFTER_WRITE) == ["quality.warm.data_changed"]
    assert _names(LA_CALENDAR) == ["deadlines.selectors.calendar_for"]
    assert _names(CHILD_LA) == ["children.selectors.local_authority_id_of_child"]
    # Home panels and demo data run bottom floor first: later apps rely on earlier apps' data.
    floors = ["children", "peps", "meetings", "targets", "deadlines", "quality"]
    # data_protection's panel stays beside the children panels, where it was before its move.
    assert _names(accounts_hooks.HOME_PANELS) == [f"{app}.home.panels" for app in
                                                  ["children", "data_protection", *floors[1:]]]
    assert _names(accounts_hooks.DEMO_SEED) == [f"{app}.demo.seed" for app in
                                                ["children", "education", *floors[1:]]]
