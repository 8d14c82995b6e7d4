"""The container as docker-compose.yml runs it: validated by docker-compose itself (CI
installs it with `make ci-deps`; a missing one fails), read-only, non-root, with a health
check, and writable only where the portal keeps its state."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    assert shutil.which("docker-compose"), "docker-compose is needed (make ci-deps installs it)"
    # The services read .env (env_file); validate with the example's values, as CI does.
    made_env = not (ROOT / ".env").exists()
    if made_env:
        shutil.copy(ROOT / ".env.example", ROOT / ".env")
    try:
        proc = subprocess.run(["docker-compose", "-f", "docker-compose.yml", "config"], cwd=ROOT,
                              env={**os.environ, "POSTGRES_PASSWORD": "only-for-config"},
                              capture_output=True, text=True, timeout=60)
    finally:
        if made_env:
            (ROOT / ".env").unlink()
    assert proc.returncode == 0, proc.stderr
    return yaml.safe_load(proc.stdout)


def test_the_app_containers_have_a_read_only_root_and_write_only_to_tmp_and_their_state(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert [t.split(":")[0] for t in service["tmpfs"]] == ["/tmp"], name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name
        targets = [v["target"] if isinstance(v, dict) else v.split(":")[1] for v in service.get("volumes", [])]
        assert set(targets) <= {"/var/lib/epep"}, (name, targets)
    assert compose["services"]["web"]["healthcheck"]["test"][0] == "CMD"


def test_the_image_runs_as_a_non_root_user_with_a_health_check_and_installs_from_the_lock_file():
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.M)
    assert "pip install --require-hashes -r requirements/production.txt" in dockerfile
    assert "pip install ." not in dockerfile
