"""People, their one role, and the organisations they work for."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from core.roles import LOGIN_ROLES, STAFF_ROLES, Role, role_choices


class LocalAuthority(models.Model):
    name = models.CharField(max_length=200, unique=True)
    code = models.CharField(max_length=16, unique=True)
    pp_plus_visible_to_family = models.BooleanField(
        default=False, help_text="Carers and young people may see Pupil Premium Plus amounts."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self) -> str:
        return self.name


class LegalDetails(models.Model):
    """What the public pages (accessibility statement, privacy notice) must say about the
    council itself: who runs the service for it, how to reach them and its data protection
    officer. The LA's admins keep it up to date (accounts.views.legal_details_edit)."""

    local_authority = models.OneToOneField(LocalAuthority, on_delete=models.CASCADE, related_name="legal_details")
    contact_email = models.EmailField("Email for problems with the service")
    contact_phone = models.CharField("Phone number", max_length=40, blank=True)
    dpo_name = models.CharField("Data protection officer", max_length=200)
    dpo_email = models.EmailField("Data protection officer's email")
    postal_address = models.TextField("Postal address for data protection requests", max_length=500, blank=True)
    ico_registration = models.CharField("ICO registration number", max_length=20, blank=True)
    privacy_notice_url = models.URLField("The council's own privacy notice", max_length=500, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "legal details"

    def __str__(self) -> str:
        return f"Legal details of {self.local_authority}"


class School(models.Model):
    class Phase(models.TextChoices):
        EARLY_YEARS = "early_years", "Early years setting"
        PRIMARY = "primary", "Primary"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        POST_16 = "post_16", "Post-16 provider"
        ALTERNATIVE_PROVISION = "alternative", "Alternative provision (pupil referral unit)"

    class Ofsted(models.TextChoices):
        OUTSTANDING = "outstanding", "Outstanding"
        GOOD = "good", "Good"
        REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement"
        INADEQUATE = "inadequate", "Inadequate"
        NOT_INSPECTED = "not_inspected", "Not yet inspected"

    # Schools are identified nationally by their unique reference number (URN) and are
    # shared across local authorities: children are often placed out of area.
    urn = models.CharField("URN", max_length=8, unique=True)
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=20, choices=Phase.choices)
    ofsted_rating = models.CharField(
        max_length=24, choices=Ofsted.choices, default=Ofsted.NOT_INSPECTED
    )
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OPEN_PROPOSED_TO_CLOSE = "closing", "Open, but proposed to close"
        PROPOSED_TO_OPEN = "proposed", "Proposed to open"
        CLOSED = "closed", "Closed"

    # The school's own LA, as GIAS names it. That LA need not use the portal, so this is
    # plain text; `local_authority` is filled only when the LA is one of the portal's.
    la_code = models.CharField("LA code", max_length=8, blank=True)
    la_name = models.CharField("LA name", max_length=100, blank=True)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="schools", null=True, blank=True,
        help_text="The school's own LA when that LA uses the portal.",
    )
    establishment_type = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    @property
    def needs_half_termly_reviews(self) -> bool:
        return self.ofsted_rating in {self.Ofsted.REQUIRES_IMPROVEMENT, self.Ofsted.INADEQUATE}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.LA_ADMIN)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Keyed on email; holds one role in one organisation."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=24, choices=role_choices(LOGIN_ROLES))
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        help_text="The LA a social worker, carer, young person, Virtual School officer or admin works with.",
    )
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        help_text="The school of a designated teacher.",
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use Django's admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                name="designated_teacher_has_school",
                condition=~models.Q(role="designated_teacher") | models.Q(school__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def organisation(self) -> LocalAuthority | School | None:
        return self.school if self.role == Role.DESIGNATED_TEACHER else self.local_authority


class Invitation(models.Model):
    """A single-use link that lets a newly registered person set their password."""

    LIFETIME_HOURS = 72

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class LoginRequest(models.Model):
    """Somebody asking for a login; an LA admin approves (inviting them) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    full_name = models.CharField(max_length=200)
    email = models.EmailField()
    role = models.CharField(max_length=24, choices=role_choices(LOGIN_ROLES))
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE)
    school_urn = models.CharField(max_length=8, blank=True)
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The admin's queue: pending requests of one LA.
            models.Index(fields=["local_authority", "status"], name="loginrequest_queue_idx"),
        ]


def new_request_id() -> str:
    return uuid.uuid4().hex


class CouncilSignIn(models.Model):
    """An LA's own OpenID Connect provider (Microsoft Entra ID or another), through which
    its staff sign in with their council account instead of a portal password.

    allauth's openid_connect provider reads it as a SocialApp built on the fly
    (accounts.council_sign_in.social_app_for): the client secret is kept here encrypted,
    never in allauth's plain-text SocialApp table, and never shown back in full.
    """

    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="council_sign_in"
    )
    issuer_url = models.URLField("Issuer URL", max_length=500)
    client_id = models.CharField(max_length=255)
    client_secret_encrypted = models.TextField(max_length=2000)
    # The last four characters, so that an admin can tell which secret is in use.
    client_secret_hint = models.CharField(max_length=4)
    provider_enforces_mfa = models.BooleanField(
        default=False,
        help_text="The council's provider always asks for a second factor, so the portal does not ask again.",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self) -> str:
        return f"Council sign-in for {self.local_authority}"

    @property
    def provider_id(self) -> str:
        """allauth's provider_id, in the sign-in and callback URLs."""
        return f"council-{self.local_authority_id}"


class CouncilSignInDomain(models.Model):
    """An email domain whose people sign in through one LA's provider. A domain belongs to
    one LA at most, so that the address a person types picks exactly one provider."""

    council_sign_in = models.ForeignKey(CouncilSignIn, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain
