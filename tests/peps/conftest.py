from __future__ import annotations

import pytest

from core import hooks
from peps import hooks as peps_hooks
from peps.models import Pep
from tests.peps.factories import start_pep


@pytest.fixture(autouse=True)
def without_other_apps_hooks():
    """These tests are about the PEP workflow itself: the targets, meetings and QA apps'
    hooks (extra submit checks, carry-forward, the PDF on approval) are tested by those
    apps, and by the tests below that register a fake in their place."""
    with hooks.isolated(peps_hooks.BEFORE_SUBMIT, peps_hooks.AFTER_APPROVE, peps_hooks.CARRY_FORWARD):
        yield


@pytest.fixture
def pep(world) -> Pep:
    """A draft termly PEP for Ruby (Year 9, school age), sections from the default configuration."""
    return start_pep(world.child)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT
