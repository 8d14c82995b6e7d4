"""The section edit policy as a table: role × PEP status × section → may edit?

The expected table is written out from DOMAIN.md's default editors (A social worker,
B designated teacher, C young person with the designated teacher's support, D carer,
E designated teacher and Virtual School), not computed from the code under test.
Every cell is a test case.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peps.models import Pep, Section
from peps.policies import can_edit_section
from tests.peps.factories import set_status, start_pep

ROLES = ["social_worker", "designated_teacher", "carer", "young_person", "virtual_school", "la_admin",
         "iro", "parent", "personal_adviser"]
STATUSES = [Pep.Status.DRAFT, Pep.Status.SUBMITTED, Pep.Status.RETURNED, Pep.Status.APPROVED]
LETTERS = ["A", "B", "C", "D", "E"]

# Who may edit each section while the PEP is open (draft or returned). Nobody otherwise.
EDITORS_WHEN_OPEN = {
    "A": {"social_worker"},
    "B": {"designated_teacher"},
    "C": {"young_person", "designated_teacher"},
    "D": {"carer"},
    "E": {"designated_teacher", "virtual_school"},
}
OPEN = {Pep.Status.DRAFT, Pep.Status.RETURNED}

CELLS = [(role, status, letter) for role in ROLES for status in STATUSES for letter in LETTERS]


@pytest.fixture(scope="module")
def default_editors():
    from peps.sections import DEFAULT_EDITORS

    return DEFAULT_EDITORS


@pytest.mark.parametrize(("role", "status", "letter"), CELLS, ids=[f"{r}-{s}-{x}" for r, s, x in CELLS])
def test_policy_table(role, status, letter, default_editors):
    pep = Pep(status=status)
    section = Section(letter=letter, editor_roles=list(default_editors[letter]))
    expected = status in OPEN and role in EDITORS_WHEN_OPEN[letter]
    assert can_edit_section(role, section, pep) is expected


def test_the_table_covers_every_cell():
    assert len(CELLS) == len(ROLES) * len(STATUSES) * len(LETTERS) == 180


def test_nobody_outside_the_team_may_edit():
    for letter in LETTERS:
        assert can_edit_section(None, Section(letter=letter, editor_roles=["social_worker"]), Pep()) is False


# The same table through the web for the personas of the world: the edit page is allowed
# (200) exactly where the table says, and 403 elsewhere in the team.
PERSONA_ROLE = {"social_worker": "social_worker", "designated_teacher": "designated_teacher", "carer": "carer",
                "young_person": "young_person", "vs_officer": "virtual_school", "admin_user": "la_admin"}
WEB_CELLS = [(p, s, x) for p in PERSONA_ROLE for s in STATUSES for x in LETTERS]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "status", "letter"), WEB_CELLS, ids=[f"{p}-{s}-{x}" for p, s, x in WEB_CELLS])
def test_policy_table_through_the_edit_page(persona, status, letter, world, client):
    pep = set_status(start_pep(world.child), status)
    client.force_login(world.people[persona])
    response = client.get(reverse("pep_section_edit", args=[pep.pk, letter]))
    expected = status in OPEN and PERSONA_ROLE[persona] in EDITORS_WHEN_OPEN[letter]
    assert response.status_code == (200 if expected else 403)
