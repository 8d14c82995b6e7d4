"""Thin views: authorise through the policy module, call a service, redirect."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests
from allauth.account import views as allauth_views
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from allauth.utils import build_absolute_uri
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import hooks
from core.forms import show_rule_errors
from core.refusals import Refused, show_refusal
from core.roles import Role

from . import council_sign_in, policies, services, signed_in_browser
from .forms import (
    ApproveForm,
    BulkInviteForm,
    CouncilEmailForm,
    CouncilSignInForm,
    DeclineForm,
    LegalDetailsForm,
    LoginRequestForm,
    PersonForm,
    SetPasswordForm,
)
from .hooks import HOME_PANELS
from .http import AuthenticatedRequest
from .models import CouncilSignIn, LegalDetails, LoginRequest

log = logging.getLogger("epep.security")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except Exception:  # noqa: BLE001 - any database failure is reported, not raised
        database = "unavailable"
    status = 200 if database == "ok" else 503
    return JsonResponse({"status": "ok" if status == 200 else "error", "database": database}, status=status)


def logout(request: HttpRequest) -> HttpResponse:
    """allauth's sign-out, which also makes this browser forget who signed in on it
    (accounts.signed_in_browser): after signing out, nothing typed here is kept for them."""
    response = allauth_views.logout(request)
    if request.method == "POST":
        signed_in_browser.forget(response)
    return response


def _home_panels(user) -> list[dict]:
    """Every app's panels for this person (accounts.hooks.HOME_PANELS), in floor order."""
    return [panel for panels in hooks.get_hooks(HOME_PANELS) for panel in panels(user)]


@login_required
@require_GET
def home(request: AuthenticatedRequest) -> HttpResponse:
    context = {"role": request.user.role, "Role": Role, "panels": _home_panels(request.user)}
    return render(request, "accounts/home.html", context)


