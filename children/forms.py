"""GOV.UK forms for children, their time in care, their schools and their teams.

Forms check what was typed; the services check that it makes sense against what is
stored (dates in order, the right kind of person for a role) and raise ValidationError,
which the views put back on the form. The date rules against what is stored are the
services' own functions (children.services.*_errors), called by the forms' clean too, so a
wrong date is reported with the form's other errors, not on a second submit.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from children import services
from children.models import YEAR_GROUP_CHOICES, CareEpisode, Child, SchoolPlacement, upn_validator
from core.forms import GovDateField, GovForm
from core.roles import TEAM_ROLES, Role, role_choices


class ChildSearchForm(GovForm):
    q = forms.CharField(label="Name or LA reference", required=False, max_length=100)
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    year_group = forms.TypedChoiceField(
        label="Year group", required=False, coerce=int, empty_value=None,
        choices=[("", "Any year group"), *YEAR_GROUP_CHOICES],
    )
    social_worker = forms.TypedChoiceField(label="Social worker", required=False, coerce=int,
                                           empty_value=None)

    def __init__(self, *args, schools=(), social_workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "Any school"), *[(s.pk, s.name) for s in schools]]
        self.fields["social_worker"].choices = [
            ("", "Any social worker"), *[(u.pk, u.full_name) for u in social_workers]
        ]


def _date(label: str, required_message: str, *, hint: str = "For example, 27/3/2026", **kwargs) -> GovDateField:
    return GovDateField(label=label, help_text=hint, error_messages={"required": required_message}, **kwargs)


def _not_in_future(value, message: str):
    if value and value > timezone.localdate():
        raise ValidationError(message)
    return value


class ChildForm(GovForm):
    la_reference = forms.CharField(
        label="LA reference", max_length=32, help_text="The reference your local authority's case system uses",
        error_messages={"required": "Enter the child's LA reference"},
    )
    first_name = forms.CharField(label="First name", max_length=100,
                                 error_messages={"required": "Enter the child's first name"})
    last_name = forms.CharField(label="Last name", max_length=100,
                                error_messages={"required": "Enter the child's last name"})
    preferred_name = forms.CharField(label="Preferred name (optional)", max_length=100, required=False,
                                     help_text="If they like to be called something other than their first name")
    date_of_birth = _date("Date of birth", "Enter the child's date of birth", hint="For example, 27/3/2014")
    gender = forms.ChoiceField(label="Gender", choices=Child.Gender.choices, widget=forms.RadioSelect,
                               initial=Child.Gender.NOT_KNOWN,
                               error_messages={"required": "Select the child's gender"})
    ethnicity = forms.CharField(label="Ethnicity (optional)", max_length=100, required=False)
    first_language = forms.CharField(label="First language (optional)", max_length=60, required=False)
    upn = forms.CharField(label="Unique pupil number (UPN) (optional)", max_length=20, required=False,
                          help_text="13 characters: a check letter, 11 digits, then a digit or letter. If it is not "
                                    "known, enter the reason code UN1 to UN5")
    legal_status = forms.ChoiceField(label="Legal status (optional)", required=False,
                                     choices=[("", "Not recorded"), *Child.LegalStatus.choices])
    safeguarding_notes = forms.CharField(
        label="Safeguarding notes (professionals only)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Child._meta.get_field("safeguarding_notes").max_length,
        help_text="Carers and the young person never see this",
    )
    restricted_contacts = forms.CharField(
        label="Restricted contacts (professionals only)", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=Child._meta.get_field("restricted_contacts").max_length,
        help_text="People who must not be told where the child lives or goes to school. Carers and the young "
                  "person never see this",
    )

    def __init__(self, *args, professional: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not professional:
            # Defence in depth: someone who may not read these fields never gets them in a form.
            for name in Child.PROFESSIONAL_ONLY_FIELDS:
                del self.fields[name]

    def clean_date_of_birth(self):
        return _not_in_future(self.cleaned_data["date_of_birth"], "The date of birth must be in the past")

    def clean_upn(self):
        upn = self.cleaned_data["upn"].replace(" ", "").upper()
        if upn:
            upn_validator(upn)
        return upn


def _report(form: forms.Form, errors: dict[str, str]) -> None:
    """Put a service's date rule errors on the form, beside its own (one message a field)."""
    for name, message in errors.items():
        if name not in form.errors:
            form.add_error(name if name in form.fields else None, message)


