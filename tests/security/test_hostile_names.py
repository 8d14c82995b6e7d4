"""Stored HTML injection: every name people type is shown as text on every page.

Every user-supplied name and free text in the world (children, people, schools, local
authorities, invitees, targets, documents, QA criteria, ...) is given a hostile value, then
every GET page of the access matrix is opened by every persona who may see it: the value
must appear escaped, never as markup.
"""

from __future__ import annotations

from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from tests.access import OK
from tests.conftest import PERSONAS
from tests.test_access_matrix import ROWS

HOSTILE = '<meta http-equiv="refresh" content="0;url=https://example.invalid"><script>x()</script>'
RAW_MARKERS = ('url=https://example.invalid">', "<script>x()</script>")

# (model path, fields) of everything people type: names first, then free text shown on pages.
HOSTILE_FIELDS = [
    ("accounts.User", ["full_name"]),
    ("accounts.School", ["name"]),
    ("accounts.LoginRequest", ["full_name", "reason", "decline_reason"]),
    ("children.Child", ["first_name", "last_name", "preferred_name", "ethnicity", "first_language",
                        "safeguarding_notes", "restricted_contacts"]),
    ("children.CareEpisode", ["reason"]),
    ("children.SchoolPlacement", ["alternative_provision"]),
    ("meetings.Invitee", ["name", "role"]),
    ("meetings.Meeting", ["location", "cancelled_reason", "going_well", "difficulties", "support_in_place",
                          "pp_plus_impact"]),
    ("peps.SectionConfig", ["title"]),
    ("peps.Section", ["title"]),
    ("peps.Pep", ["concern_reason", "returned_reason"]),
    ("peps.SupportingDocument", ["original_name", "description"]),
    ("targets.Target", ["what", "baseline", "success_criteria", "strategy_what", "strategy_who",
                        "strategy_how_often", "responsible"]),
    ("targets.TargetReview", ["comment"]),
    ("targets.PpPlusRequest", ["what_it_buys", "reason"]),
    ("quality.QaCriterion", ["text"]),
    ("quality.QaReview", ["comment"]),
    ("quality.QaRating", ["criterion_text", "comment"]),
    ("timeliness.ConcernRequest", ["reason"]),
]


def _make_everything_hostile() -> None:
    from django.apps import apps

    from accounts.models import LocalAuthority
    from peps.models import Section
    from quality.services import active_criteria

    for la in LocalAuthority.objects.all():  # made on first use: make them now, to rename them
        active_criteria(la)

    for label, fields in HOSTILE_FIELDS:
        model = apps.get_model(label)
        model.objects.update(**{f: HOSTILE for f in fields})
    for la in LocalAuthority.objects.all():  # names are unique
        LocalAuthority.objects.filter(pk=la.pk).update(name=f"{HOSTILE} {la.pk}")
    for section in Section.objects.all():
        data = {k: (HOSTILE if isinstance(v, str) and v else v) for k, v in (section.data or {}).items()}
        Section.objects.filter(pk=section.pk).update(data=data)


def test_every_page_shows_hostile_names_as_text(world):
    from django.core.cache import cache

    problems: list[str] = []
    shown_on: set[str] = set()
    for row in ROWS:
        if row.method != "get":
            continue
        savepoint = transaction.savepoint()
        try:
            kwargs = row.kwargs(world)
            data = row.data(world) if row.data else {}
            _make_everything_hostile()
            for persona in PERSONAS:
                if row.outcome(persona) != OK:
                    continue
                cache.clear()
                client = Client()
                if persona != "anonymous":
                    client.force_login(world.people[persona])
                response = client.get(reverse(row.name, kwargs=kwargs), data)
                if response.status_code >= 500:
                    problems.append(f"{row.name} as {persona}: {response.status_code}")
                    continue
                if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
                    continue
                body = response.content.decode()
                for marker in RAW_MARKERS:
                    if marker in body:
                        problems.append(f"{row.name} as {persona}: raw {marker!r}")
                if escape(HOSTILE) in body:
                    shown_on.add(row.name)
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not problems, "hostile names reached pages as markup:\n" + "\n".join(problems)
    # The test can fail only if the pages show the names: make sure they do.
    for name in ("meeting_record", "meeting_detail", "pep_detail", "pep_targets", "child_detail", "qa_review",
                 "quality_dashboard_children"):
        assert name in shown_on, f"{name} never showed a hostile name (escaped); the check saw nothing"
