"""allauth glue: nobody signs themselves up; admins register people; GOV.UK wording;
lockouts logged; staff cannot switch two-factor authentication off."""

from __future__ import annotations

import logging
import time
from typing import NoReturn

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import ValidationError
from django.shortcuts import render

from . import council_sign_in

log = logging.getLogger("epep.security")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # One message whether or not the account exists (ACCOUNT_PREVENT_ENUMERATION).
        "email_password_mismatch": "Enter a correct email address and password",
        "too_many_login_attempts": (
            "There have been too many attempts to sign in. Wait an hour and try again, or reset your password"
        ),
        "incorrect_password": "Enter your current password correctly",
        "enter_current_password": "Enter your current password",
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_login_stages(self) -> list[str]:
        # allauth's "enter the code from your app" stage, skipped for a sign-in through an
        # LA provider that the LA says always asks for a second factor itself.
        return [
            "accounts.stages.MfaAuthenticateStage" if path == "allauth.mfa.stages.AuthenticateStage" else path
            for path in super().get_login_stages()
        ]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # allauth asks for the password again before MFA changes, even straight after
        # sign-in. A person who typed their password (or signed in with their council
        # account) in this session within the re-authentication window (five minutes) is
        # not asked twice: staff set up their authenticator app right after their first
        # sign-in, and someone who came in through council sign-in may have no password.
        if app == "allauth.mfa" and self._signed_in_recently():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _signed_in_recently(self) -> bool:
        from allauth.account import app_settings
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context

        request = context.request
        if request is None or not request.user.is_authenticated:
            return False
        records = get_authentication_records(request, request.user)
        return any(
            record.get("method") in ("password", "socialaccount")
            and time.time() - record.get("at", 0) < app_settings.REAUTHENTICATION_TIMEOUT
            for record in records
        )

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth's emails (a password reset link, "your password was changed") are
        # rendered as allauth renders them and go through the outbox like every email of
        # the portal. allauth's own templates are plain text only (the portal adds no HTML
        # versions), so the text body is the whole message.
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from core.notifications import outbox_enqueue

        request = allauth_context.request
        message = self.render_mail(template_prefix, email,
                                   {"request": request, "email": email, "current_site": get_current_site(request),
                                    **context})
        for to in message.to:
            outbox_enqueue(to=to, subject=message.subject, body=message.body)

    def pre_authenticate(self, request, **credentials) -> None:
        # allauth refuses the attempt here once a login_failed rate limit is reached; the
        # lockout is a security event. The email is not logged (it may be a mistyped
        # password), and neither is the key allauth counts against.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            log.warning(
                "login locked out",
                extra={"event": "login_locked_out", "ip": request.META.get("REMOTE_ADDR", "")},
            )
            raise


class MfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "Enter the 6-digit code shown in your authenticator app",
        "cannot_delete_authenticator": (
            "You cannot turn off two-factor authentication: your role needs it to see children's records"
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        from .mfa import mfa_required_for

        # Staff must keep their authenticator app; they may replace recovery codes.
        if authenticator.type == authenticator.Type.TOTP and mfa_required_for(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Council sign-in (OpenID Connect): one provider per LA, nobody signed up.

    The providers are the LAs' CouncilSignIn settings (never allauth's SocialApp table or
    settings). A council account is let in only when it matches a registered member of
    staff of that LA by a verified email address in one of the LA's domains; otherwise the
    person sees why, and nothing is written.
    """

    def list_apps(self, request, provider=None, client_id=None):
        from .models import CouncilSignIn

        configs = CouncilSignIn.objects.select_related("local_authority")
        if provider and provider != council_sign_in.PROVIDER:
            config = council_sign_in.config_for_provider_id(provider)
            configs = configs.filter(pk=config.pk if config else None)
        if client_id:
            configs = configs.filter(client_id=client_id)
        return [council_sign_in.social_app_for(config) for config in configs]

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        from . import services

        config = council_sign_in.config_for_provider_id(sociallogin.account.provider)
        if config is None:
            self._refuse(request, None, "Sign-in with this council account is no longer set up")
        data = sociallogin.account.extra_data or {}
        said = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
        match = council_sign_in.match_person(
            config, email=said.get("email") or "", email_verified=parse_bool_safely(said.get("email_verified")),
        )
        user = match.user
        if user is None:
            self._refuse(request, config, match.refusal)
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            self._refuse(request, config, "This council account is linked to a different login")
        services.council_sign_in_accept(
            user=user, config=config, uid=sociallogin.account.uid,
            claims=council_sign_in.provider_claims(data),
        )
        if not sociallogin.is_existing:
            # Remember the council account (its subject id) against the person.
            sociallogin.connect(request, user)

    def _refuse(self, request, config, problem: str) -> NoReturn:
        log.warning("council sign-in refused", extra={
            "event": "council_sign_in_refused", "ip": request.META.get("REMOTE_ADDR", ""),
            "object_id": config.local_authority_id if config else None,
        })
        raise ImmediateHttpResponse(render(
            request, "account/council_sign_in_refused.html",
            {"problem": problem, "local_authority": config.local_authority if config else None}, status=403,
        ))
