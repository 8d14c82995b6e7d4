"""The lock files in requirements/ cover pyproject.toml: a dependency added there without
`make lock` fails here, not on the next person's fresh install."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^ ;\\]+)")


def _pins(name: str) -> dict[str, str]:
    pins: dict[str, str] = {}
    text = (ROOT / "requirements" / name).read_text()
    for entry in re.split(r"\n(?=\S)", text):
        if not entry.strip() or entry.startswith("#"):
            continue
        match = PIN.match(entry)
        assert match, f"{name}: not an exact pin: {entry.splitlines()[0]}"
        assert "--hash=sha256:" in entry, f"{name}: {match[1]} has no hash"
        pins[canonicalize_name(match[1])] = match[3]
    return pins


@pytest.mark.parametrize(("lock", "extras"), [("production.txt", []), ("test.txt", ["test"])])
def test_every_dependency_of_pyproject_is_pinned_with_hashes_in_the_lock_file(lock, extras):
    pins = _pins(lock)
    wanted = [Requirement(r) for r in PYPROJECT["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in PYPROJECT["optional-dependencies"][extra]]
    missing = [str(r) for r in wanted if canonicalize_name(r.name) not in pins]
    assert not missing, f"run `make lock`: requirements/{lock} lacks {missing}"
    outside = [f"{r} (locked {pins[canonicalize_name(r.name)]})" for r in wanted
               if not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)]
    assert not outside, f"run `make lock`: requirements/{lock} pins outside pyproject's range: {outside}"


def test_the_production_lock_holds_no_test_tools():
    assert not {"pytest", "selenium", "pip-audit"} & set(_pins("production.txt"))
