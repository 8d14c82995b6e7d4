"""Children in care, their care episodes, their schools, and the team around each child."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from accounts.models import LocalAuthority, School
from core.roles import TEAM_ROLES, role_choices

from .upn import validate_upn


class Phase(models.TextChoices):
    EARLY_YEARS = "early_years", "Early years"
    SCHOOL_AGE = "school_age", "School age"
    POST_16 = "post_16", "Post-16"


# National curriculum year groups: -2 and -1 are the two early-years years before
# Reception (0); 12 and 13 are post-16.
YEAR_GROUP_CHOICES = [
    (-2, "Early years (age 2 to 3)"),
    (-1, "Nursery (age 3 to 4)"),
    (0, "Reception"),
    *[(n, f"Year {n}") for n in range(1, 14)],
]


def phase_for_year_group(year_group: int | None) -> str | None:
    if year_group is None:
        return None
    if year_group < 0:
        return Phase.EARLY_YEARS
    if year_group <= 11:
        return Phase.SCHOOL_AGE
    return Phase.POST_16


# The DfE check letter and the "not known" codes UN1 to UN5 (children/upn.py).
upn_validator = validate_upn


class Child(models.Model):
    class LegalStatus(models.TextChoices):
        S20 = "s20", "Section 20 (accommodated)"
        ICO = "ico", "Interim care order"
        CO = "co", "Full care order"
        PO = "po", "Placement order"
        EPO = "epo", "Emergency protection order"
        REMAND = "remand", "Remanded to local authority accommodation"
        OTHER = "other", "Other"

    class Gender(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        OTHER = "other", "Other"
        NOT_KNOWN = "not_known", "Not known"

    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="children"
    )
    la_reference = models.CharField("LA reference", max_length=32)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=10, choices=Gender.choices, default=Gender.NOT_KNOWN)
    ethnicity = models.CharField(max_length=100, blank=True)
    first_language = models.CharField(max_length=60, blank=True, default="English")
    upn = models.CharField("UPN", max_length=13, blank=True, validators=[upn_validator])
    legal_status = models.CharField(max_length=8, choices=LegalStatus.choices, blank=True)
    # Professional-only: carers and young people never see these fields.
    safeguarding_notes = models.TextField(max_length=10_000, blank=True)
    restricted_contacts = models.TextField(max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    PROFESSIONAL_ONLY_FIELDS = ("safeguarding_notes", "restricted_contacts")

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "children"
        constraints = [
            models.UniqueConstraint(
                fields=["local_authority", "la_reference"], name="child_ref_unique_in_la"
            ),
        ]
        indexes = [
            # Virtual School search by name within an LA.
            models.Index(fields=["local_authority", "last_name", "first_name"], name="child_la_name_idx"),
            # The retention review: an LA's children born before a date (75th birthdays passed).
            models.Index(fields=["local_authority", "date_of_birth"], name="child_la_dob_idx"),
        ]
        permissions = [("view_child_record", "May open this child's record")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def destroy_after(self) -> dt.date:
        """Care records are kept until the child's 75th birthday."""
        try:
            return self.date_of_birth.replace(year=self.date_of_birth.year + 75)
        except ValueError:  # 29 February
            return self.date_of_birth.replace(year=self.date_of_birth.year + 75, day=28)


class CareEpisode(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_episodes")
    entered_care_on = models.DateField()
    left_care_on = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-entered_care_on"]
        constraints = [
            models.CheckConstraint(
                name="episode_ends_after_start",
                condition=models.Q(left_care_on__isnull=True)
                | models.Q(left_care_on__gte=models.F("entered_care_on")),
            ),
            # At most one open episode per child.
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(left_care_on__isnull=True),
                name="one_open_care_episode",
            ),
        ]


