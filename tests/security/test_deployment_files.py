"""The deployment files hold together: web, worker, beat, PostgreSQL and Redis with health
checks, volumes and settings from an env file. (`.ci/run` also runs `docker-compose config
-q` on it; here the structure is checked without Docker.)"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_health_checks_and_the_env_file():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "beat", "migrate"):
        assert services[name]["env_file"] == ".env", name
        assert services[name]["image"] == "epep:latest"
    for name in ("web", "worker", "db", "redis"):
        assert "test" in services[name]["healthcheck"], name
    assert "gunicorn epep.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A epep worker")
    assert services["beat"]["command"].startswith("celery -A epep beat")
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_keeps_data_on_named_volumes():
    data = compose()
    assert {"pgdata", "redisdata", "documents", "pgbackup"} <= set(data["volumes"])
    assert "pgdata:/var/lib/postgresql/data" in data["services"]["db"]["volumes"]
    assert "documents:/var/lib/epep" in data["services"]["web"]["volumes"]


def test_the_env_example_names_every_setting_compose_and_production_need():
    example = dict(
        line.split("=", 1) for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    for key in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "POSTGRES_PASSWORD",
                "CSRF_TRUSTED_ORIGINS", "EMAIL_URL", "TRUSTED_PROXY_COUNT"):
        assert key in example, key


def test_the_image_runs_as_a_user_with_a_health_check_and_no_secrets_copied_in():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER epep" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "epep.settings.production" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for entry in (".env", ".venv", "var", "node_modules", ".git"):
        assert entry in ignored, entry


def test_the_readme_has_the_operations_sections():
    readme = (ROOT / "README.md").read_text()
    for heading in ("## Deploying", "## Configuration reference", "## Backups and restore", "## Scaling out"):
        assert heading in readme
    assert "pg_dump" in readme and "pgbackrest" in readme.lower()
