"""Data protection sits above the domain apps: it reads them all, none of them imports it."""

from __future__ import annotations

import pathlib
import re

BELOW = ["core", "accounts", "children", "education", "peps", "meetings", "targets", "deadlines", "quality",
         "imports", "epep"]
IMPORT = re.compile(r"^\s*(from|import)\s+data_protection\b", re.M)


def test_no_app_below_data_protection_imports_it():
    root = pathlib.Path(__file__).resolve().parents[2]
    offenders = [path.relative_to(root).as_posix()
                 for app in BELOW for path in sorted((root / app).rglob("*.py"))
                 if IMPORT.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
