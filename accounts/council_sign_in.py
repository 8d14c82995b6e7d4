"""Staff sign-in with their council account: each LA's OpenID Connect provider.

The LA's settings live in accounts.models.CouncilSignIn; allauth's openid_connect provider
sees each one as a SocialApp (provider "openid_connect", provider_id "council-<LA id>",
settings {"server_url": <issuer>}) built here on the fly, so that the client secret is
stored encrypted (Fernet) rather than in allauth's plain-text SocialApp table.

Who may come in, and what the provider said about a second factor, is decided by
accounts.adapters.SocialAccountAdapter with the helpers below.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from allauth.account.authentication import get_authentication_records
from allauth.socialaccount.models import SocialApp
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.http import HttpRequest

from core.roles import STAFF_ROLES

from .models import CouncilSignIn, CouncilSignInDomain, User

PROVIDER = "openid_connect"
PROVIDER_ID_PREFIX = "council-"


def _fernet() -> Fernet:
    secret = settings.COUNCIL_SIGN_IN_SECRET_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"epep council sign-in client secrets:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt_secret(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # The key changed since the secret was saved: the LA admin must enter it again.
        return ""


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in (email or "") else ""


def config_for_email(email: str) -> CouncilSignIn | None:
    """The LA provider whose allowed domains hold this address's domain, if any."""
    domain = email_domain(email)
    if not domain:
        return None
    row = (CouncilSignInDomain.objects.select_related("council_sign_in__local_authority")
           .filter(domain=domain).first())
    return row.council_sign_in if row else None


def _la_id(provider_id: str) -> int | None:
    if not (provider_id or "").startswith(PROVIDER_ID_PREFIX):
        return None
    la_id = provider_id[len(PROVIDER_ID_PREFIX):]
    return int(la_id) if la_id.isdigit() else None


def config_for_provider_id(provider_id: str) -> CouncilSignIn | None:
    la_id = _la_id(provider_id)
    if la_id is None:
        return None
    return (CouncilSignIn.objects.select_related("local_authority").prefetch_related("domains")
            .filter(local_authority_id=la_id).first())


def social_app_for(config: CouncilSignIn) -> SocialApp:
    """The (unsaved) allauth SocialApp for one LA's provider."""
    return SocialApp(
        provider=PROVIDER,
        provider_id=config.provider_id,
        name=f"{config.local_authority.name} account",
        client_id=config.client_id,
        secret=decrypt_secret(config.client_secret_encrypted),
        settings={
            "server_url": config.issuer_url,
            # Entra ID and most councils' providers accept the secret in the POST body.
            "token_auth_method": "client_secret_post",  # nosec B105 - a method name, not a secret
            "oauth_pkce_enabled": True,
            "fetch_userinfo": True,
        },
    )


@dataclass(frozen=True)
class Match:
    """The outcome of matching a council account to a person."""

    user: User | None
    refusal: str = ""


def match_person(config: CouncilSignIn, *, email: str, email_verified: bool) -> Match:
    """The registered member of staff a council account belongs to, or why there is none.

    The provider must say the address is verified and it must be in one of the LA's
    domains; the person must be an active member of staff registered with this LA (or with
    one of its schools). Carers and young people keep signing in with a password.
    """
    email = (email or "").strip().lower()
    if not email:
        return Match(None, "Your council account did not tell us your email address")
    if not email_verified:
        return Match(None, "Your council account's email address has not been verified by your council")
    allowed = {d.domain for d in config.domains.all()}
    if email_domain(email) not in allowed:
        return Match(None, f"{config.local_authority.name} does not use council sign-in for {email}")
    user = User.objects.select_related("school").filter(email__iexact=email, is_active=True).first()
    if user is None or user.role not in STAFF_ROLES:
        return Match(None, f"There is no staff login for {email}")
    la_id = config.local_authority_id
    if user.local_authority_id != la_id and not (user.school and user.school.local_authority_id == la_id):
        return Match(None, f"There is no staff login for {email} with {config.local_authority.name}")
    return Match(user)


def provider_claims(extra_data: dict) -> dict:
    """What the provider said about how the person signed in (from the ID token)."""
    id_token = extra_data.get("id_token") or {}
    return {key: id_token[key] for key in ("amr", "acr", "auth_time") if key in id_token}


def mfa_done_by_provider(request: HttpRequest, user) -> bool:
    """Whether this session's sign-in came through the person's own LA provider, which the
    LA says always asks for a second factor, so the portal's own authenticator-app step is
    not asked. One query, and only for a session that signed in through a council."""
    records = get_authentication_records(request, user)
    providers = [r.get("provider", "") for r in records if r.get("method") == "socialaccount"]
    la_id = _la_id(providers[-1]) if providers else None
    if la_id is None:
        return False
    if user.local_authority_id != la_id and not (user.school_id and user.school.local_authority_id == la_id):
        return False
    return CouncilSignIn.objects.filter(local_authority_id=la_id, provider_enforces_mfa=True).exists()
