"""allauth login stages the portal adjusts (see AccountAdapter.get_login_stages)."""

from __future__ import annotations

from allauth.mfa.stages import AuthenticateStage

from .council_sign_in import mfa_done_by_provider


class MfaAuthenticateStage(AuthenticateStage):
    """allauth's authenticator-app step, not asked again after a sign-in through an LA
    provider that the LA says enforces MFA itself (what the provider said is audited)."""

    def _should_handle(self, request) -> bool:
        if self.login.user is not None and mfa_done_by_provider(request, self.login.user):
            return False
        return super()._should_handle(request)
