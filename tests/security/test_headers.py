"""Security headers on every response, error pages included, and `check --deploy`."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def assert_strict_csp(response) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"no CSP on a {response.status_code} response"
    directives = dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    for name, value in REQUIRED_DIRECTIVES.items():
        assert directives.get(name) == value, f"{name}: {directives.get(name)!r} on {response.status_code}"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.fixture
def error_client(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.security.urls_with_errors"
    return Client(raise_request_exception=False)


def test_ordinary_pages_carry_the_csp_and_headers(client):
    assert_strict_csp(client.get(reverse("account_login")))


def test_signed_in_pages_carry_the_csp_and_no_store(world, client):
    client.force_login(world.people["social_worker"])
    for url in (reverse("home"), reverse("child_detail", kwargs={"pk": world.child.pk})):
        response = client.get(url)
        assert response.status_code == 200
        assert_strict_csp(response)
        assert "no-store" in response["Cache-Control"]


def test_a_child_outside_the_team_gives_a_404_page_with_the_csp_and_no_store(world, client):
    client.force_login(world.people["outsider_social_worker"])
    response = client.get(reverse("child_detail", kwargs={"pk": world.child.pk}))
    assert response.status_code == 404
    assert_strict_csp(response)
    assert "no-store" in response["Cache-Control"]
    assert "Ruby" not in response.content.decode()


def test_the_404_403_and_500_pages_carry_the_csp(error_client, world):
    response = error_client.get("/no-such-page/")
    assert response.status_code == 404
    assert_strict_csp(response)
    assert "Page not found" in response.content.decode()

    error_client.force_login(world.people["carer"])
    response = error_client.get("/test-forbidden/")
    assert response.status_code == 403
    assert_strict_csp(response)
    assert "You do not have permission" in response.content.decode()

    response = error_client.get("/test-boom/")
    assert response.status_code == 500
    assert_strict_csp(response)
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "deliberate failure" not in html


def test_downloads_for_signed_in_people_are_not_cached(world, client):
    client.force_login(world.people["carer"])
    response = client.get(reverse("session_keep_alive"))
    assert "no-store" in response["Cache-Control"]


def _production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="epep.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="epep.example.gov.uk",
        DATABASE_URL="sqlite:////tmp/epep-deploy-check.sqlite3",
        **extra,
    )
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR, env=_production_env(), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_sessions_and_transport_are_locked_down():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SECURE', "
        "'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'SECURE_REFERRER_POLICY', 'DEBUG', 'MFA_REQUIRED_FOR_STAFF', "
        "'SESSION_COOKIE_AGE', 'SESSION_SAVE_EVERY_REQUEST', 'DEMO_LOGINS_ALLOWED')}))"
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", script], cwd=settings.BASE_DIR,
        env=_production_env(MFA_REQUIRED_FOR_STAFF="false"), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True, "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True, "CSRF_COOKIE_SAMESITE": "Lax", "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True, "SECURE_SSL_REDIRECT": True, "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin", "DEBUG": False,
        # The environment cannot switch staff MFA off in production.
        "MFA_REQUIRED_FOR_STAFF": True,
        "SESSION_COOKIE_AGE": 1800, "SESSION_SAVE_EVERY_REQUEST": True, "DEMO_LOGINS_ALLOWED": False,
    }


def test_hsts_is_sent_over_https_in_production(settings, client):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get(reverse("account_login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000; includeSubDomains")


def test_a_csrf_failure_gets_a_gov_uk_page_with_the_csp(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("account_login"), {"login": "a@example.test", "password": "whatever-it-is"})
    assert response.status_code == 403
    assert_strict_csp(response)
    assert "Sorry, we could not save that" in response.content.decode()


def test_too_many_password_checks_get_a_gov_uk_429_page(world, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "change_password": "2/m/user"}
    client.force_login(world.people["carer"])
    statuses = [client.post(reverse("account_change_password"), {"oldpassword": "wrong-password-here"}).status_code
                for _ in range(3)]
    assert statuses[-1] == 429
    response = client.post(reverse("account_change_password"), {})
    assert "Too many attempts" in response.content.decode()
    assert_strict_csp(response)
    cache.clear()
