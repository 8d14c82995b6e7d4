"""core/ is the ground floor: it imports Django, third-party packages and itself, never an
app of the portal (every app may import it)."""

from __future__ import annotations

import ast
from pathlib import Path

import core

PORTAL_APPS = {"accounts", "children", "education", "peps", "meetings", "targets", "deadlines", "quality",
               "imports", "data_protection", "epep", "tests", "bench"}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_core_imports_no_app_of_the_portal():
    root = Path(core.__file__).parent
    modules = sorted(root.rglob("*.py"))
    assert len(modules) > 5  # the walk found core's modules
    wrong = {f"{path.relative_to(root)}: {name}" for path in modules for name in _imports(path)
             if name.split(".")[0] in PORTAL_APPS}
    assert not wrong
