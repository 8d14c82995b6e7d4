"""GOV.UK forms for PEP pages other than the sections (those are in peps/sections.py)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from core.forms import GovForm
from core.roles import EDITOR_ROLES, role_choices

from .models import Pep, SectionConfig, SupportingDocument


class PepStartForm(GovForm):
    kind = forms.ChoiceField(
        label="What kind of PEP is this?", choices=Pep.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of PEP", "invalid_choice": "Select the kind of PEP"},
    )
    concern_reason = forms.CharField(
        label="What is the concern?", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only for a concern review",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("kind", legend_size=Size.MEDIUM), "concern_reason")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Pep.Kind.CONCERN and not (cleaned.get("concern_reason") or "").strip():
            self.add_error("concern_reason", "Enter the concern that needs a review")
        return cleaned


class ReturnForm(GovForm):
    reason = forms.CharField(
        label="Why are you returning this PEP?", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The team will see this. Say what needs to change.",
        error_messages={"required": "Enter the reason for returning the PEP"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for returning the PEP")
        return reason


class ReopenForm(GovForm):
    reason = forms.CharField(
        label="Why are you reopening this PEP?", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The team will see this. The approved PDF is kept as a superseded copy.",
        error_messages={"required": "Enter why you are reopening the PEP"},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why you are reopening the PEP")
        return reason


class DocumentForm(GovForm):
    file = forms.FileField(
        label="Choose a file", help_text="A PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG, "
                                         "smaller than 10 MB",
        error_messages={"required": "Select a file", "empty": "The selected file is empty"},
    )
    description = forms.CharField(
        label="What is it?", required=False, max_length=200,
        help_text="For example, provision map, support plan, termly report, example of work",
    )
    visibility = forms.ChoiceField(
        label="Who can see this?", choices=SupportingDocument.Visibility.choices, widget=forms.RadioSelect,
        initial=SupportingDocument.Visibility.PROFESSIONALS, required=False,
        help_text="Carers and the young person only see documents shared with the whole team",
        error_messages={"invalid_choice": "Select who can see this document"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("file", "description", Field.radios("visibility", legend_size=Size.SMALL))

    def clean_visibility(self):
        # Nothing chosen is the safe default: professionals only.
        return self.cleaned_data.get("visibility") or SupportingDocument.Visibility.PROFESSIONALS


class DocumentChangeForm(GovForm):
    """Who can see a document, and optionally a new file in its place."""

    visibility = forms.ChoiceField(
        label="Who can see this?", choices=SupportingDocument.Visibility.choices, widget=forms.RadioSelect,
        help_text="Carers and the young person only see documents shared with the whole team",
        error_messages={"required": "Select who can see this document",
                        "invalid_choice": "Select who can see this document"},
    )
    file = forms.FileField(
        label="Replace the file (optional)", required=False,
        help_text="A PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG, smaller than 10 MB. "
                  "The old file is deleted.",
        error_messages={"empty": "The selected file is empty"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("visibility", legend_size=Size.MEDIUM), "file")


class SectionConfigForm(GovForm):
    """One phase's sections: for each letter, whether it is used, its title and its editors."""

    def __init__(self, *args, configs: list[SectionConfig], **kwargs):
        super().__init__(*args, **kwargs)
        self.letters = [c.letter for c in configs]
        blocks = []
        for cfg in configs:
            letter = cfg.letter
            self.fields[f"enabled_{letter}"] = forms.BooleanField(
                label=f"Include section {letter} in this phase's PEPs", required=False, initial=cfg.enabled,
            )
            self.fields[f"title_{letter}"] = forms.CharField(
                label=f"Title of section {letter}", max_length=120, initial=cfg.title,
                error_messages={"required": f"Enter a title for section {letter}"},
            )
            self.fields[f"editors_{letter}"] = forms.MultipleChoiceField(
                label=f"Who edits section {letter}", choices=role_choices(EDITOR_ROLES), required=False,
                widget=forms.CheckboxSelectMultiple, initial=list(cfg.editor_roles),
            )
            blocks.append(Fieldset(
                Field.checkbox(f"enabled_{letter}"), Field.text(f"title_{letter}"),
                Field.checkboxes(f"editors_{letter}", legend_size=Size.SMALL),
                legend=f"Section {letter}", legend_size=Size.MEDIUM,
            ))
        self.helper.layout = Layout(*blocks)

    def clean(self):
        cleaned = super().clean()
        enabled = [letter for letter in self.letters if cleaned.get(f"enabled_{letter}")]
        if not enabled:
            self.add_error(f"enabled_{self.letters[0]}", "Include at least one section")
        for letter in enabled:
            if not cleaned.get(f"editors_{letter}"):
                self.add_error(f"editors_{letter}", f"Select who edits section {letter}")
        return cleaned
