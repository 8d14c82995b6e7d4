"""GOV.UK upload forms for the imports."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import GovForm

MAX_BYTES = 20 * 1024 * 1024
GIAS_MAX_BYTES = 150 * 1024 * 1024  # the national file is about 60 MB


def _file(label: str, required_message: str, *, hint: str = "", required: bool = True, limit: int = MAX_BYTES):
    field = forms.FileField(label=label, help_text=hint, required=required,
                            error_messages={"required": required_message})
    field.limit = limit  # type: ignore[attr-defined]  # read by the upload views' size check
    return field


class _UploadForm(GovForm):
    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            upload = cleaned.get(name)
            limit = getattr(field, "limit", None)
            if upload is not None and limit and hasattr(upload, "size"):
                if upload.size > limit:
                    self.add_error(name, f"The file must be smaller than {limit // (1024 * 1024)} MB")
                elif upload.size == 0:
                    self.add_error(name, "The selected file is empty")
        return cleaned


class Ssda903Form(_UploadForm):
    header = _file("Header file", "Select the header file of the return",
                   hint="The header table as CSV (CHILD, SEX, DOB, ETHNIC, UPN, MOTHER, MC_DOB), or the whole "
                        "return as one XML file")
    episodes = _file("Episodes file (not needed for the XML form)", "Select the episodes file",
                     hint="The episodes table as CSV (CHILD, DECOM, RNE, LS, CIN, PLACE, …)", required=False)
    names = _file("Names file (optional)", "", hint="A CSV of CHILD, first name, last name and preferred name: the "
                  "return has no names", required=False)

    def clean(self):
        cleaned = super().clean()
        header = cleaned.get("header")
        if header is not None and not header.name.lower().endswith(".xml") and not cleaned.get("episodes") \
                and "episodes" not in self.errors:
            self.add_error("episodes", "Select the episodes file: a CSV return needs the header and episodes files")
        return cleaned


class GiasForm(_UploadForm):
    file = _file("GIAS establishments file", "Select the GIAS establishments file",
                 hint="edubasealldata….csv as downloaded from Get Information About Schools", limit=GIAS_MAX_BYTES)
    include_closed = forms.BooleanField(label="Keep closed schools too (marked closed)", required=False)


def _academic_years() -> list[tuple[str, str]]:
    today = timezone.localdate()
    start = today.year if today.month >= 8 else today.year - 1
    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(start, start - 3, -1)]
    return [(y, y) for y in years]


class AttendanceForm(_UploadForm):
    academic_year = forms.ChoiceField(label="Academic year", error_messages={"required": "Select the academic year"})
    term = forms.ChoiceField(label="Term", widget=forms.RadioSelect,
                             choices=[("autumn", "Autumn"), ("spring", "Spring"), ("summer", "Summer")],
                             error_messages={"required": "Select the term the figures are for"})
    file = _file("Attendance file", "Select the attendance file",
                 hint="A CSV with one row per pupil: UPN, possible sessions, present, authorised absence and "
                      "unauthorised absence")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = _academic_years()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.name.lower().endswith((".xlsx", ".xls")):
            raise ValidationError("The file must be a CSV file: in Excel, choose Save As and then CSV")
        return upload


class TermDatesForm(_UploadForm):
    file = _file("Term dates file", "Select the term dates file",
                 hint="A CSV like the template (dates as DD/MM/YYYY), or an iCalendar (.ics) file")
