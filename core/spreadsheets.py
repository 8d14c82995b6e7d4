"""Cells written to CSV files that people open in a spreadsheet (CSV injection).

A cell that a spreadsheet reads as a formula can run commands or send data away, so every
CSV the portal builds passes each cell through `spreadsheet_safe`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

# What a spreadsheet treats as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _looks_like_a_formula(text: str) -> bool:
    """Whether the text starts a formula once a spreadsheet has normalised it: full-width
    signs (＝, ＋, ＠) are folded by NFKC, and zero-width and other format characters
    (Unicode category Cf, e.g. U+200B, U+FEFF) are dropped before the first character is
    looked at; leading spaces are skipped too."""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Cf")
    return folded.lstrip(" ")[:1] in FORMULA_STARTS


def spreadsheet_safe(value: Any) -> str:
    """The cell as text a spreadsheet shows as text: a part that would start a formula is
    prefixed with an apostrophe. Parts separated by ';' are checked one by one, because a
    spreadsheet in a locale whose list separator is ';' splits `x;=1+1` into two cells."""
    text = "" if value is None else str(value)
    parts = text.split(";")
    return ";".join("'" + part if _looks_like_a_formula(part) else part for part in parts)