@login_required
@require_GET
def people_list(request: AuthenticatedRequest) -> HttpResponse:
    people = policies.people_managed_by(request.user).order_by("full_name")
    pending = LoginRequest.objects.filter(status=LoginRequest.Status.PENDING)
    if not request.user.is_superuser:
        pending = pending.filter(local_authority=request.user.local_authority)
    return render(
        request, "accounts/people_list.html",
        {"people": people, "pending_count": pending.count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_people_manager(request.user)
    fixed_la = None if request.user.is_superuser else request.user.local_authority
    form = PersonForm(request.POST or None, fixed_la=fixed_la)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, f"{person.full_name} has been registered and sent an invitation.")
            return redirect("people_list")
    return render(request, "accounts/person_form.html", {"form": form})


@login_required
@require_POST
def person_reinvite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person = policies.get_person_for(request.user, pk)
    if person.has_usable_password():
        messages.error(request, f"{person.full_name} has already set a password.")
    else:
        services.invitation_resend(actor=request.user, user=person)
        messages.success(request, f"A new invitation has been sent to {person.email}.")
    return redirect("people_list")


@login_required
@require_http_methods(["GET", "POST"])
def people_bulk_invite(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_people_manager(request.user)
    form = BulkInviteForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        la = request.user.local_authority
        if la is None:
            form.add_error(None, "Your login is not linked to a local authority")
        else:
            result = services.people_bulk_invite(
                actor=request.user, local_authority=la, data=form.cleaned_data["file"].read()
            )
            if not result.errors:
                messages.success(request, f"{len(result.created)} people have been registered and invited.")
                return redirect("people_list")
    return render(request, "accounts/bulk_invite.html", {"form": form, "result": result})


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_for_token(token)
    except Refused as exc:
        return render(request, "accounts/invitation_problem.html", {"problem": exc.message}, status=410)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("password1", message)
        except Refused as exc:
            return render(request, "accounts/invitation_problem.html", {"problem": exc.message}, status=410)
        else:
            messages.success(request, "Your password has been set. Sign in to continue.")
            return redirect("account_login")
    return render(
        request, "accounts/invitation_accept.html",
        {"form": form, "person": invitation.user, "password_rules": password_validators_help_texts()},
    )


@require_http_methods(["GET", "POST"])
def login_request_new(request: HttpRequest) -> HttpResponse:
    form = LoginRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.login_request_create(**form.cleaned_data)
        return redirect("login_request_done")
    return render(request, "accounts/login_request_form.html", {"form": form})


@require_GET
def login_request_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/login_request_done.html")


@login_required
@require_GET
def login_request_list(request: AuthenticatedRequest) -> HttpResponse:
    policies.require_people_manager(request.user)
    qs = LoginRequest.objects.select_related("local_authority", "decided_by")
    if not request.user.is_superuser:
        qs = qs.filter(local_authority=request.user.local_authority)
    return render(request, "accounts/login_request_list.html", {"requests": qs[:200]})


@login_required
@require_http_methods(["GET", "POST"])
def login_request_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    login_request = policies.get_login_request_for(request.user, pk)
    approve_form = ApproveForm(request.POST if request.POST.get("decision") == "approve" else None,
                               prefix="approve")
    decline_form = DeclineForm(request.POST if request.POST.get("decision") == "decline" else None,
                               prefix="decline")
    if request.method == "POST" and login_request.status == LoginRequest.Status.PENDING:
        try:
            if request.POST.get("decision") == "approve" and approve_form.is_valid():
                try:
                    services.login_request_approve(
                        actor=request.user, login_request=login_request,
                        school=approve_form.cleaned_data["school"],
                    )
                except ValidationError as exc:  # the person cannot be registered as asked
                    for message in exc.messages:
                        approve_form.add_error(None, message)
                else:
                    messages.success(request, f"{login_request.full_name} has been invited.")
                    return redirect("login_request_list")
            if request.POST.get("decision") == "decline" and decline_form.is_valid():
                services.login_request_decline(
                    actor=request.user, login_request=login_request,
                    reason=decline_form.cleaned_data["reason"],
                )
                messages.success(request, f"The request from {login_request.full_name} has been declined.")
                return redirect("login_request_list")
        except Refused as exc:  # someone else has already decided it
            return show_refusal(request, exc, "login_request_list")
    return render(
        request, "accounts/login_request_decide.html",
        {"login_request": login_request, "approve_form": approve_form, "decline_form": decline_form},
    )


# --- The public pages a council service must have (no sign-in) ---------------------------


def _councils() -> list[LegalDetails]:
    """Every council on this installation that has published its contact details."""
    return list(LegalDetails.objects.select_related("local_authority").order_by("local_authority__name"))


@require_GET
def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/accessibility.html", {"councils": _councils()})


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "legal/privacy.html", {"councils": _councils()})


@require_GET
def cookies_page(request: HttpRequest) -> HttpResponse:
    from django.conf import settings
    from django.contrib.messages.storage.cookie import CookieStorage

    cookies = [
        (settings.SESSION_COOKIE_NAME, "Keeps you signed in as you move from page to page.",
         "30 minutes after your last page, and at most 12 hours after you signed in"),
        (settings.CSRF_COOKIE_NAME, "Stops other websites sending forms to this service in your name.", "1 year"),
        (CookieStorage.cookie_name, "Shows you a message after you have done something, such as "
         "\u201cThe PEP has been submitted\u201d.", "When you close your browser"),
        (signed_in_browser.COOKIE, "Remembers who signed in on this browser, so that what you typed is kept "
         "if your session ends before you save it.", "14 hours after you signed in, or when you sign out"),
    ]
    return render(request, "legal/cookies.html", {"cookies": cookies})


@login_required
@require_http_methods(["GET", "POST"])
def legal_details_edit(request: AuthenticatedRequest) -> HttpResponse:
    la = policies.legal_details_authority_for(request.user)
    details = LegalDetails.objects.filter(local_authority=la).first()
    form = LegalDetailsForm(request.POST or None, instance=details)
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_details_save(actor=request.user, local_authority=la, data=form.cleaned_data)
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(request, "The contact details on the accessibility statement and privacy notice "
                                      "have been saved.")
            return redirect("legal_details_edit")
    return render(request, "legal/details_form.html", {"form": form, "la": la, "details": details})
@login_required
@require_http_methods(["GET", "POST"])
def council_sign_in_settings(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    la = policies.get_la_for_council_sign_in(request.user, pk)
    config = CouncilSignIn.objects.filter(local_authority=la).prefetch_related("domains").first()
    initial = {}
    if config is not None:
        initial = {"issuer_url": config.issuer_url, "client_id": config.client_id,
                   "domains": "\n".join(d.domain for d in config.domains.all()),
                   "provider_enforces_mfa": config.provider_enforces_mfa}
    form = CouncilSignInForm(request.POST or None, initial=initial,
                             secret_hint=config.client_secret_hint if config else "")
    if request.method == "POST" and form.is_valid():
        try:
            services.council_sign_in_configure(actor=request.user, local_authority=la, **form.cleaned_data)
        except ValidationError as exc:
            show_rule_errors(form, exc)
        else:
            messages.success(request, "Council sign-in has been saved.")
            return redirect("council_sign_in_settings", pk=la.pk)
    # The redirect URI exactly as allauth will send it (https in production).
    callback = build_absolute_uri(request, reverse(
        "openid_connect_callback", kwargs={"provider_id": f"{council_sign_in.PROVIDER_ID_PREFIX}{la.pk}"}))
    return render(request, "accounts/council_sign_in_settings.html",
                  {"form": form, "local_authority": la, "config": config, "callback_url": callback})


@require_http_methods(["GET", "POST"])
def council_sign_in_start(request: HttpRequest) -> HttpResponse:
    """Staff type their work email; its domain picks their LA's provider. A page then names
    the council and its button sends the browser there.

    Why a second page: the portal's CSP allows forms to go only to the portal itself
    (form-action), and a browser holds a form's redirect to it. The "continue" page is the
    one page whose CSP also allows the council's sign-in address, found in its provider's
    discovery document. Both steps are POSTs with a CSRF token, so no other site can start
    a sign-in.
    """
    form = CouncilEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        config = council_sign_in.config_for_email(email)
        if config is None:
            form.add_error("email", "Your council has not set up sign-in with council accounts. "
                                    "Sign in with your email address and password instead")
        else:
            provider = get_social_adapter(request).get_provider(request, config.provider_id)
            try:
                authorize_url = provider.get_oauth2_adapter(request).authorize_url
            except (requests.RequestException, ValueError, KeyError):
                log.warning("council provider unreachable", extra={
                    "event": "council_sign_in_unreachable", "object_id": config.local_authority_id})
                return render(request, "socialaccount/authentication_error.html", status=502)
            next_url = request.POST.get("next") or request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = ""
            if request.POST.get("continue"):
                response = provider.redirect(request, AuthProcess.LOGIN, next_url=next_url or None,
                                             auth_params={"login_hint": email})
            else:
                response = render(request, "account/council_sign_in_continue.html", {
                    "form": form, "email": email, "next": next_url, "local_authority": config.local_authority,
                })
            parts = urlsplit(authorize_url)
            response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}
            return response
    return render(request, "account/council_sign_in.html", {"form": form})
