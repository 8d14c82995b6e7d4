"""GOV.UK forms for term dates, deadline settings and concern reviews."""

from __future__ import annotations

from django import forms

from core import calendar as school_calendar
from core.forms import GovDateField, GovForm, GovModelForm

from .models import DeadlineSettings, TermDates


class TermDatesForm(GovModelForm):
    academic_year = forms.CharField(
        label="Academic year", help_text="For example, 2026/27", max_length=7,
        error_messages={"required": "Enter the academic year, like 2026/27"},
    )
    starts_on = GovDateField(label="First day of term", help_text="For example, 2/9/2026",
                             error_messages={"required": "Enter the first day of term"})
    ends_on = GovDateField(label="Last day of term", error_messages={"required": "Enter the last day of term"})
    half_term_starts_on = GovDateField(label="First weekday of the half-term break",
                                       error_messages={"required": "Enter the first weekday of half-term"})
    half_term_ends_on = GovDateField(label="Last weekday of the half-term break",
                                     error_messages={"required": "Enter the last weekday of half-term"})

    class Meta:
        model = TermDates
        fields = ["academic_year", "term", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"]
        widgets = {"term": forms.RadioSelect}
        error_messages = {"term": {"required": "Select the term"}}

    def clean(self):
        data = super().clean()
        names = ("academic_year", "term", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on")
        if all(data.get(n) for n in names):
            try:
                school_calendar.Term(*(data[n] for n in names))
            except ValueError as exc:
                raise forms.ValidationError(str(exc)[:1].upper() + str(exc)[1:]) from exc
        return data

    def validate_unique(self):
        # The service checks duplicates and overlaps with the LA's other terms.
        pass


class TermDatesUploadForm(GovForm):
    file = forms.FileField(
        label="Term dates file (CSV)",
        help_text="Columns: academic_year, term, starts_on, ends_on, half_term_starts_on, half_term_ends_on. "
                  "Dates like 2026-09-02.",
        error_messages={"required": "Select a CSV file of term dates"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 200_000:
            raise forms.ValidationError("The file must be smaller than 200 KB")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("The selected file must be a CSV file saved as UTF-8") from exc


class DeadlineSettingsForm(GovModelForm):
    class Meta:
        model = DeadlineSettings
        fields = ["count_school_days", "half_termly_for_ri_schools", "post16_pattern"]
        labels = {
            "count_school_days": "Count initial and change-of-school deadlines in school days",
            "half_termly_for_ri_schools": "Half-termly PEPs for children at schools that require improvement "
                                          "or are inadequate",
            "post16_pattern": "When post-16 PEPs are due",
        }
        widgets = {"post16_pattern": forms.RadioSelect}
        error_messages = {"post16_pattern": {"required": "Select when post-16 PEPs are due"}}


class ConcernRequestForm(GovForm):
    reason = forms.CharField(
        label="Why are you asking for a concern review?",
        help_text="Say what has changed or worries you. The team around the child can read this.",
        widget=forms.Textarea(attrs={"rows": 5}), max_length=2000,
        error_messages={"required": "Enter why you are asking for a concern review",
                        "max_length": "The reason must be 2000 characters or fewer"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are asking for a concern review")
        return reason
