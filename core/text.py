"""Small text helpers every app shares."""

from __future__ import annotations


def lower_first(text: str) -> str:
    """"Children needing a PEP" → "children needing a PEP"; "PEPs approved" stays "PEPs approved".

    An acronym's capitals are kept (str.lower would say "pep", and lowering only the first
    letter would say "pEP", which a screen reader spells out)."""
    if not text:
        return text
    first_word = text.split(" ", 1)[0]
    if len(first_word) > 1 and first_word[1].isupper():
        return text
    return text[:1].lower() + text[1:]
