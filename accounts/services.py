"""Every write about people: registering, inviting, accepting, requesting a login."""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core import hooks
from core.audit import Verb, audit_record, diff, snapshot
from core.notifications import outbox_enqueue
from core.refusals import Refused
from core.roles import LOGIN_ROLES, Role, role_choices
from core.text_limits import require_text_limits

from .hooks import PERSON_REGISTERED
from .models import (
    CouncilSignIn,
    CouncilSignInDomain,
    Invitation,
    LegalDetails,
    LocalAuthority,
    LoginRequest,
    School,
    User,
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_invitation_email(user: User, token: str) -> None:
    """Written to the outbox in the caller's transaction; delivered after the commit."""
    link = settings.SITE_URL + reverse("invitation_accept", args=[token])
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"user": user, "link": link, "hours": Invitation.LIFETIME_HOURS,
         "service": settings.SERVICE_NAME},
    )
    outbox_enqueue(to=user.email, subject=f"{settings.SERVICE_NAME}: set your password", body=body)


def _clean_person(
    *, email: str, full_name: str, role: str, local_authority: LocalAuthority | None,
    school: School | None,
) -> dict[str, str]:
    """Field errors for a new person, keyed like the registration form's fields."""
    errors: dict[str, str] = {}
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = "Enter an email address in the correct format, like name@example.com"
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors["email"] = "A person with this email address is already registered"
    if not (full_name or "").strip():
        errors["full_name"] = "Enter the person's full name"
    if role not in LOGIN_ROLES:
        errors["role"] = "Select a role from the list"
    elif role == Role.DESIGNATED_TEACHER and school is None:
        errors["school"] = "Select the designated teacher's school"
    if local_authority is None:
        errors["local_authority"] = "Select a local authority"
    return errors


def _create_invited_person(
    *, actor: User, email: str, full_name: str, role: str,
    local_authority: LocalAuthority, school: School | None,
) -> tuple[User, str]:
    user = User.objects.create_user(
        email=email.strip().lower(),
        full_name=full_name.strip(),
        role=role,
        local_authority=local_authority,
        school=school if role == Role.DESIGNATED_TEACHER else None,
    )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        token_hash=_hash(token),
        user=user,
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(hours=Invitation.LIFETIME_HOURS),
    )
    changes = {"email": [None, user.email], "role": [None, role],
               "local_authority": [None, local_authority.pk],
               "school": [None, school.pk if school else None],
               "invitation": [None, invitation.pk]}
    # A designated teacher is linked to the registering LA's children at their school.
    for registered in hooks.get_hooks(PERSON_REGISTERED):
        changes.update(registered(actor=actor, user=user) or {})
    audit_record(actor=actor, verb=Verb.INVITED, obj=user, changes=changes)
    return user, token


@transaction.atomic
def person_register(
    *, actor: User, email: str, full_name: str, role: str,
    local_authority: LocalAuthority | None, school: School | None = None,
) -> User:
    """Create a person with a role and organisation, and email them an invitation."""
    errors = _clean_person(
        email=email, full_name=full_name, role=role,
        local_authority=local_authority, school=school,
    )
    if errors or local_authority is None:  # _clean_person asks for a missing local authority.
        raise ValidationError(errors)  # {form field: message}
    user, token = _create_invited_person(
        actor=actor, email=email, full_name=full_name, role=role,
        local_authority=local_authority, school=school,
    )
    _send_invitation_email(user, token)
    return user


@transaction.atomic
def invitation_resend(*, actor: User, user: User) -> Invitation:
    """A fresh link for someone who has not yet set a password; older links stop working."""
    now = timezone.now()
    user.invitations.filter(used_at__isnull=True).update(expires_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=_hash(token), user=user, created_by=actor, created_at=now,
        expires_at=now + timedelta(hours=Invitation.LIFETIME_HOURS),
    )
    audit_record(actor=actor, verb=Verb.INVITED, obj=user,
                 changes={"invitation": [None, invitation.pk]})
    _send_invitation_email(user, token)
    return invitation


