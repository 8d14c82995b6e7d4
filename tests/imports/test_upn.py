"""UPNs: the DfE check letter, UN1–UN5, and the message for a wrong letter, in the child forms too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from children.forms import ChildForm
from children.upn import check_letter, upn_problem, validate_upn, with_check_letter


@pytest.mark.parametrize("body", ["201260105001", "860200012345", "12345678901B", "93912345600A"])
def test_a_upn_with_its_check_letter_is_accepted(body):
    assert upn_problem(check_letter(body) + body) is None


def test_the_check_letter_follows_the_dfe_weights():
    # Positions 2 to 13 weighted 2 to 13: 2*2 + 0*3 + 1*4 + 2*5 + 6*6 + 0*7 + 1*8 + 0*9 + 5*10 + 0*11 + 0*12 + 1*13
    # = 125; 125 mod 23 = 10 → the 11th letter of ABCDEFGHJKLMNPQRTUVWXYZ.
    assert check_letter("201260105001") == "L"
    # A temporary UPN ends in a letter, which counts as its place in the same list (A = 0 … Z = 22).
    assert check_letter("93912345600A") == "ABCDEFGHJKLMNPQRTUVWXYZ"[(sum(
        int(c) * w for c, w in zip("93912345600", range(2, 13), strict=True)) + 0 * 13) % 23]


@pytest.mark.parametrize("code", ["UN1", "UN2", "UN3", "UN4", "UN5", "un4"])
def test_the_not_known_codes_are_accepted(code):
    validate_upn(code)


def test_a_wrong_check_letter_says_which_letter_it_should_be():
    good = with_check_letter("860200012345")
    wrong = ("B" if good[0] != "B" else "C") + good[1:]
    assert f"its digits give {good[0]}" in upn_problem(wrong)


def test_an_unknown_un_code_and_a_short_upn_are_explained():
    assert "UN1, UN2, UN3, UN4 or UN5" in upn_problem("UN7")
    assert "13 characters" in upn_problem("A1234")
    with pytest.raises(ValidationError):
        validate_upn("I12345678901A")  # I is never a check letter


@pytest.mark.django_db
def test_the_child_form_refuses_a_wrong_check_letter_and_accepts_un2():
    base = {"la_reference": "X1", "first_name": "A", "last_name": "B", "date_of_birth": "01/02/2014",
            "gender": "female", "first_language": "English"}
    form = ChildForm(data={**base, "upn": "A" + "201260105001"}, professional=True)
    form.is_valid()
    assert "wrong check letter" in " ".join(form.errors.get("upn", []))
    form = ChildForm(data={**base, "upn": "un2"}, professional=True)
    form.is_valid()
    assert "upn" not in form.errors
