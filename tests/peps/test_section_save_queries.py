"""What one section save costs: one read of the section and one policy check in the service."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peps.services.sections import section_form, section_save

pytestmark = pytest.mark.django_db


def _statements(context) -> list[str]:
    """The queries, without the savepoints the test's own transaction adds."""
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"]]


def _section_reads(statements) -> int:
    return sum(1 for sql in statements if sql.startswith("SELECT") and 'FROM "peps_section"' in sql)


def test_a_section_save_reads_the_section_once_and_checks_the_policy_once(pep, social_worker):
    section = pep.sections.get(letter="A")
    form = section_form(pep=pep, section=section, data={"other_agencies": "Pat"}, professional=True)
    assert form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        saved = section_save(actor=social_worker, section=section, data=form.cleaned_data, version=0)
    statements = _statements(queries)
    # The PEP (locked), the section, the relationship (one query: the team link with its
    # grant), the filtered update and the one audit event: five, where there were seven (the
    # section was read again after the update, and the grant was a query of its own); then
    # the per-LA data version (core.audit): the child's LA and the bump of its version.
    assert len(statements) == 7, statements
    assert _section_reads(statements) == 1
    assert sum(1 for sql in statements if 'FROM "children_teammembership"' in sql) == 1
    assert saved.version == 1 and saved.data["other_agencies"] == "Pat" and saved.updated_by == social_worker


def test_the_section_edit_page_reads_the_section_twice_per_save(client, pep, social_worker):
    """Once to fetch and authorise the page (peps.policies), once in the service under the
    PEP's lock; it was three times."""
    client.force_login(social_worker)
    client.get(reverse("pep_section_edit", args=[pep.pk, "A"]))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("pep_section_edit", args=[pep.pk, "A"]),
                               {"version": "0", "action": "save", "other_agencies": "Sam"})
    assert response.status_code == 302
    assert _section_reads(_statements(queries)) == 2
