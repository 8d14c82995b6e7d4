"""PEPs, their sections, and each LA's configuration of sections and editors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import LocalAuthority
from children.models import Child, Phase


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class SectionConfig(models.Model):
    """Per LA and phase: which sections a PEP has, their titles, and who edits each.

    A PEP copies the configuration when it is created, so a later change never alters an
    existing (let alone an approved) PEP.
    """

    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.CASCADE, related_name="section_configs")
    phase = models.CharField(max_length=12, choices=Phase.choices)
    letter = models.CharField(max_length=1)
    title = models.CharField(max_length=120)
    editor_roles = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["local_authority", "phase", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["local_authority", "phase", "letter"], name="one_config_per_section"),
        ]

    def __str__(self) -> str:
        return f"{self.local_authority.code} {self.phase} {self.letter}: {self.title}"


class Pep(models.Model):
    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial PEP"
        TERMLY = "termly", "Termly review"
        CHANGE_OF_SCHOOL = "change_of_school", "Change of school"
        TRANSITION = "transition", "Transition"
        CONCERN = "concern", "Concern review"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for quality assurance"
        RETURNED = "returned", "Returned for changes"
        APPROVED = "approved", "Approved"

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="peps")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    phase = models.CharField(max_length=12, choices=Phase.choices, help_text="The child's phase when the PEP began.")
    academic_year = models.CharField(max_length=7, help_text="Like 2026/27")
    term = models.CharField(max_length=6, choices=Term.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Set when the meeting is recorded (meetings app); deadlines count a PEP as met by it.
    meeting_held_on = models.DateField(null=True, blank=True)
    previous = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    concern_reason = models.TextField(max_length=2000, blank=True)
    returned_reason = models.TextField(max_length=5000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The PDF rendered once on approval and served unchanged ever after.
    approved_pdf = models.FileField(upload_to="approved-peps/", blank=True)
    approved_pdf_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open PEP per child.
            models.UniqueConstraint(
                fields=["child"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="one_open_pep_per_child",
            ),
        ]
        indexes = [
            # A child's PEP history, newest first.
            models.Index(fields=["child", "-created_at"], name="pep_child_idx"),
            # Dashboards: PEPs of a term by status.
            models.Index(fields=["academic_year", "term", "status"], name="pep_term_status_idx"),
            # quality.selectors.approved_without_pdf: approved PEPs whose stored PDF is still
            # missing (the catch-up sweep every five minutes, the Virtual School's home page).
            models.Index(fields=["approved_at"], condition=models.Q(status="approved", approved_pdf=""),
                         name="pep_approved_without_pdf_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.term} {self.academic_year}"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def label(self) -> str:
        return f"{self.get_term_display()} term {self.academic_year} – {self.get_kind_display()}"


class SupersededPdf(models.Model):
    """The stored PDF of an approval that the Virtual School later reopened: kept, unchanged.

    A new approval stores a new PDF on the PEP; the old one stays here with who reopened the
    PEP, when, and why.
    """

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="superseded_pdfs")
    file = models.FileField(upload_to="approved-peps/")
    sha256 = models.CharField(max_length=64, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    reopened_at = models.DateTimeField(default=timezone.now)
    reopened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(max_length=5000)

    class Meta:
        ordering = ["-reopened_at", "-pk"]

    def __str__(self) -> str:
        return f"Superseded PDF of PEP {self.pep_id} ({self.reopened_at:%Y-%m-%d})"


class ProfessionalPdf(models.Model):
    """A stored professionals' copy of an approved PEP (issue 14): everything, the QA review
    and professional-only fields included. Pep.approved_pdf is the family's copy.

    Rendered with the family's copy on approval, from the same data, and never changed. Two
    per approval: with PP+ amounts (the social worker, the school, the Virtual School) and
    without (professionals who may not see amounts: LA admins, IROs, personal advisers).
    When the Virtual School reopens the PEP, the copies of that approval are tied to its
    SupersededPdf and the next approval stores new ones.
    """

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="professional_pdfs")
    superseded = models.ForeignKey(SupersededPdf, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="professional_pdfs")
    with_pp_plus_amounts = models.BooleanField()
    file = models.FileField(upload_to="approved-peps/")
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One current copy per audience; the pep's current copies are also the ones a
            # download reads (pep, superseded IS NULL, with_pp_plus_amounts).
            models.UniqueConstraint(fields=["pep", "with_pp_plus_amounts"], condition=models.Q(superseded=None),
                                    name="one_current_professional_pdf"),
            models.UniqueConstraint(fields=["superseded", "with_pp_plus_amounts"],
                                    name="one_professional_pdf_per_superseded_copy"),
        ]

    def __str__(self) -> str:
        return f"Professionals' PDF of PEP {self.pep_id}"


class Section(models.Model):
    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETE = "complete", "Complete"

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="sections")
    letter = models.CharField(max_length=1)
    title = models.CharField(max_length=120)
    # Copied from SectionConfig when the PEP is created.
    editor_roles = models.JSONField(default=list)
    data = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    # Optimistic locking: a save on a stale version is refused and shown as a conflict.
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pep", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["pep", "letter"], name="one_section_per_letter"),
        ]

    def __str__(self) -> str:
        return f"Section {self.letter}: {self.title}"


class SupportingDocument(models.Model):
    """A file added to a PEP (provision map, support plan, report, example of work).

    The bytes live under MEDIA_ROOT with a random name and no extension (outside the web
    root; MEDIA_URL is not served), and leave only through a permission-checked view.
    """

    class Visibility(models.TextChoices):
        PROFESSIONALS = "professionals", "Professionals only"
        TEAM = "team", "The whole team, including the carer and the young person"

    pep = models.ForeignKey(Pep, on_delete=models.CASCADE, related_name="documents")
    # Who can see it: carers and young people see a document only when it is shared with the
    # whole team (peps.policies.document_visible); everything else is for professionals.
    visibility = models.CharField(max_length=13, choices=Visibility.choices, default=Visibility.PROFESSIONALS)
    original_name = models.CharField(max_length=255)
    stored_name = models.CharField(max_length=100, unique=True)
    content_type = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.CharField(max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name


class StashedSectionPost(models.Model):
    """What a person typed into a section when their session had already ended.

    The POST arrives without a session, so it cannot go into the (dead) session. It is kept
    only for a browser that held a session of that person (accounts.signed_in_browser),
    for a section that person may edit, within the form's own limits, and once per person
    and section (a newer POST replaces it). It is found again by a random token that
    travels through the login page's `next` address and must match a cookie set on the
    same browser; the form is pre-filled from it once the same person has signed in.
    """

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # One kept POST per person per section (it also serves the lookup on restore).
            models.UniqueConstraint(fields=["user", "section"], name="one_stash_per_person_section"),
        ]
        indexes = [
            # Expired stashes are swept by age.
            models.Index(fields=["created_at"], name="stash_created_idx"),
        ]
