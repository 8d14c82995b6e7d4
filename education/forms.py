"""GOV.UK forms for each part of the education record (crispy-forms-gds, one shared base).

Messages follow the GOV.UK pattern: "Enter ..." for a box, "Select ..." for a choice,
"... must be a whole number" and so on. Professional-only fields are removed for anyone
without the right (they cannot see them, so they cannot change them either).
"""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from accounts.models import LocalAuthority, School
from children.models import Child
from core.forms import GovDateField, GovModelForm, model_choice_field
from core.text import lower_first

from .models import (
    EYFS_AREAS,
    EYFS_GOALS,
    AlternativeProvision,
    Attainment,
    Attendance,
    EetStatus,
    Exclusion,
    EyfsProfile,
    PartTimeTimetable,
    SchoolMove,
    SenStatus,
)


def _lower(label: str) -> str:
    return lower_first(label)


class RecordForm(GovModelForm):
    """The base: GOV.UK wording for every field, dates typed as day/month/year."""

    professional_only: tuple[str, ...] = ()
    radios: tuple[str, ...] = ()

    def __init__(self, *args, child: Child, professional: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        if not professional:
            for name in self.professional_only:
                self.fields.pop(name, None)
        for name, field in self.fields.items():
            label = str(field.label or name)
            choice = isinstance(field, forms.ChoiceField | forms.ModelChoiceField)
            field.error_messages["required"] = (f"Select {_lower(label)}" if choice else f"Enter {_lower(label)}")
            field.error_messages["invalid_choice"] = f"Select {_lower(label)} from the list"
            if isinstance(field, forms.IntegerField):
                field.error_messages["invalid"] = f"{label} must be a whole number, like 12"
                field.error_messages["min_value"] = f"{label} must be %(limit_value)s or more"
                field.error_messages["max_value"] = f"{label} must be %(limit_value)s or fewer"
                field.widget.attrs.update({"inputmode": "numeric", "class": "govuk-input--width-5"})
            elif isinstance(field, forms.DecimalField):
                field.error_messages["invalid"] = f"{label} must be a number, like 2.5"
                field.error_messages["min_value"] = f"{label} must be %(limit_value)s or more"
                field.error_messages["max_value"] = f"{label} must be %(limit_value)s or less"
                field.error_messages["max_decimal_places"] = f"{label} must have no more than 1 decimal place"
                field.error_messages["max_digits"] = f"{label} is too large"
                field.error_messages["max_whole_digits"] = f"{label} is too large"
                field.widget.attrs.update({"inputmode": "decimal", "class": "govuk-input--width-5"})
            elif isinstance(field, forms.DateField):
                field.error_messages["invalid"] = f"{label} must be a real date, like 27/3/2026"
            elif isinstance(field, forms.CharField):
                field.error_messages["max_length"] = f"{label} must be %(limit_value)s characters or fewer"
        for name in self.radios:
            radio = self.fields.get(name)
            if radio is not None and hasattr(radio, "choices"):
                # Radios never offer Django's empty "---------" choice.
                radio.choices = [c for c in radio.choices if c[0] not in ("", None)]
        if "school" in self.fields:
            school = model_choice_field(self, "school")
            school.queryset = School.objects.filter(placements__child=child).distinct().order_by("name")
            school.empty_label = "Select a school"
        self.helper.layout = Layout(*[
            Field.radios(n, legend_size=Size.SMALL) if n in self.radios else Field(n) for n in self.fields])


    def _update_errors(self, errors) -> None:
        """The model's rules about a field this form left out (a professional-only one) are
        shown at the top of the form rather than raising."""
        from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

        if hasattr(errors, "error_dict"):
            mapped: dict[str, list] = {}
            for name, problems in errors.error_dict.items():
                key = name if name in self.fields or name == NON_FIELD_ERRORS else NON_FIELD_ERRORS
                mapped.setdefault(key, []).extend(problems)
            errors = ValidationError(mapped)
        super()._update_errors(errors)  # type: ignore[misc]  # ModelForm's own hook, not in django-stubs


_DATE = {"widget": forms.DateInput(attrs={"inputmode": "numeric"}, format="%d/%m/%Y")}


def _dates(*names: str) -> dict:
    return {name: GovDateField for name in names}


class AttendanceForm(RecordForm):
    radios = ("term", "half_term")

    class Meta:
        model = Attendance
        fields = list(Attendance.FIELDS)
        labels = {"academic_year": "Academic year", "sessions_possible": "Possible sessions",
                  "sessions_present": "Sessions present",
                  "sessions_authorised_absence": "Sessions of authorised absence",
                  "sessions_unauthorised_absence": "Sessions of unauthorised absence"}
        help_texts = {"academic_year": "For example, 2026/27",
                      "sessions_possible": "Half-day sessions the school was open for the child. "
                                           "The percentage is worked out from these numbers.",
                      "half_term": "Choose ‘Whole term’ unless the school gives half-terms separately"}
        widgets = {"term": forms.RadioSelect, "half_term": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].required = True
        self.fields["academic_year"].widget.attrs["class"] = "govuk-input--width-5"


class ExclusionForm(RecordForm):
    radios = ("kind", "length_unit")
    professional_only = Exclusion.PROFESSIONAL_ONLY_FIELDS

    class Meta:
        model = Exclusion
        fields = list(Exclusion.FIELDS)
        field_classes = _dates("starts_on")
        labels = {"kind": "Type of exclusion", "starts_on": "Date it started", "length": "Length",
                  "length_unit": "Length counted in", "reason": "Reason (DfE list)", "notes": "Notes"}
        help_texts = {"starts_on": "For example, 27/3/2026", "length": "For a suspension, like 2 or 1.5",
                      "notes": "Only professionals see the reason and these notes"}
        widgets = {"kind": forms.RadioSelect, "length_unit": forms.RadioSelect,
                   "notes": forms.Textarea(attrs={"rows": 3})}


class PartTimeTimetableForm(RecordForm):
    professional_only = PartTimeTimetable.PROFESSIONAL_ONLY_FIELDS

    class Meta:
        model = PartTimeTimetable
        fields = list(PartTimeTimetable.FIELDS)
        field_classes = _dates("starts_on", "ends_on", "review_on")
        labels = {"starts_on": "Start date", "ends_on": "End date (optional)",
                  "hours_per_week": "Hours a week in school", "review_on": "Agreed review date",
                  "reason": "Reason and the plan to return to full time"}
        help_texts = {"starts_on": "For example, 27/3/2026", "ends_on": "Leave blank while it continues",
                      "review_on": "A timetable past its review date shows on the deadlines list",
                      "reason": "Only professionals see this"}
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}


class AlternativeProvisionForm(RecordForm):
    class Meta:
        model = AlternativeProvision
        fields = list(AlternativeProvision.FIELDS)
        field_classes = _dates("starts_on", "ends_on")
        labels = {"provider": "Provider", "hours_per_week": "Hours a week", "starts_on": "Start date",
                  "ends_on": "End date (optional)"}
        help_texts = {"starts_on": "For example, 27/3/2026", "ends_on": "Leave blank while it continues"}


class SenStatusForm(RecordForm):
    radios = ("status",)
    professional_only = SenStatus.PROFESSIONAL_ONLY_FIELDS

    class Meta:
        model = SenStatus
        fields = list(SenStatus.FIELDS)
        field_classes = _dates("starts_on", "ehcp_started_on", "last_annual_review_on", "next_annual_review_on")
        labels = {"status": "SEN status", "starts_on": "Date this status started", "primary_need": "Primary need",
                  "ehcp_started_on": "Date the EHCP started", "maintaining_la": "Local authority maintaining the EHCP",
                  "last_annual_review_on": "Date of the last annual review (EHCP)",
                  "next_annual_review_on": "Date of the next annual review (EHCP)"}
        help_texts = {"starts_on": "For example, 27/3/2026. A change of status is a new record, so the "
                                   "history is kept.",
                      "primary_need": "The DfE's type of need. Only professionals see this.",
                      "next_annual_review_on": "Within 12 months of the last. Leave blank to count 12 months "
                                               "from the last review."}
        widgets = {"status": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["maintaining_la"].queryset = LocalAuthority.objects.order_by("name")
        self.fields["maintaining_la"].empty_label = "Select a local authority"
        if "primary_need" in self.fields:
            self.fields["primary_need"].choices = [("", "Select a type of need"),
                                                   *[c for c in self.fields["primary_need"].choices if c[0]]]


class AttainmentForm(RecordForm):
    radios = ("term",)

    class Meta:
        model = Attainment
        fields = list(Attainment.FIELDS)
        labels = {"academic_year": "Academic year", "assessment": "Assessment", "subject": "Subject or area",
                  "result": "Result", "score": "Score (optional)", "grade_kind": "Kind of grade (GCSE)",
                  "course": "Course (post-16)", "level": "Level (post-16)", "qualification": "Qualification (post-16)"}
        help_texts = {"academic_year": "For example, 2026/27",
                      "subject": "For example, English, Maths or Reading. The EYFS profile has its own form",
                      "score": "A key stage 2 scaled score (80 to 120; 100 is expected) or the multiplication "
                               "tables check score (0 to 25)",
                      "result": "For GCSE, the grade (9 to 1)"}
        widgets = {"term": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"] = forms.ChoiceField(
            label="Result", required=False, help_text=self.fields["result"].help_text,
            choices=[("", "Select a result"), *Attainment.ALL_RESULTS],
            error_messages={"invalid_choice": "Select a result from the list"})
        self.fields["academic_year"].widget.attrs["class"] = "govuk-input--width-5"
        # The EYFS profile is recorded goal by goal on its own form (EyfsProfileForm).
        self.fields["assessment"].choices = [c for c in self.fields["assessment"].choices
                                             if c[0] != Attainment.Assessment.EYFS]
        eyfs_only = {value for value, _label in Attainment.RESULTS["eyfs"]}
        self.fields["result"].choices = [c for c in self.fields["result"].choices if c[0] not in eyfs_only]
        kinds = [c for c in self.fields["grade_kind"].choices if c[0]]
        self.fields["grade_kind"].choices = [("", "Not a GCSE"), *kinds]
        self.helper.layout = Layout(*[
            Field.radios(n, legend_size=Size.SMALL) if n in self.radios else Field(n) for n in self.fields])


class EyfsProfileForm(RecordForm):
    """The 17 early learning goals, one set of radios each, grouped by area of learning."""

    radios = tuple(name for name, _label, _area in EYFS_GOALS)

    class Meta:
        model = EyfsProfile
        fields = list(EyfsProfile.FIELDS)
        labels = {"academic_year": "Academic year of the Reception class", "school": "School (optional)"}
        help_texts = {"academic_year": "The profile is completed in the summer term of Reception. For example, "
                                       "2025/26"}
        widgets = {name: forms.RadioSelect for name, _label, _area in EYFS_GOALS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].widget.attrs["class"] = "govuk-input--width-5"
        for name, label, _area in EYFS_GOALS:
            field = self.fields[name]
            message = f"Select expected or emerging for {lower_first(label)}"
            field.error_messages.update(required=message, invalid_choice=message)
        self.helper.layout = Layout(
            Field("academic_year"), Field("school"),
            *[Fieldset(*[Field.radios(name, legend_size=Size.SMALL, inline=True) for name, _label in goals],
                       legend=area, legend_size=Size.MEDIUM)
              for _key, area, goals in EYFS_AREAS])


class EetStatusForm(RecordForm):
    radios = ("status",)

    class Meta:
        model = EetStatus
        fields = list(EetStatus.FIELDS)
        field_classes = _dates("starts_on", "ends_on", "pathway_plan_reviewed_on")
        labels = {"status": "Education, employment or training status", "starts_on": "Start date",
                  "ends_on": "End date (optional)", "provider": "Provider, college or employer",
                  "personal_adviser": "Personal adviser", "pathway_plan_reviewed_on": "Pathway plan last reviewed"}
        help_texts = {"starts_on": "For example, 1/9/2026", "ends_on": "Leave blank while it continues",
                      "provider": "Leave blank when not in education, employment or training"}
        widgets = {"status": forms.RadioSelect}


class SchoolMoveForm(RecordForm):
    professional_only = SchoolMove.PROFESSIONAL_ONLY_FIELDS
    radios = ("reason",)

    class Meta:
        model = SchoolMove
        fields = list(SchoolMove.FIELDS)
        labels = {"reason": "Reason for the move", "mid_year": "They moved in the middle of the school year",
                  "notes": "Notes"}
        help_texts = {"notes": "Only professionals see these notes"}
        widgets = {"reason": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 3})}
