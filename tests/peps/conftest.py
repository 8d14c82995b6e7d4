from __future__ import annotations

import pytest

from peps.models import Pep
from tests.peps.factories import start_pep


@pytest.fixture(autouse=True)
def without_other_apps_hooks(monkeypatch):
    """These tests are about the PEP workflow itself: the targets, meetings and QA apps'
    hooks (extra submit checks, carry-forward, the PDF on approval) are tested by those
    apps, and by the tests below that put a fake in their place."""
    from peps import services

    monkeypatch.setattr(services, "SUBMIT_CHECKS", ())
    monkeypatch.setattr(services, "APPROVAL_HOOK", ("peps.no_such_module", "on_pep_approved"))
    monkeypatch.setattr(services, "CARRY_FORWARD_HOOK", ("peps.no_such_module", "targets_carry_forward"))


@pytest.fixture
def pep(world) -> Pep:
    """A draft termly PEP for Ruby (Year 9, school age), sections from the default configuration."""
    return start_pep(world.child)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT
