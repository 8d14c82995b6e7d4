"""The sections of a PEP, defined in code per phase, as GOV.UK forms.

Each section's data is kept in `Section.data` (JSON). The form for a section is looked up
by the PEP's phase and the section's letter (`form_class_for`). Fields that are reported
on (attendance, SEN status, attainment, EET/NEET) are typed; narrative fields are text.

Every field is optional while someone "saves and comes back later"; "mark as complete"
checks the section's mandatory fields (`mandatory`) with a GOV.UK message each.
Fields listed in `professional_only` are never shown to (or edited by) carers and young
people: they are dropped from the form and kept as stored when such a person saves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms
from django.utils import timezone

from children.models import YEAR_GROUP_CHOICES, Child, Phase
from core.forms import GovDateField, GovForm
from core.roles import Role
from core.text import lower_first

ATTENDANCE_THRESHOLD = Decimal("95")
TERM_SESSIONS = ["term_sessions_possible", "term_sessions_present", "term_sessions_authorised",
                 "term_sessions_unauthorised"]

ATTAINMENT_CHOICES = [
    ("below", "Below age-related expectations"),
    ("working_towards", "Working towards age-related expectations"),
    ("at", "At age-related expectations"),
    ("above", "Above age-related expectations"),
]
SEN_CHOICES = [
    ("none", "No special educational needs"),
    ("sen_support", "SEN support"),
    ("ehcp", "Education, health and care plan (EHCP)"),
]
PLACEMENT_CHOICES = [
    ("foster", "Foster care"),
    ("kinship", "Kinship or family and friends care"),
    ("residential", "Children's home (residential)"),
    ("parents", "Placed with parents"),
    ("supported", "Supported or semi-independent living"),
    ("adoption", "Placed for adoption"),
    ("secure", "Secure unit or custody"),
    ("other", "Other"),
]
EET_CHOICES = [
    ("education", "In education"),
    ("employment", "In employment"),
    ("training", "In training or an apprenticeship"),
    ("neet", "Not in education, employment or training (NEET)"),
]
FEEL_SAFE_CHOICES = [
    ("yes", "Yes"),
    ("mostly", "Most of the time"),
    ("not_always", "Not always"),
    ("no", "No"),
]
YES_NO = [("yes", "Yes"), ("no", "No")]

# The seven areas of learning and development of the EYFS (Development Matters).
DEVELOPMENT_MATTERS_AREAS = [
    ("dm_communication", "Communication and language"),
    ("dm_personal_social", "Personal, social and emotional development"),
    ("dm_physical", "Physical development"),
    ("dm_literacy", "Literacy"),
    ("dm_mathematics", "Mathematics"),
    ("dm_understanding_world", "Understanding the world"),
    ("dm_expressive_arts", "Expressive arts and design"),
]


def _text(label: str, *, required: str | None = None, hint: str = "", rows: int = 4,
          max_length: int = 5000) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": required or f"Enter {lower_first(label)}",
                        "max_length": f"{label} must be {max_length} characters or fewer"},
    )


def _line(label: str, *, required: str | None = None, hint: str = "", max_length: int = 200) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=hint, max_length=max_length,
        error_messages={"required": required or f"Enter {lower_first(label)}",
                        "max_length": f"{label} must be {max_length} characters or fewer"},
    )


def _choice(label: str, choices, *, required: str, hint: str = "", radios: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, help_text=hint, choices=choices if radios else [("", "Select an option"), *choices],
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": required, "invalid_choice": required},
    )


def _yes_no(label: str, *, required: str, hint: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, help_text=hint, choices=YES_NO, coerce=lambda v: v == "yes", empty_value=None,
        widget=forms.RadioSelect, error_messages={"required": required, "invalid_choice": required},
    )


def _count(label: str, *, hint: str = "", maximum: int = 365) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, help_text=hint, min_value=0, max_value=maximum,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": f"Enter {lower_first(label)}, or 0",
                        "invalid": f"{label} must be a whole number, like 2",
                        "min_value": f"{label} must be 0 or more",
                        "max_value": f"{label} must be {maximum} or fewer"},
    )


def _attendance() -> forms.DecimalField:
    return forms.DecimalField(
        label="Attendance this academic year (%)", min_value=0, max_value=100, decimal_places=1,
        max_digits=4, help_text="A number from 0 to 100, like 96.5. Below 95% is flagged.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-4"}),
        error_messages={"required": "Enter the attendance percentage",
                        "invalid": "Attendance must be a number, like 96.5",
                        "min_value": "Attendance must be 0%% or more",
                        "max_value": "Attendance must be 100%% or less",
                        "max_decimal_places": "Attendance must have no more than 1 decimal place",
                        "max_digits": "Attendance must be 100%% or less"},
    )


class SectionForm(GovForm):
    """The base of every section form: optional fields until "mark as complete"."""

    # (legend, [field names]) in page order; fields not listed are added at the end.
    groups: list[tuple[str, list[str]]] = []
    mandatory: tuple[str, ...] = ()
    professional_only: tuple[str, ...] = ()
    intro: str = ""

    def __init__(self, *args, mark_complete: bool = False, professional: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_complete = mark_complete
        # A check against what is stored outside the PEP (section A and the child's record,
        # set by peps.services.sections.section_form), run on every save; it reads
        # `self.mark_complete` for what completion needs.
        self.record_check: Callable[[SectionForm, dict[str, Any]], None] | None = None
        for field in self.fields.values():
            field.required = False
        if not professional:
            for name in self.professional_only:
                self.fields.pop(name, None)
        self.helper.layout = self._layout()

    def _layout(self) -> Layout:
        placed: set[str] = set()
        items = []
        for legend, names in self.groups:
            present = [n for n in names if n in self.fields]
            if not present:
                continue
            placed.update(present)
            items.append(Fieldset(*[self._field(n) for n in present], legend=legend, legend_size=Size.MEDIUM))
        items.extend(self._field(n) for n in self.fields if n not in placed)
        return Layout(*items)

    def _field(self, name: str):
        widget = self.fields[name].widget
        if isinstance(widget, forms.RadioSelect):
            return Field.radios(name, legend_size=Size.SMALL, small=False)
        return Field(name)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned is None:  # A parent's clean() may return None: Django keeps cleaned_data.
            cleaned = self.cleaned_data
        if self.mark_complete:
            for name in self.mandatory:
                if name in self.fields and name not in self.errors and _empty(cleaned.get(name), self.fields[name]):
                    self.add_error(name, self.fields[name].error_messages["required"])
        self.check(cleaned)
        if self.record_check is not None:
            self.record_check(self, cleaned)
        return cleaned

    def check(self, cleaned: dict[str, Any]) -> None:
        """Rules between fields (override per section); `self.mark_complete` says how strict."""

    def require(self, cleaned: dict[str, Any], name: str, message: str | None = None) -> None:
        if name in self.fields and name not in self.errors and _empty(cleaned.get(name), self.fields[name]):
            self.add_error(name, message or self.fields[name].error_messages["required"])

    def to_data(self) -> dict[str, Any]:
        """The cleaned values as JSON: dates as ISO strings, decimals as numbers."""
        return {name: _to_json(self.cleaned_data.get(name)) for name in self.fields}

    @classmethod
    def initial_from(cls, data: dict[str, Any]) -> dict[str, Any]:
        """Stored JSON back into form initial values."""
        initial = {}
        for name, field in cls.base_fields.items():
            if name not in data or data[name] is None:
                continue
            value = data[name]
            if isinstance(field, forms.TypedChoiceField) and isinstance(value, bool):
                value = "yes" if value else "no"
            elif isinstance(field, forms.DateField) and isinstance(value, str):
                try:
                    value = dt.date.fromisoformat(value)
                except ValueError:
                    pass
            initial[name] = value
        return initial

    @classmethod
    def display_rows(cls, data: dict[str, Any], *, professional: bool) -> list[dict[str, Any]]:
        """Label/value rows for a read-only view; professional-only rows only for professionals."""
        rows = []
        for name, field in cls.base_fields.items():
            hidden = name in cls.professional_only
            if hidden and not professional:
                continue
            value = data.get(name)
            rows.append({
                "name": name, "label": field.label, "value": _display(field, value),
                "professional_only": hidden, "flag": _flag(name, value),
            })
        return rows

    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls.base_fields)

    @classmethod
    def field_names_for(cls, *, professional: bool) -> list[str]:
        """The fields the form has for a professional, or for the family (without the
        professional-only ones)."""
        return [name for name in cls.base_fields if professional or name not in cls.professional_only]

    @classmethod
    def data_from(cls, cleaned: dict[str, Any], *, professional: bool) -> dict[str, Any]:
        """A valid form's cleaned values as JSON, for its own fields only (what `to_data`
        gives for the bound form): anything else in `cleaned` is ignored."""
        return {name: _to_json(cleaned.get(name)) for name in cls.field_names_for(professional=professional)}


def _empty(value: Any, field: forms.Field | None = None) -> bool:
    if isinstance(field, forms.BooleanField):
        return not value  # a confirmation box must be ticked
    return value is None or value == "" or value == []


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _display(field: forms.Field, value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = getattr(field, "choices", None)
    if choices:
        return str(dict(choices).get(value, dict((str(k), v) for k, v in choices).get(str(value), value)))
    if isinstance(field, forms.DateField):
        try:
            return dt.date.fromisoformat(value).strftime("%-d %B %Y")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(field, forms.DecimalField):
        return f"{value:g}%"
    return str(value)


def _flag(name: str, value: Any) -> str:
    if name == "attendance_percent" and isinstance(value, int | float) and Decimal(str(value)) < ATTENDANCE_THRESHOLD:
        return "Below 95%"
    return ""


def attendance_is_low(data: dict[str, Any]) -> bool:
    return bool(_flag("attendance_percent", data.get("attendance_percent")))


# --------------------------------------------------------------------------------------
# A: care and contacts (social worker)
# --------------------------------------------------------------------------------------


class CareSection(SectionForm):
    legal_status = _choice("Legal status", Child.LegalStatus.choices, required="Select the child's legal status",
                           radios=False)
    date_entered_care = GovDateField(label="Date the child entered care", help_text="For example, 27/3/2024")
    placement_type = _choice("Type of placement", PLACEMENT_CHOICES, required="Select the type of placement",
                             radios=False)
    carer_name = _line("Carer's name", required="Enter the carer's name")
    carer_contact = _line("Carer's phone number or email address", required="Enter how to contact the carer")
    social_worker_name = _line("Social worker's name", required="Enter the social worker's name")
    social_worker_contact = _line("Social worker's phone number or email address",
                                  required="Enter how to contact the social worker")
    parental_responsibility = _text(
        "Who holds parental responsibility", rows=3,
        required="Enter who holds parental responsibility",
    )
    delegated_authority = _text(
        "Delegated authority: what the carer can agree to", rows=3,
        hint="For example, school trips, photographs, after-school clubs",
        required="Enter what the carer has delegated authority to agree to",
    )
    health_summary = _text("Health summary", rows=4, required="Enter a summary of the child's health",
                           hint="Only professionals see this")
    other_agencies = _text("Other agencies involved", rows=3, hint="For example, CAMHS, speech and language therapy",
                           required="Enter the other agencies involved, or ‘None’")

    groups = [
        ("Care", ["legal_status", "date_entered_care", "placement_type", "parental_responsibility",
                  "delegated_authority"]),
        ("Contacts", ["carer_name", "carer_contact", "social_worker_name", "social_worker_contact"]),
        ("Health and other agencies", ["health_summary", "sdq_score", "other_agencies"]),
    ]
    # Legal status, the date entered care, carers and social worker are the child record's
    # facts (peps.care_record): the record holds them, so completing section A does not ask.
    mandatory = ("placement_type", "parental_responsibility", "delegated_authority")
    # Legal status is for professionals: the carer and the young person never see it.
    professional_only: tuple[str, ...] = ("legal_status", "health_summary")

    def check(self, cleaned):
        entered = cleaned.get("date_entered_care")
        if entered and entered > timezone.localdate():
            self.add_error("date_entered_care", "The date the child entered care must be today or in the past")


class CareSectionSchoolAge(CareSection):
    sdq_score = forms.IntegerField(
        label="Strengths and Difficulties Questionnaire (SDQ) score", min_value=0, max_value=40,
        help_text="From 0 to 40. Only professionals see this.",
        # A text box with a numeric keypad (GOV.UK: not type=number), styled as a GOV.UK input.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false",
                                      "class": "govuk-input govuk-input--width-3"}),
        error_messages={"required": "Enter the SDQ score", "invalid": "The SDQ score must be a whole number",
                        "min_value": "The SDQ score must be 0 or more",
                        "max_value": "The SDQ score must be 40 or less"},
    )
    professional_only = ("legal_status", "health_summary", "sdq_score")


# --------------------------------------------------------------------------------------
# B: education (designated teacher)
# --------------------------------------------------------------------------------------


class _EducationBase(SectionForm):
    school_name = _line("School or setting", required="Enter the name of the school or setting")
    year_group = forms.TypedChoiceField(
        label="Year group", choices=[("", "Select a year group"), *YEAR_GROUP_CHOICES], coerce=int, empty_value=None,
        error_messages={"required": "Select the year group", "invalid_choice": "Select the year group"},
    )
    attendance_percent = _attendance()
    # This term's sessions, kept in the child's education record (peps.record_link): when
    # given, the attendance percentage is worked out from the record, never typed.
    term_sessions_possible = _count("Possible sessions this term", maximum=400,
                                    hint="Half-day sessions. Leave the four session boxes blank if the school "
                                         "has not given them.")
    term_sessions_present = _count("Sessions present this term", maximum=400)
    term_sessions_authorised = _count("Sessions of authorised absence this term", maximum=400)
    term_sessions_unauthorised = _count("Sessions of unauthorised absence this term", maximum=400)
    sen_status = _choice("Special educational needs (SEN) status", SEN_CHOICES,
                         required="Select the child's SEN status")
    sen_details = _text("SEN needs and provision", rows=3, required="Enter the SEN needs and provision",
                        hint="What the needs are and what is in place")


def _attainment(subject: str) -> forms.ChoiceField:
    return _choice(subject, ATTAINMENT_CHOICES, required=f"Select attainment in {subject.lower()}")


class EducationSchoolAge(_EducationBase):
    suspensions_count = _count("Number of suspensions this academic year")
    suspension_days = _count("Days lost to suspensions this academic year")
    permanent_exclusions = _count("Number of permanent exclusions this academic year", maximum=10)
    exclusion_details = _text("Suspensions and exclusions: reasons and support", rows=3,
                              required="Enter the reasons and the support put in place")
    part_time_timetable = _yes_no("Is the child on a part-time timetable?",
                                  required="Select yes if the child is on a part-time timetable")
    part_time_details = _text("Part-time timetable: hours and plan to return to full time", rows=3,
                              required="Enter the hours and the plan to return to full time")
    alternative_provision = _text("Alternative provision", rows=2, hint="Leave blank if none",
                                  required="Enter the alternative provision")
    attainment_english = _attainment("English")
    attainment_maths = _attainment("Maths")
    attainment_science = _attainment("Science")
    # At most 100 characters: the name of a subject in the education record.
    other_subject_1 = _line("Another subject (optional)", required="Enter the subject", max_length=100)
    attainment_other_1 = _choice("Attainment in that subject", ATTAINMENT_CHOICES,
                                 required="Select attainment in the other subject", radios=False)
    other_subject_2 = _line("A further subject (optional)", required="Enter the subject", max_length=100)
    attainment_other_2 = _choice("Attainment in that further subject", ATTAINMENT_CHOICES,
                                 required="Select attainment in the further subject", radios=False)
    progress_notes = _text("Progress and achievements", rows=4, required="Enter the child's progress and achievements")
    semh = _text("Social, emotional and mental health (SEMH)", rows=4,
                 required="Enter the child's social, emotional and mental health needs and support")
    transition_planning = _text("Transition planning", rows=3, hint="Moves between key stages or schools",
                                required="Enter the transition planning, or ‘None due’")
    ks4_plan = _text("14 to 19 education, training and employment plan", rows=4,
                     hint="Needed for Years 10 and 11",
                     required="Enter the 14 to 19 plan for a child in Year 10 or 11")

    groups = [
        ("School", ["school_name", "year_group"]),
        ("Attendance", ["attendance_percent", *TERM_SESSIONS, "suspensions_count", "suspension_days",
                        "permanent_exclusions", "exclusion_details", "part_time_timetable", "part_time_details",
                        "alternative_provision"]),
        ("Special educational needs", ["sen_status", "sen_details"]),
        ("Attainment against age-related expectations",
         ["attainment_english", "attainment_maths", "attainment_science", "other_subject_1", "attainment_other_1",
          "other_subject_2", "attainment_other_2", "progress_notes"]),
        ("Wellbeing and next steps", ["semh", "transition_planning", "ks4_plan"]),
    ]
    mandatory = ("school_name", "year_group", "attendance_percent", "suspensions_count", "permanent_exclusions",
                 "part_time_timetable", "sen_status", "attainment_english", "attainment_maths",
                 "attainment_science", "progress_notes", "semh")

    def check(self, cleaned):
        for subject, rating in (("other_subject_1", "attainment_other_1"), ("other_subject_2", "attainment_other_2")):
            if cleaned.get(subject) and not cleaned.get(rating):
                self.require(cleaned, rating)
            if cleaned.get(rating) and not cleaned.get(subject):
                self.require(cleaned, subject)
        if not self.mark_complete:
            return
        if cleaned.get("sen_status") in ("sen_support", "ehcp"):
            self.require(cleaned, "sen_details")
        if cleaned.get("part_time_timetable"):
            self.require(cleaned, "part_time_details")
        if (cleaned.get("suspensions_count") or 0) + (cleaned.get("permanent_exclusions") or 0) > 0:
            self.require(cleaned, "exclusion_details")
        if cleaned.get("year_group") in (10, 11):
            self.require(cleaned, "ks4_plan")


def _development(area: str) -> forms.ChoiceField:
    return _choice(area, ATTAINMENT_CHOICES, required=f"Select development in {area.lower()}")


class EducationEarlyYears(_EducationBase):
    school_name = _line("Early years setting", required="Enter the name of the early years setting")
    funded_hours = forms.DecimalField(
        label="Funded hours a week", min_value=0, max_value=60, decimal_places=1, max_digits=3,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-3"}),
        error_messages={"required": "Enter the funded hours a week", "invalid": "Funded hours must be a number",
                        "min_value": "Funded hours must be 0 or more", "max_value": "Funded hours must be 60 or fewer"},
    )
    eypp_received = _yes_no("Does the setting receive Early Years Pupil Premium (EYPP)?",
                            required="Select yes if the setting receives Early Years Pupil Premium")
    eypp_use = _text("How the Early Years Pupil Premium is used", rows=3,
                     required="Enter how the Early Years Pupil Premium is used")
    dm_communication = _development("Communication and language")
    dm_personal_social = _development("Personal, social and emotional development")
    dm_physical = _development("Physical development")
    dm_literacy = _development("Literacy")
    dm_mathematics = _development("Mathematics")
    dm_understanding_world = _development("Understanding the world")
    dm_expressive_arts = _development("Expressive arts and design")
    development_notes = _text("Development: strengths and gaps", rows=4,
                              required="Enter the child's strengths and gaps in development")
    semh = _text("Personal, social and emotional wellbeing", rows=3,
                 required="Enter the child's social and emotional wellbeing")
    transition_planning = _text("Transition planning", rows=3, hint="For example, starting Reception",
                                required="Enter the transition planning, or ‘None due’")

    groups = [
        ("Setting", ["school_name", "year_group", "funded_hours", "attendance_percent"]),
        ("Attendance this term", TERM_SESSIONS),
        ("Early Years Pupil Premium", ["eypp_received", "eypp_use"]),
        ("Development Matters: development against age-related expectations",
         [area for area, _label in DEVELOPMENT_MATTERS_AREAS] + ["development_notes"]),
        ("Special educational needs", ["sen_status", "sen_details"]),
        ("Wellbeing and next steps", ["semh", "transition_planning"]),
    ]
    mandatory = ("school_name", "year_group", "attendance_percent", "eypp_received", "sen_status",
                 *[area for area, _label in DEVELOPMENT_MATTERS_AREAS], "development_notes")

    def check(self, cleaned):
        if not self.mark_complete:
            return
        if cleaned.get("eypp_received"):
            self.require(cleaned, "eypp_use")
        if cleaned.get("sen_status") in ("sen_support", "ehcp"):
            self.require(cleaned, "sen_details")


class EducationPost16(_EducationBase):
    school_name = _line("Provider (school, college, employer or training provider)",
                        required="Enter the name of the provider")
    eet_status = _choice("Education, employment or training status", EET_CHOICES,
                         required="Select the young person's education, employment or training status")
    course = _line("Course, apprenticeship or job", required="Enter the course, apprenticeship or job")
    course_level = _line("Level", hint="For example, Level 3 or A level", required="Enter the level")
    neet_since = GovDateField(label="Date they became NEET", help_text="For example, 1/9/2026")
    neet_reason = _text("Why they are not in education, employment or training", rows=3,
                        required="Enter why the young person is not in education, employment or training")
    neet_support = _text("Support and next steps back into education, employment or training", rows=3,
                         required="Enter the support and next steps back into education, employment or training")
    pathway_plan_link = forms.URLField(
        label="Link to the pathway plan", max_length=500, assume_scheme="https",
        help_text="The address of the young person's pathway plan in the social care system",
        error_messages={"required": "Enter the link to the pathway plan",
                        "invalid": "Enter a web address, like https://example.gov.uk/plan/123"},
    )
    progress_notes = _text("Progress and achievements", rows=4, required="Enter progress and achievements")
    semh = _text("Social, emotional and mental health (SEMH)", rows=3,
                 required="Enter the young person's social, emotional and mental health needs and support")
    transition_planning = _text("Future plans and transition", rows=3,
                                required="Enter the future plans and transition")

    groups = [
        ("Education, employment or training", ["eet_status", "school_name", "year_group", "course", "course_level",
                                               "attendance_percent", *TERM_SESSIONS]),
        ("Not in education, employment or training (NEET)", ["neet_since", "neet_reason", "neet_support"]),
        ("Special educational needs", ["sen_status", "sen_details"]),
        ("Progress and plans", ["progress_notes", "semh", "transition_planning", "pathway_plan_link"]),
    ]
    mandatory = ("eet_status", "year_group", "sen_status", "progress_notes", "transition_planning")

    def check(self, cleaned):
        neet_since = cleaned.get("neet_since")
        if neet_since and neet_since > timezone.localdate():
            self.add_error("neet_since", "The date they became NEET must be today or in the past")
        if not self.mark_complete:
            return
        if cleaned.get("eet_status") == "neet":
            for name in ("neet_since", "neet_reason", "neet_support"):
                self.require(cleaned, name)
        elif cleaned.get("eet_status"):
            for name in ("school_name", "course", "attendance_percent"):
                self.require(cleaned, name)
        if cleaned.get("sen_status") in ("sen_support", "ehcp"):
            self.require(cleaned, "sen_details")


# --------------------------------------------------------------------------------------
# C: my views (the child or young person; short questions in plain words)
# --------------------------------------------------------------------------------------


class MyViews(SectionForm):
    intro = ("This part is for you. Write as much or as little as you like. "
             "Your designated teacher can help you.")
    feel_safe = _choice("Do you feel safe at school?", FEEL_SAFE_CHOICES,
                        required="Select if you feel safe at school")
    feel_safe_more = _text("Tell us more about feeling safe (optional)", rows=2, max_length=2000)
    going_well = _text("What is going well?", rows=3, max_length=2000, required="Tell us what is going well")
    could_be_better = _text("What could be better?", rows=3, max_length=2000,
                            required="Tell us what could be better")
    hopes_and_dreams = _text("What are your hopes and dreams?", rows=3, max_length=2000,
                             required="Tell us your hopes and dreams")
    arts_and_sports = _text("What arts and sports have you tried?", rows=2, max_length=2000,
                            hint="For example, a club, a team, music or drama")
    helps_me_learn = _text("What helps you learn?", rows=2, max_length=2000)

    mandatory = ("feel_safe", "going_well", "could_be_better", "hopes_and_dreams")


class MyViewsPost16(MyViews):
    feel_safe = _choice("Do you feel safe where you study or work?", FEEL_SAFE_CHOICES,
                        required="Select if you feel safe where you study or work")
    hopes_and_dreams = _text("What are your hopes and plans for the future?", rows=3, max_length=2000,
                             required="Tell us your hopes and plans for the future")


# --------------------------------------------------------------------------------------
# D: carer's views
# --------------------------------------------------------------------------------------


class CarerViews(SectionForm):
    homework_and_equipment = _text("Homework and equipment", rows=3,
                                   hint="Is homework done on time? Do they bring what they need to school?",
                                   required="Enter the carer's views on homework and equipment")
    reading_at_home = _text("Reading at home", rows=3, hint="Do they enjoy reading with you or to you?",
                            required="Enter the carer's views on reading at home")
    interests_to_develop = _text("Interests to develop outside school", rows=3,
                                 required="Enter interests that could be developed outside school")
    concerns = _text("Any concerns", rows=3, hint="Leave blank if none")

    mandatory = ("homework_and_equipment", "reading_at_home", "interests_to_develop")


class CarerViewsEarlyYears(CarerViews):
    homework_and_equipment = _text("Play and learning at home", rows=3,
                                   hint="Routines, play, and what they enjoy learning",
                                   required="Enter the carer's views on play and learning at home")
    reading_at_home = _text("Sharing books, songs and rhymes", rows=3,
                            required="Enter the carer's views on sharing books, songs and rhymes")


# --------------------------------------------------------------------------------------
# E: meeting, targets and sign-off (designated teacher and Virtual School)
# --------------------------------------------------------------------------------------


class MeetingSignOff(SectionForm):
    attendees = _text("Who attended the meeting", rows=3, hint="Names and roles, one a line",
                      required="Enter who attended the meeting")
    going_well = _text("What is going well", rows=3, required="Enter what is going well")
    difficulties = _text("Difficulties and concerns", rows=3, required="Enter the difficulties and concerns, or ‘None’")
    support_in_place = _text("Support in place", rows=3, required="Enter the support in place")
    pp_plus_impact = _text("Impact of previous Pupil Premium Plus", rows=3,
                           hint="Leave blank for a first PEP")
    actions = _text("Actions agreed", rows=3, hint="Who will do what, by when", required="Enter the actions agreed")
    next_meeting_date = GovDateField(label="Date of the next PEP meeting", help_text="For example, 14/1/2027")
    dt_summary = _text("Designated teacher's summary", rows=4, required="Enter the designated teacher's summary")
    dt_sign_off = forms.BooleanField(
        label="I confirm this PEP is an accurate record of the meeting",
        error_messages={"required": "Confirm the PEP is an accurate record to sign it off"},
    )

    groups = [
        ("The meeting", ["attendees", "going_well", "difficulties", "support_in_place", "pp_plus_impact",
                         "actions", "next_meeting_date"]),
        ("Sign-off", ["dt_summary", "dt_sign_off"]),
    ]
    mandatory = ("attendees", "going_well", "difficulties", "support_in_place", "actions", "next_meeting_date",
                 "dt_summary", "dt_sign_off")

    def check(self, cleaned):
        next_date = cleaned.get("next_meeting_date")
        if next_date and next_date < timezone.localdate():
            self.add_error("next_meeting_date", "The date of the next PEP meeting must be in the future")


# --------------------------------------------------------------------------------------
# The definitions per phase, and the default configuration
# --------------------------------------------------------------------------------------

DEFINITIONS: dict[str, dict[str, type[SectionForm]]] = {
    Phase.EARLY_YEARS: {"A": CareSection, "B": EducationEarlyYears, "D": CarerViewsEarlyYears, "E": MeetingSignOff},
    Phase.SCHOOL_AGE: {"A": CareSectionSchoolAge, "B": EducationSchoolAge, "C": MyViews, "D": CarerViews,
                       "E": MeetingSignOff},
    Phase.POST_16: {"A": CareSection, "B": EducationPost16, "C": MyViewsPost16, "D": CarerViews,
                    "E": MeetingSignOff},
}

DEFAULT_TITLES = {
    "A": "Care and contacts",
    "B": "Education",
    "C": "My views",
    "D": "Carer's views",
    "E": "Meeting, targets and sign-off",
}

# The young person writes section C, and the designated teacher may type it in for them
# (DOMAIN.md: "young person (with DT support)").
DEFAULT_EDITORS: dict[str, list[str]] = {
    "A": [Role.SOCIAL_WORKER],
    "B": [Role.DESIGNATED_TEACHER],
    "C": [Role.YOUNG_PERSON, Role.DESIGNATED_TEACHER],
    "D": [Role.CARER],
    "E": [Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL],
}


def letters_for(phase: str) -> list[str]:
    return list(DEFINITIONS.get(phase, DEFINITIONS[Phase.SCHOOL_AGE]))


def form_class_for(phase: str, letter: str) -> type[SectionForm]:
    return DEFINITIONS.get(phase, DEFINITIONS[Phase.SCHOOL_AGE]).get(letter.upper(), SectionForm)
