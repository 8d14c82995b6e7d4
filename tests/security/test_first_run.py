"""`make run` (epep.settings.local through epep.runall) shows the demo as a council would see
it: DEBUG off with the GOV.UK error pages, static files through WhiteNoise, and emails that
link to the port the portal is served on."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

READ_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'DEBUG': s.DEBUG, 'SITE_URL': s.SITE_URL, 'MIDDLEWARE': s.MIDDLEWARE, "
    "'STATIC_ROOT': str(s.STATIC_ROOT), 'EMAIL_FILE_PATH': s.EMAIL_FILE_PATH}))"
)


def local_settings(tmp_path, **env) -> dict:
    """The local settings as a fresh `make run` process reads them, with `env` set."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SITE_URL", "PORT", "DATABASE_URL",
                                                               "REDIS_URL", "EMAIL_BACKEND"}}
    clean.update(DJANGO_SETTINGS_MODULE="epep.settings.local", EPEP_VAR_DIR=str(tmp_path / "var"), **env)
    done = subprocess.run([sys.executable, "-c", READ_SETTINGS], cwd=settings.BASE_DIR, env=clean,  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_make_run_has_debug_off_and_serves_static_files_through_whitenoise(tmp_path):
    local = local_settings(tmp_path)
    assert local["DEBUG"] is False
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in local["MIDDLEWARE"]
    assert local["STATIC_ROOT"] == str(tmp_path / "var" / "staticfiles")
    assert local["EMAIL_FILE_PATH"] == str(tmp_path / "var" / "mail")


def test_debug_true_gives_developers_the_debug_pages(tmp_path):
    assert local_settings(tmp_path, DEBUG="true")["DEBUG"] is True


def test_links_in_emails_follow_the_port_unless_site_url_is_set(tmp_path):
    assert local_settings(tmp_path)["SITE_URL"] == "http://127.0.0.1:8000"
    assert local_settings(tmp_path, PORT="8850")["SITE_URL"] == "http://127.0.0.1:8850"
    assert local_settings(tmp_path, PORT="8850", SITE_URL="https://epep.example.gov.uk/")["SITE_URL"] == (
        "https://epep.example.gov.uk")


def test_runall_gives_its_port_to_the_web_process_worker_and_beat(monkeypatch, capsys):
    from epep import runall

    monkeypatch.setenv("PORT", "8000")
    started = []

    class Finished:
        """A process that has already stopped, so runall's loop ends at once."""

        returncode = 0

        def __init__(self, cmd, *args, **kwargs):
            started.append((cmd, kwargs.get("env"), os.environ.get("PORT")))

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(runall.subprocess, "Popen", Finished)
    monkeypatch.setattr(runall.time, "sleep", lambda seconds: None)
    monkeypatch.setattr(runall.signal, "signal", lambda *args: None)
    assert runall.main(["--port", "8850"]) == 0
    assert len(started) == 3  # web, worker and beat
    for cmd, env, port in started:
        # No environment of their own: they inherit this one, where PORT is the port served.
        assert env is None and port == "8850", cmd
    assert any("127.0.0.1:8850" in part for cmd, _, _ in started for part in cmd)


@pytest.mark.django_db
def test_a_missing_page_is_the_gov_uk_404_without_the_list_of_urls(client):
    # The suite runs with DEBUG off, as `make run` now does.
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.text and "govuk-" in response.text
    assert "URLconf" not in response.text and "django-admin/" not in response.text
