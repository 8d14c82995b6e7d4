from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DEMO_LOGINS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("email", [e for e, _n, _r in DEMO_LOGINS])
def test_each_demo_login_reaches_its_home_page(client, email):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    response = client.post(reverse("account_login"), {"login": email, "password": "demo-pass-2026"})
    assert response.status_code == 302, response.content[:500]
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert b"Hello," in home.content


def test_seed_demo_is_idempotent():
    from accounts.models import User
    from children.models import Child

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = (User.objects.count(), Child.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert (User.objects.count(), Child.objects.count()) == counts
    assert Child.objects.count() >= 30


def test_a_wrong_password_gets_one_message_whether_or_not_the_account_exists(client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    known = client.post(reverse("account_login"), {"login": "sw@demo.test", "password": "wrong-password-1"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@demo.test", "password": "wrong-password-1"})
    assert known.status_code == unknown.status_code == 200
    assert b"govuk-error-summary" in known.content

    def errors(r):
        return [str(e) for e in r.context["form"].non_field_errors()]

    assert errors(known) == errors(unknown)


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert b"<script>" not in response.content and b"style=" not in response.content


def test_signed_in_pages_are_not_cached(client, social_worker):
    client.force_login(social_worker)
    assert client.get(reverse("home"))["Cache-Control"] == "no-store"
