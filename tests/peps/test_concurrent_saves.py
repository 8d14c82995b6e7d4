"""Two people saving the same section at the same moment, on real PostgreSQL.

Run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/epep_peps. Each browser is a Django
test client in its own thread with its own database connection; a barrier releases both
POSTs together. Exactly one wins; the other gets the conflict page with both texts, and
nothing is silently lost.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from peps.demo import save_answers
from peps.models import Section
from peps.services.sections import SectionConflict
from tests.peps.factories import start_pep

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _in_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_browsers_saving_one_section_version_at_once(world):
    assert connection.vendor == "postgresql", "set DATABASE_URL to a PostgreSQL database"
    pep = start_pep(world.child)
    url = reverse("pep_section_edit", args=[pep.pk, "A"])
    browsers = []
    for _ in range(2):
        client = Client()
        client.force_login(world.people["social_worker"])
        assert client.get(url).status_code == 200
        browsers.append(client)
    texts = ["Written in the first browser", "Written in the second browser"]

    def save(client, text):
        return lambda: client.post(url, {"version": "0", "action": "save", "other_agencies": text})

    responses = _in_threads([save(browsers[0], texts[0]), save(browsers[1], texts[1])])
    assert not any(isinstance(r, Exception) for r in responses), responses
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409]
    winner = texts[[r.status_code for r in responses].index(302)]
    loser_response = next(r for r in responses if r.status_code == 409)
    loser = texts[1 - texts.index(winner)]
    section = Section.objects.get(pep=pep, letter="A")
    assert section.version == 1 and section.data["other_agencies"] == winner
    # Nothing lost: the loser sees their own text in the form and the winner's beside it.
    page = loser_response.content.decode()
    assert winner in page and loser in page and 'name="version" value="1"' in page


def test_many_saves_of_one_version_at_once_exactly_one_wins(world):
    assert connection.vendor == "postgresql"
    pep = start_pep(world.child)
    social_worker = world.people["social_worker"]

    def save(n):
        def job():
            section = Section.objects.get(pep=pep, letter="A")
            return save_answers(actor=social_worker, section=section, answers={"other_agencies": f"Save {n}"},
                                version=0)
        return job

    results = _in_threads([save(n) for n in range(8)])
    wins = [r for r in results if isinstance(r, Section)]
    conflicts = [r for r in results if isinstance(r, SectionConflict)]
    assert len(wins) == 1 and len(conflicts) == 7, results
    section = Section.objects.get(pep=pep, letter="A")
    assert section.version == 1 and section.data["other_agencies"] == wins[0].data["other_agencies"]
    assert all(c.theirs.data["other_agencies"] == section.data["other_agencies"] for c in conflicts)