class CareEpisodeStartForm(GovForm):
    entered_care_on = _date("Date they entered care", "Enter the date they entered care")
    reason = forms.CharField(label="Reason (optional)", max_length=200, required=False)

    def __init__(self, *args, child: Child | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child

    def clean_entered_care_on(self):
        return _not_in_future(self.cleaned_data["entered_care_on"], "The date they entered care must be today "
                                                                     "or in the past")

    def clean(self):
        cleaned = super().clean()
        if self.child is not None and cleaned.get("entered_care_on"):
            _report(self, services.care_episode_start_errors(child=self.child,
                                                             entered_care_on=cleaned["entered_care_on"]))
        return cleaned


class CareEpisodeEndForm(GovForm):
    left_care_on = _date("Date they left care", "Enter the date they left care")

    def clean_left_care_on(self):
        return _not_in_future(self.cleaned_data["left_care_on"], "The date they left care must be today or in the past")

    def __init__(self, *args, episode: CareEpisode | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode

    def clean(self):
        cleaned = super().clean()
        if self.episode is not None and cleaned.get("left_care_on"):
            _report(self, services.care_episode_end_errors(episode=self.episode,
                                                           left_care_on=cleaned["left_care_on"]))
        return cleaned


class PlacementStartForm(GovForm):
    school_urn = forms.CharField(
        label="School or setting URN", max_length=8,
        help_text="The unique reference number (URN) of the school, early years setting or post-16 provider",
        error_messages={"required": "Enter the URN of the school or setting"},
    )
    year_group = forms.TypedChoiceField(
        label="Year group", choices=[("", "Select a year group"), *YEAR_GROUP_CHOICES], coerce=int,
        error_messages={"required": "Select the year group"},
    )
    started_on = _date("Date they started", "Enter the date they started at the school or setting")
    part_time_timetable = forms.BooleanField(label="They attend on a part-time timetable", required=False)
    alternative_provision = forms.CharField(
        label="Alternative provision (optional)", max_length=200, required=False,
        help_text="Where they are taught away from the school, if anywhere",
    )

    def __init__(self, *args, child: Child | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child

    def clean_school_urn(self) -> School:
        urn = self.cleaned_data["school_urn"].strip()
        school = School.objects.filter(urn=urn).first()
        if school is None:
            raise ValidationError("No school or setting has this URN")
        return school

    def clean(self):
        cleaned = super().clean()
        if self.child is not None and cleaned.get("started_on"):
            _report(self, services.placement_start_errors(child=self.child, started_on=cleaned["started_on"]))
        return cleaned


class PlacementEditForm(GovForm):
    year_group = forms.TypedChoiceField(
        label="Year group", choices=YEAR_GROUP_CHOICES, coerce=int,
        error_messages={"required": "Select the year group"},
    )
    part_time_timetable = forms.BooleanField(label="They attend on a part-time timetable", required=False)
    alternative_provision = forms.CharField(
        label="Alternative provision (optional)", max_length=200, required=False,
        help_text="Where they are taught away from the school, if anywhere",
    )


class PlacementEndForm(GovForm):
    ended_on = _date("Date the placement ended", "Enter the date the placement ended",
                     hint="Today or a date in the past, for example 27/3/2026")

    def __init__(self, *args, placement: SchoolPlacement | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement = placement

    def clean(self):
        cleaned = super().clean()
        if self.placement is not None and cleaned.get("ended_on"):
            _report(self, services.placement_end_errors(placement=self.placement, ended_on=cleaned["ended_on"]))
        return cleaned


class TeamLinkForm(GovForm):
    email = forms.EmailField(
        label="Email address of the person", help_text="They must already have a login in your local authority",
        error_messages={"required": "Enter the email address of the person to link",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    role = forms.ChoiceField(label="Their role for this child", choices=role_choices(TEAM_ROLES),
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select their role for this child",
                                             "invalid_choice": "Select a role from the list"})

    def __init__(self, *args, la: LocalAuthority, school: School | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.la = la
        self.school = school

    def clean(self):
        cleaned = super().clean()
        email = (cleaned.get("email") or "").strip().lower()
        if not email or "email" in self.errors:
            return cleaned
        # Only people of the child's LA can be found, so the form reveals nothing about other LAs'
        # logins; except designated teachers at the child's current school, whichever LA registered
        # them (children go to school out of area, and the child's LA grants them access).
        user = User.objects.filter(email__iexact=email, local_authority=self.la).first()
        if user is None and cleaned.get("role") == Role.DESIGNATED_TEACHER and self.school is not None:
            user = User.objects.filter(email__iexact=email, role=Role.DESIGNATED_TEACHER,
                                       school=self.school).first()
        if user is None:
            where = f"a login in {self.la.name}"
            if cleaned.get("role") == Role.DESIGNATED_TEACHER and self.school is not None:
                where += f" or a designated teacher's login at {self.school.name}"
            self.add_error("email", f"No one with {where} has this email address")
        else:
            cleaned["email"] = user
        return cleaned


class ImportForm(GovForm):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: child_ref, first_name, last_name, date_of_birth, gender, upn, entered_care_on, "
                  "school_urn, school_started_on, year_group, social_worker_email, designated_teacher_email, "
                  "carer_emails (separated by ;)",
        error_messages={"required": "Select a CSV file"},
    )

    MAX_BYTES = 10 * 1024 * 1024

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > self.MAX_BYTES:
            raise ValidationError("The file must be smaller than 10 MB")
        return f


class AccessRequestForm(GovForm):
    """A designated teacher asks a child's LA for access. It names the child; it finds nothing."""

    local_authority = forms.ModelChoiceField(
        label="The child's local authority", queryset=LocalAuthority.objects.order_by("name"),
        empty_label="Select the local authority",
        help_text="The council that looks after the child (it may not be the council your school is in)",
        error_messages={"required": "Select the child's local authority",
                        "invalid_choice": "Select a local authority from the list"},
    )
    first_name = forms.CharField(label="Child's first name", max_length=100,
                                 error_messages={"required": "Enter the child's first name"})
    last_name = forms.CharField(label="Child's last name", max_length=100,
                                error_messages={"required": "Enter the child's last name"})
    date_of_birth = _date("Child's date of birth", "Enter the child's date of birth", hint="For example, 14/3/2012")
    reason = forms.CharField(
        label="Why you need access", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        help_text="For example, the child joined your school on a date and you are their designated teacher",
        error_messages={"required": "Enter why you need access",
                        "max_length": "Why you need access must be 2,000 characters or fewer"},
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise ValidationError("The date of birth must be in the past")
        return value


class AccessDecisionForm(GovForm):
    """The child's LA picks which of its children (placed at the teacher's school) was meant."""

    child = forms.TypedChoiceField(label="Which child", coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": "Select the child to give access to",
                                                   "invalid_choice": "Select a child from the list"})

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {c.pk: c for c in candidates}
        self.fields["child"].choices = [
            (c.pk, f"{c.first_name} {c.last_name}, born {c.date_of_birth:%-d %B %Y} ({c.la_reference})")
            for c in candidates]

    def clean_child(self) -> Child:
        return self.candidates[self.cleaned_data["child"]]
