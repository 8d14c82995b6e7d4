"""GOV.UK forms of the data-protection pages."""

from __future__ import annotations

from django import forms

from core.forms import GovForm

from .services import REASON_MAX_CHARS


class SubjectAccessForm(GovForm):
    reason = forms.CharField(
        label="Why is the export needed?", max_length=REASON_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, a subject access request received on 3 March 2026 (reference SAR-1234)",
        error_messages={"required": "Enter why the export is needed",
                        "max_length": f"The reason must be {REASON_MAX_CHARS} characters or fewer"},
    )


class RetentionDestroyForm(GovForm):
    confirm = forms.CharField(
        label="Type the child's LA reference to confirm", max_length=32,
        error_messages={"required": "Enter the child's LA reference to confirm",
                        "max_length": "Enter the child's LA reference exactly as shown to confirm"},
    )
