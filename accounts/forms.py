from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from .forms_base import GovForm, GovModelForm
from .models import LegalDetails, LocalAuthority, Role, School


class PersonForm(GovForm):
    full_name = forms.CharField(
        label="Full name", max_length=200,
        error_messages={"required": "Enter the person's full name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation to set a password is sent here.",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
    )
    role = forms.ChoiceField(
        label="Role", choices=Role.choices, widget=forms.RadioSelect,
        error_messages={"required": "Select a role", "invalid_choice": "Select a role from the list"},
    )
    school = forms.ModelChoiceField(
        label="School (designated teachers only)", queryset=School.objects.all(), required=False,
        error_messages={"invalid_choice": "Select a school from the list"},
    )
    local_authority = forms.ModelChoiceField(
        label="Local authority", queryset=LocalAuthority.objects.all(),
        error_messages={"required": "Select a local authority",
                        "invalid_choice": "Select a local authority from the list"},
    )

    def __init__(self, *args, fixed_la: LocalAuthority | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_la is not None:
            # An LA admin registers people only for their own authority.
            self.fields["local_authority"].queryset = LocalAuthority.objects.filter(pk=fixed_la.pk)
            self.fields["local_authority"].initial = fixed_la.pk
            self.fields["local_authority"].widget = forms.HiddenInput()


class BulkInviteForm(GovForm):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, full_name, role, school_urn (school_urn only for designated teachers).",
        error_messages={"required": "Select a CSV file"},
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file must be smaller than 2 MB")
        return f


# Long passphrases are welcome; a limit keeps hashing a typed password cheap.
PASSWORD_MAX_CHARS = 256


class SetPasswordForm(GovForm):
    password1 = forms.CharField(
        label="Create a password", strip=False, max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. Avoid common words and your name.",
        error_messages={"required": "Enter a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password", strip=False, max_length=PASSWORD_MAX_CHARS,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The passwords do not match")
        return data


class LoginRequestForm(GovForm):
    full_name = forms.CharField(label="Full name", max_length=200,
                                error_messages={"required": "Enter your full name"})
    email = forms.EmailField(
        label="Work email address",
        error_messages={"required": "Enter your email address",
                        "invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    role = forms.ChoiceField(
        label="What is your role?", widget=forms.RadioSelect,
        choices=[c for c in Role.choices if c[0] != Role.LA_ADMIN],
        error_messages={"required": "Select your role", "invalid_choice": "Select your role"},
    )
    local_authority = forms.ModelChoiceField(
        label="Which local authority's Virtual School do you work with?",
        queryset=LocalAuthority.objects.all(),
        error_messages={"required": "Select a local authority",
                        "invalid_choice": "Select a local authority from the list"},
    )
    school_urn = forms.RegexField(
        label="School URN (designated teachers)", regex=r"^\d{6,8}$", required=False, max_length=8,
        help_text="The school's unique reference number, 6 to 8 digits.",
        error_messages={"invalid": "Enter the URN as 6 to 8 digits"},
    )
    reason = forms.CharField(
        label="Why do you need a login?", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
        error_messages={"required": "Tell us why you need a login"},
    )


class DeclineForm(GovForm):
    reason = forms.CharField(
        label="Reason for declining", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"required": "Enter the reason for declining"},
    )


class ApproveForm(GovForm):
    school = forms.ModelChoiceField(
        label="School (designated teachers only)", queryset=School.objects.all(), required=False,
    )


password_help = password_validators_help_text_html


class LegalDetailsForm(GovModelForm):
    privacy_notice_url = forms.URLField(
        label="The council's own privacy notice", required=False, assume_scheme="https",
        help_text="Optional. A link to the council's own privacy notice for children's services.",
        error_messages={"invalid": "Enter a web address in the correct format, like https://www.example.gov.uk/privacy"},
    )

    class Meta:
        model = LegalDetails
        fields = ["contact_email", "contact_phone", "dpo_name", "dpo_email", "postal_address",
                  "ico_registration", "privacy_notice_url"]
        help_texts = {
            "contact_email": "People write here to report an accessibility problem or ask about the service.",
            "contact_phone": "Optional. For example, 01234 567890.",
            "dpo_name": "The name or title of the council's data protection officer.",
            "postal_address": "Optional. Where people can write to ask for a copy of their information.",
            "ico_registration": "Optional. The council's registration number with the Information "
                                "Commissioner's Office, for example Z1234567.",
        }
        error_messages = {
            "contact_email": {"required": "Enter an email address for problems with the service",
                              "invalid": "Enter an email address in the correct format, like name@example.com"},
            "dpo_name": {"required": "Enter the name of the data protection officer"},
            "dpo_email": {"required": "Enter the data protection officer's email address",
                          "invalid": "Enter an email address in the correct format, like name@example.com"},
        }
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 4})}
