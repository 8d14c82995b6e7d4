from __future__ import annotations

from django import forms

from accounts.forms_base import GovForm
from children.models import YEAR_GROUP_CHOICES


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
