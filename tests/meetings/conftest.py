from __future__ import annotations

import pytest

from tests.meetings.factories import make_pep


@pytest.fixture
def pep(world):
    """A draft termly PEP for Ruby (Year 9, school age)."""
    return make_pep(world.child)