def invitation_for_token(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()
    )
    if invitation is None:
        raise Refused("This link is not valid. Check you copied the whole link from the email.")
    if invitation.used_at is not None:
        raise Refused(
            "This link has already been used. Sign in with the password you set, or reset it."
        )
    if invitation.is_expired:
        raise Refused(
            f"This link has expired: links last {Invitation.LIFETIME_HOURS} hours. "
            "Ask your local authority's administrator to send a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password; the link then stops working."""
    invitation = invitation_for_token(token)
    # Lock the row so that two tabs cannot both use the same link.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at is not None:
        raise Refused("This link has already been used.")
    user = invitation.user
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at"])
    audit_record(actor=user, verb=Verb.ACCEPTED, obj=invitation)
    return user


# ---- bulk invitations from a CSV upload --------------------------------------------

BULK_COLUMNS = ["email", "full_name", "role", "school_urn"]


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class BulkInviteResult:
    created: list[User] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("The file must be a CSV file saved as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValueError(f"The file could not be read as CSV: {exc}") from exc
    return [h.strip() for h in (reader.fieldnames or [])], rows


def people_bulk_invite(*, actor: User, local_authority: LocalAuthority, data: bytes) -> BulkInviteResult:
    """Invite everybody in the file, or nobody: any bad row stops the whole file."""
    result = BulkInviteResult()
    try:
        header, rows = _read_csv(data)
    except ValueError as exc:
        result.errors.append(RowError(1, str(exc)))
        return result
    missing = [c for c in BULK_COLUMNS if c not in header]
    if missing:
        result.errors.append(RowError(1, "The header row is missing: " + ", ".join(missing)))
        return result
    if not rows:
        result.errors.append(RowError(1, "The file has no people in it"))
        return result
    role_by_label = {label.lower(): value for value, label in role_choices(LOGIN_ROLES)}
    schools = {s.urn: s for s in School.objects.filter(urn__in={(r.get("school_urn") or "").strip() for r in rows})}
    seen: set[str] = set()
    cleaned = []
    for number, row in enumerate(rows, start=2):
        email = (row.get("email") or "").strip().lower()
        role_text = (row.get("role") or "").strip()
        role = role_text if role_text in LOGIN_ROLES else role_by_label.get(role_text.lower(), role_text)
        urn = (row.get("school_urn") or "").strip()
        school = schools.get(urn)
        if urn and school is None:
            result.errors.append(RowError(number, f"No school has the URN {urn}"))
            continue
        errors = _clean_person(
            email=email, full_name=row.get("full_name") or "", role=role,
            local_authority=local_authority, school=school,
        )
        if email in seen:
            errors["email"] = "This email address appears more than once in the file"
        seen.add(email)
        if role not in LOGIN_ROLES:
            errors["role"] = f"'{role_text}' is not a role (use one of: {', '.join(LOGIN_ROLES)})"
        for message in errors.values():
            result.errors.append(RowError(number, message))
        if not errors:
            cleaned.append((email, row["full_name"], role, school))
    if result.errors:
        return result
    with transaction.atomic():
        for email, full_name, role, school in cleaned:
            user, token = _create_invited_person(
                actor=actor, email=email, full_name=full_name, role=role,
                local_authority=local_authority, school=school,
            )
            result.created.append(user)
            _send_invitation_email(user, token)
    return result


# ---- requests for a login ---------------------------------------------------------------

@transaction.atomic
def login_request_create(
    *, full_name: str, email: str, role: str, local_authority: LocalAuthority,
    school_urn: str, reason: str,
) -> LoginRequest:
    require_text_limits(LoginRequest, full_name=full_name, reason=reason)
    request = LoginRequest.objects.create(
        full_name=full_name.strip(), email=email.strip().lower(), role=role,
        local_authority=local_authority, school_urn=school_urn.strip(), reason=reason.strip(),
    )
    audit_record(actor=None, verb=Verb.CREATED, obj=request)
    return request


ALREADY_DECIDED = "Someone else has already decided this request."


@transaction.atomic
def login_request_approve(*, actor: User, login_request: LoginRequest, school: School | None) -> User:
    updated = LoginRequest.objects.filter(
        pk=login_request.pk, status=LoginRequest.Status.PENDING
    ).update(status=LoginRequest.Status.APPROVED, decided_by=actor, decided_at=timezone.now())
    if not updated:
        raise Refused(ALREADY_DECIDED)
    user = person_register(
        actor=actor, email=login_request.email, full_name=login_request.full_name,
        role=login_request.role, local_authority=login_request.local_authority, school=school,
    )
    audit_record(actor=actor, verb=Verb.APPROVED, obj=login_request,
                 changes={"status": ["pending", "approved"]})
    return user


@transaction.atomic
def login_request_decline(*, actor: User, login_request: LoginRequest, reason: str) -> LoginRequest:
    require_text_limits(LoginRequest, {"decline_reason": reason}, field_names={"decline_reason": "reason"})
    updated = LoginRequest.objects.filter(
        pk=login_request.pk, status=LoginRequest.Status.PENDING
    ).update(
        status=LoginRequest.Status.DECLINED, decided_by=actor, decided_at=timezone.now(),
        decline_reason=reason.strip(),
    )
    if not updated:
        raise Refused(ALREADY_DECIDED)
    audit_record(actor=actor, verb=Verb.DECLINED, obj=login_request,
                 changes={"status": ["pending", "declined"]})
    login_request.refresh_from_db()
    return login_request


LEGAL_FIELDS = ("contact_email", "contact_phone", "dpo_name", "dpo_email", "postal_address",
                "ico_registration", "privacy_notice_url")


@transaction.atomic
def legal_details_save(*, actor: User, local_authority: LocalAuthority, data: dict) -> LegalDetails:
    """Create or change what the public pages say about the council; one audit event."""
    details = (LegalDetails.objects.select_for_update().filter(local_authority=local_authority).first()
               or LegalDetails(local_authority=local_authority))
    created = details.pk is None
    before = {} if created else snapshot(details, LEGAL_FIELDS)
    for name in LEGAL_FIELDS:
        setattr(details, name, (data.get(name) or "").strip())
    details.updated_at = timezone.now()
    details.full_clean(exclude=["local_authority"])
    details.save()
    audit_record(actor=actor, verb=Verb.CREATED if created else Verb.UPDATED, obj=details,
                 changes=diff(before, snapshot(details, LEGAL_FIELDS)))
    return details
# ---- council sign-in (each LA's OpenID Connect provider) ---------------------------

COUNCIL_SIGN_IN_FIELDS = ("issuer_url", "client_id", "client_secret_hint", "provider_enforces_mfa", "domains")


@transaction.atomic
def council_sign_in_configure(
    *, actor: User, local_authority: LocalAuthority, issuer_url: str, client_id: str,
    client_secret: str, domains: list[str], provider_enforces_mfa: bool,
) -> CouncilSignIn:
    """Set an LA's own OpenID Connect provider. A blank client secret keeps the one saved.

    The audit event names what changed; of the secret it records only its last four
    characters.
    """
    from .council_sign_in import encrypt_secret

    config = CouncilSignIn.objects.select_for_update().filter(local_authority=local_authority).first()
    errors: dict[str, str] = {}
    if config is None and not client_secret:
        errors["client_secret"] = "Enter the client secret"  # nosec B105 - an error message
    domains = sorted({d.strip().lower() for d in domains if d.strip()})
    if not domains:
        errors["domains"] = "Enter at least one email domain, like staffordshire.gov.uk"
    taken = (CouncilSignInDomain.objects.filter(domain__in=domains)
             .exclude(council_sign_in__local_authority=local_authority).values_list("domain", flat=True))
    if taken:
        errors["domains"] = f"{', '.join(sorted(taken))} is already used by another local authority's sign-in"
    if errors:
        raise ValidationError(errors)
    before = _council_sign_in_snapshot(config)
    if config is None:
        config = CouncilSignIn(local_authority=local_authority)
    config.issuer_url = issuer_url.strip().rstrip("/")
    config.client_id = client_id.strip()
    if client_secret:
        config.client_secret_encrypted = encrypt_secret(client_secret)
        config.client_secret_hint = client_secret[-4:]
    config.provider_enforces_mfa = provider_enforces_mfa
    config.updated_at = timezone.now()
    config.updated_by = actor
    config.save()
    config.domains.exclude(domain__in=domains).delete()
    existing = set(config.domains.values_list("domain", flat=True))
    CouncilSignInDomain.objects.bulk_create(
        [CouncilSignInDomain(council_sign_in=config, domain=d) for d in domains if d not in existing]
    )
    changes = diff(before, _council_sign_in_snapshot(config))
    audit_record(actor=actor, verb=Verb.CREATED if not before else Verb.UPDATED, obj=config, changes=changes)
    return config


def _council_sign_in_snapshot(config: CouncilSignIn | None) -> dict:
    if config is None:
        return {}
    return {**snapshot(config, COUNCIL_SIGN_IN_FIELDS[:-1]),
            "domains": sorted(config.domains.values_list("domain", flat=True))}


@transaction.atomic
def council_sign_in_accept(*, user: User, config: CouncilSignIn, uid: str, claims: dict) -> User:
    """A member of staff came in through their LA's provider (accounts.adapters decided
    they match). Any invitation still waiting is used up: they no longer need a password.

    The audit event records what the provider said about how they signed in (the ID
    token's amr and acr claims) and whether the portal's own second factor is skipped.
    """
    now = timezone.now()
    pending = list(user.invitations.filter(used_at__isnull=True, expires_at__gt=now).values_list("pk", flat=True))
    if pending:
        Invitation.objects.filter(pk__in=pending).update(used_at=now)
    audit_record(
        actor=user, verb=Verb.ACCEPTED, object_type="accounts.councilsignin", object_id=config.pk,
        changes={
            "method": "council_sign_in",
            "local_authority": config.local_authority_id,
            "provider_id": config.provider_id,
            "subject": uid,
            "provider_said": claims,
            "provider_enforces_mfa": config.provider_enforces_mfa,
            "invitations_used": pending,
        },
    )
    return user
