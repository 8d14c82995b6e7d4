"""bandit finds no medium or high severity issue in the portal's code (a finding that is
not a real problem carries `# nosec BXXX - reason` on its line)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PACKAGES = ["accounts", "children", "peps", "targets", "meetings", "epep"]


def test_bandit_finds_no_medium_or_high_issue():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(bandit), "-q", "-c", "pyproject.toml", "-r", *PACKAGES, "-f", "json"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300,
    )
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    assert not report["errors"], report["errors"]
    serious = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] in ("MEDIUM", "HIGH")
    ]
    assert not serious, "bandit found:\n" + "\n".join(serious)
    # It really looked at the code.
    assert report["metrics"]["_totals"]["loc"] > 1000
