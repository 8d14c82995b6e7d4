"""Unique pupil numbers: the DfE's check letter and the "not known" codes UN1 to UN5.

A UPN is 13 characters: a check letter, the 3-digit LA number, the 4-digit establishment
number, 2 digits for the year it was issued and 3 serial characters, the last of which is
a letter in a temporary UPN. The check letter is the sum of each of characters 2 to 13
times its position (2 to 13), modulo 23, read from the 23 letters below (no I, O or S);
a letter in position 13 counts as its place in the same list (DfE, "Unique pupil numbers
(UPN): a guide for schools and local authorities", annex on the check letter).

Where a child's UPN is not known the SSDA903 return carries a reason code instead (DfE
903 guidance): UN1 to UN5.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
NOT_KNOWN_CODES = {
    "UN1": "Child is not of school age and has not yet been assigned a UPN",
    "UN2": "Child was not in England when the UPN was needed",
    "UN3": "Child is educated outside England's maintained sector (for example, independent school)",
    "UN4": "UPN not yet obtained",
    "UN5": "Sources collating UPNs reflect discrepancy",
}
_SHAPE = re.compile(rf"^[{LETTERS}]\d{{11}}[0-9{LETTERS}]$")


def normalise(value: str) -> str:
    return (value or "").replace(" ", "").strip().upper()


def check_letter(body: str) -> str:
    """The check letter for the 12 characters after it."""
    total = 0
    for position, char in enumerate(body, start=2):
        total += (int(char) if char.isdigit() else LETTERS.index(char)) * position
    return LETTERS[total % 23]


def with_check_letter(body: str) -> str:
    """A whole UPN from its last 12 characters (demo data and tests)."""
    return check_letter(body) + body


def upn_problem(value: str) -> str | None:
    """Why `value` is not a UPN or a not-known code, in plain English; None when it is fine."""
    upn = normalise(value)
    if upn in NOT_KNOWN_CODES:
        return None
    if re.fullmatch(r"UN\d", upn):
        return f"{upn} is not a 'UPN not known' code: use UN1, UN2, UN3, UN4 or UN5"
    if len(upn) != 13:
        return (f"A UPN has 13 characters, but {upn} has {len(upn)}: a letter, 11 digits, then a digit or "
                "letter (or UN1 to UN5 if it is not known)")
    if not _SHAPE.match(upn):
        return ("Enter a UPN of 13 characters: a letter, 11 digits, then a digit or letter "
                "(the letters I, O and S are never used)")
    expected = check_letter(upn[1:])
    if upn[0] != expected:
        return (f"The UPN {upn} has the wrong check letter: it starts with {upn[0]} but its digits give "
                f"{expected}. Check it was typed correctly")
    return None


def validate_upn(value: str) -> None:
    """A model and form validator: blank is allowed (the field is optional)."""
    if not value:
        return
    problem = upn_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_upn")


def is_not_known_code(value: str) -> bool:
    return normalise(value) in NOT_KNOWN_CODES