class CareHistoryEpisode(models.Model):
    """One SSDA903 episode: a stretch of a time in care with one legal status and one placement.

    A time in care (CareEpisode) is one or more of these, the next starting the day the
    last ceased (reason X1). The codes are the DfE's (SSDA903 guidance); `placement_urn`
    is the Ofsted number of the care placement, not a school.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="care_history")
    care_episode = models.ForeignKey(CareEpisode, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="history")
    starts_on = models.DateField("DECOM")
    ends_on = models.DateField("DEC", null=True, blank=True)
    reason_new_episode = models.CharField("RNE", max_length=2, blank=True)
    legal_status = models.CharField("LS", max_length=2, blank=True)
    category_of_need = models.CharField("CIN", max_length=2, blank=True)
    placement_type = models.CharField("PLACE", max_length=3, blank=True)
    placement_provider = models.CharField("PLACE_PROVIDER", max_length=3, blank=True)
    reason_ceased = models.CharField("REC", max_length=4, blank=True)
    reason_place_change = models.CharField("REASON_PLACE_CHANGE", max_length=6, blank=True)
    home_postcode = models.CharField("HOME_POST", max_length=8, blank=True)
    placement_postcode = models.CharField("PL_POST", max_length=8, blank=True)
    placement_urn = models.CharField("URN", max_length=8, blank=True)

    class Meta:
        ordering = ["child", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["child", "starts_on"], name="one_history_episode_per_start"),
        ]


class SchoolPlacement(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="placements")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="placements")
    year_group = models.SmallIntegerField(choices=YEAR_GROUP_CHOICES)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    part_time_timetable = models.BooleanField(default=False)
    alternative_provision = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                name="placement_ends_after_start",
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
            ),
            models.UniqueConstraint(
                fields=["child"], condition=models.Q(ended_on__isnull=True),
                name="one_current_placement",
            ),
        ]
        indexes = [
            # A designated teacher's children: current placements at one school.
            models.Index(fields=["school", "ended_on"], name="placement_school_idx"),
        ]

    @property
    def phase(self) -> str | None:
        return phase_for_year_group(self.year_group)

    @property
    def is_current(self) -> bool:
        # An end date, once recorded, ends the placement (and the school's access) at once.
        return self.ended_on is None


class TeamMembership(models.Model):
    """A person linked to a child in a role, from a date and until a date.

    Designated teachers are linked like everyone else, by the child's own LA: automatically
    when the LA places the child at the school of a designated teacher it registered (and
    unlinked when the placement ends), or by its staff, or by its approving an access request
    from a designated teacher another LA registered. A shared school never shares children.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_links")
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="team")
    role = models.CharField(max_length=20, choices=role_choices(TEAM_ROLES))
    starts_on = models.DateField(default=timezone.localdate)
    ends_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["role", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "child", "role"], condition=models.Q(ends_on__isnull=True),
                name="one_open_link_per_role",
            ),
        ]
        indexes = [
            # "My children" for a social worker, carer or young person.
            models.Index(fields=["user", "ends_on"], name="team_user_idx"),
            models.Index(fields=["child", "ends_on"], name="team_child_idx"),
        ]

    @property
    def is_active(self) -> bool:
        # An end date, once recorded, ends the link (and its access) at once.
        return self.ends_on is None and self.starts_on <= timezone.localdate()


class ChildUserObjectPermission(UserObjectPermissionBase):
    """django-guardian's per-child grants as a direct foreign key (it scales; generic does not)."""

    content_object = models.ForeignKey(Child, on_delete=models.CASCADE)


class AccessRequest(models.Model):
    """A designated teacher registered by another LA asks a child's LA for access to a named child.

    The requester learns nothing about whether such a child exists: the child's LA staff see
    the request with their children placed at the requester's school, and approve (which
    links the teacher to the child they pick, through children.services.team_link) or decline.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    requester = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="child_access_requests")
    # The LA the requester says the child belongs to: only its staff see the request.
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE,
                                        related_name="child_access_requests")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    child = models.ForeignKey(Child, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # An LA's pending requests, newest first.
            models.Index(fields=["local_authority", "status", "-created_at"], name="access_request_la_idx"),
        ]
