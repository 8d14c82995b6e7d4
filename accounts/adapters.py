"""allauth glue: nobody signs themselves up; admins register people; GOV.UK wording;
lockouts logged; staff cannot switch two-factor authentication off."""

from __future__ import annotations

import logging
import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.core.exceptions import ValidationError

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

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # allauth asks for the password again before MFA changes, even straight after
        # sign-in. A person who typed their password in this session within the
        # re-authentication window (five minutes) is not asked twice: staff set up their
        # authenticator app right after their first sign-in.
        if app == "allauth.mfa" and self._signed_in_with_password_recently():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _signed_in_with_password_recently(self) -> bool:
        from allauth.account import app_settings
        from allauth.account.authentication import get_authentication_records
        from allauth.core import context

        request = context.request
        if request is None or not request.user.is_authenticated:
            return False
        records = get_authentication_records(request, request.user)
        return any(
            record.get("method") == "password"
            and time.time() - record.get("at", 0) < app_settings.REAUTHENTICATION_TIMEOUT
            for record in records
        )

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
