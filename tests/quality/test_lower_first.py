"""Issue 14, point 9: screen-reader text never says "pEP" (nor "pep")."""

from __future__ import annotations

from core.text import lower_first


def test_an_acronym_keeps_its_capitals_inside_a_sentence():
    assert lower_first("PEPs approved") == "PEPs approved"
    assert lower_first("PEP completion") == "PEP completion"
    assert lower_first("Children needing a PEP") == "children needing a PEP"
    assert lower_first("SDQ score") == "SDQ score"
    assert lower_first("A") == "a"
    assert lower_first("") == ""


def test_no_dashboard_or_report_page_says_pep_in_lower_case(world, client):
    import re

    from django.urls import reverse

    client.force_login(world.people["vs_officer"])
    for name in ("quality_dashboard", "quality_reporting"):
        html = client.get(reverse(name)).content.decode()
        assert not re.search(r"\bpEP", html), name
        assert not re.search(r'visually-hidden">[^<]*\bpeps?\b', html), name
