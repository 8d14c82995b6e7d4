from tests.access import FORBIDDEN, GONE, LOGIN, NOT_FOUND, OK, Row, everyone


def _login_request(world):
    from accounts.models import LoginRequest

    r = LoginRequest.objects.create(full_name="Pat Request", email="pat@example.test", role="carer",
                                    local_authority=world.la, reason="I foster a child")
    return {"pk": r.pk}


def _someone_invited(world):
    from accounts.models import User

    u = User.objects.create_user(email="invitee@example.test", full_name="In Vitee", role="carer",
                                 local_authority=world.la)
    return {"pk": u.pk}


ADMINS_ONLY = everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)

ROWS = [
    Row("healthz", everyone(OK), anonymous=OK),
    Row("home", everyone(OK)),
    Row("people_list", ADMINS_ONLY),
    Row("person_new", ADMINS_ONLY),
    Row("people_bulk_invite", ADMINS_ONLY),
    Row("person_reinvite", everyone(FORBIDDEN, admin_user=OK, other_la_admin=NOT_FOUND),
        kwargs=_someone_invited, method="post"),
    # A made-up token is "not valid" for everybody: 410 with a plain explanation.
    Row("invitation_accept", everyone(GONE), kwargs=lambda w: {"token": "not-a-real-token"},
        anonymous=GONE),
    Row("login_request_new", everyone(OK), anonymous=OK),
    Row("login_request_done", everyone(OK), anonymous=OK),
    Row("login_request_list", ADMINS_ONLY),
    Row("login_request_decide", everyone(FORBIDDEN, admin_user=OK, other_la_admin=NOT_FOUND),
        kwargs=_login_request),
    # The pages every council service must have: public, for everyone.
    Row("accessibility_statement", everyone(OK), anonymous=OK),
    Row("privacy_notice", everyone(OK), anonymous=OK),
    Row("cookies_page", everyone(OK), anonymous=OK),
    # Each LA admin edits their own council's details (there is no other LA's to ask for).
    Row("legal_details_edit", ADMINS_ONLY),
]

# allauth's own pages. Anonymous people reach only login and password reset.
ALLAUTH_ROWS = [
    Row("account_login", everyone(OK), anonymous=OK),
    Row("account_reset_password", everyone(OK), anonymous=OK),
    Row("account_reset_password_done", everyone(OK), anonymous=OK),
    Row("account_reset_password_from_key_done", everyone(OK), anonymous=OK),
    Row("account_logout", everyone(OK)),
    Row("account_change_password", everyone(OK)),
    Row("account_signup", everyone(OK), anonymous=OK),  # shows "you cannot create your own login"
    Row("account_inactive", everyone(OK), anonymous=OK),
    Row("account_reauthenticate", everyone(OK)),
    Row("account_reset_password_from_key", everyone(OK), anonymous=OK,
        kwargs=lambda w: {"uidb36": "zz", "key": "not-a-key"}),
    Row("mfa_index", everyone(OK)),
    Row("mfa_authenticate", everyone(OK)),
    Row("mfa_reauthenticate", everyone(OK)),
    Row("mfa_activate_totp", everyone(OK)),
    # Nothing to show until the person has set up an authenticator.
    Row("mfa_deactivate_totp", everyone(NOT_FOUND)),
    # Nothing to show until the person has set up an authenticator.
    Row("mfa_view_recovery_codes", everyone(NOT_FOUND)),
    Row("mfa_generate_recovery_codes", everyone(OK)),
    # Nothing to show until the person has set up an authenticator.
    Row("mfa_download_recovery_codes", everyone(NOT_FOUND)),
]
assert LOGIN


def _council_sign_in(world):
    from accounts import services

    services.council_sign_in_configure(
        actor=None, local_authority=world.la, issuer_url="https://login.example.test/tenant/v2.0",
        client_id="epep-portal", client_secret="not-a-real-secret-1234", domains=["example.test"],
        provider_enforces_mfa=False,
    )
    return {"pk": world.la.pk}


# Council sign-in (OpenID Connect). The settings page is the LA's own admin's; another
# LA's admin gets a 404. allauth's provider pages 404 for an LA that has set nothing up.
COUNCIL_SIGN_IN_ROWS = [
    Row("council_sign_in_settings", everyone(FORBIDDEN, admin_user=OK, other_la_admin=NOT_FOUND),
        kwargs=_council_sign_in),
    Row("account_council_sign_in", everyone(OK), anonymous=OK),
    Row("openid_connect_login", everyone(NOT_FOUND), anonymous=NOT_FOUND,
        kwargs=lambda w: {"provider_id": f"council-{w.other_la.pk}"}),
    Row("openid_connect_callback", everyone(NOT_FOUND), anonymous=NOT_FOUND,
        kwargs=lambda w: {"provider_id": f"council-{w.other_la.pk}"}),
    Row("socialaccount_login_cancelled", everyone(OK), anonymous=OK),
    # allauth answers its "sign-in failed" page with 401.
    Row("socialaccount_login_error", everyone(401), anonymous=401),
]
