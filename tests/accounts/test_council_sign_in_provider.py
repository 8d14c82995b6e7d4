"""The start of a council sign-in against a real OpenID provider (tests/oidc), without a
browser: the continue page's CSP admits only the provider's sign-in address, and the
redirect carries what the provider needs. The whole sign-in runs in the browser tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from accounts import services
from tests.oidc.provider import LocalOidcProvider, ProviderAccount

pytestmark = pytest.mark.integration


@pytest.fixture
def provider():
    running = LocalOidcProvider(
        client_id="epep-portal", client_secret="s3cret-abcd", redirect_uris=["http://testserver/cb"],  # noqa: S106
        accounts=[ProviderAccount(sub="u1", email="social_worker@example.test", password="pw")],
    ).start()
    yield running
    running.stop()


def _configure(world, issuer):
    return services.council_sign_in_configure(
        actor=None, local_authority=world.la, issuer_url=issuer, client_id="epep-portal",
        client_secret="s3cret-abcd", domains=["example.test"], provider_enforces_mfa=True,  # noqa: S106
    )


def test_the_continue_page_admits_only_the_providers_sign_in_address(client, world, provider):
    _configure(world, provider.issuer)
    url = reverse("account_council_sign_in")
    response = client.post(url, {"email": "social_worker@example.test"})
    assert response.status_code == 200
    assert "Continue to Testshire County Council sign-in" in response.content.decode()
    csp = response["Content-Security-Policy"]
    form_action = next(d for d in csp.split(";") if d.strip().startswith("form-action"))
    assert form_action.split()[1:] == ["'self'", provider.issuer]

    response = client.post(url + "?next=/children/", {"email": "social_worker@example.test", "continue": "1",
                                                      "next": "/children/"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}" == provider.issuer
    query = parse_qs(location.query)
    assert query["client_id"] == ["epep-portal"]
    assert query["login_hint"] == ["social_worker@example.test"]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [f"http://testserver/accounts/oidc/council-{world.la.pk}/login/callback/"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_an_unreachable_provider_gets_a_plain_problem_page(client, world, provider):
    _configure(world, provider.issuer)
    provider.stop()
    response = client.post(reverse("account_council_sign_in"), {"email": "social_worker@example.test"})
    assert response.status_code == 502
    assert "Sorry, there is a problem signing you in" in response.content.decode()
