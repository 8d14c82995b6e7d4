from __future__ import annotations

from pathlib import Path

import pytest

FILES = Path(__file__).parent / "files"


@pytest.fixture
def files():
    def read(name: str) -> bytes:
        return (FILES / name).read_bytes()

    return read
