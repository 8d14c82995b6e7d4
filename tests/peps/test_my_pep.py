"""'My PEP': the young person's own pages, in plain words (issue 14, point 3).

Readability is measured with textstat's Flesch reading ease on the visible text of the
page's <main> (what the young person reads), on the demo's data: 70 or more is plain
English a Year 5 child can read.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
import textstat
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from peps.models import Pep

pytestmark = pytest.mark.django_db

FORBIDDEN = ("Legal status", "UPN", "Safeguarding", "safeguarding", "Quality assurance", "quality assurance",
             "Health summary", "SDQ", "Professionals only", "Restricted contacts", "care order", "Section 20")


class _MainText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style") or ("class", "govuk-visually-hidden") in attrs:
            self.skip += 1

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        if tag in ("script", "style", "span") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _MainText()
    parser.feed(html)
    # Each piece of text is its own sentence for the measure (a heading, a label, an answer).
    return "\n".join(p if p.endswith((".", "?", "!", ":")) else p + "." for p in parser.parts)


@pytest.fixture
def demo_young_person():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    return User.objects.get(email="yp@demo.test")


def _pages(client, young_person):
    urls = [reverse("my_pep_home")]
    urls += [reverse("my_pep", args=[pep.pk]) for pep in Pep.objects.filter(child__team__user=young_person)]
    return {url: client.get(url) for url in urls}


def test_my_pep_is_plain_english_and_has_nothing_professional(demo_young_person):
    client = Client()
    client.force_login(demo_young_person)
    pages = _pages(client, demo_young_person)
    assert len(pages) >= 3
    for url, response in pages.items():
        assert response.status_code == 200, url
        text = visible_text(response.content.decode())
        score = textstat.flesch_reading_ease(text)
        assert score >= 70, f"{url}: Flesch reading ease {score} < 70\n{text}"
        for word in FORBIDDEN:
            assert word not in response.content.decode(), (url, word)


def test_my_pep_shows_my_views_who_reads_them_my_targets_and_you_said_we_did(demo_young_person):
    pep = (Pep.objects.filter(child__team__user=demo_young_person, sections__letter="C")
           .exclude(sections__letter="C", sections__data={}).filter(targets__isnull=False).distinct().first())
    assert pep is not None
    data = pep.sections.get(letter="C").data
    client = Client()
    client.force_login(demo_young_person)
    page = client.get(reverse("my_pep", args=[pep.pk])).content.decode()
    assert "What you told us" in page and data["going_well"] in page
    assert "Who will read this: your designated teacher" in page and "the Virtual School team" in page
    assert "your social worker" in page and "your carer" in page
    target = pep.targets.order_by("created_at", "pk").first()
    assert target.what in page and "How we will help" in page
    assert "You said, we did" in page and data["could_be_better"] in page


def test_the_home_page_of_a_young_person_links_to_my_pep(demo_young_person):
    client = Client()
    client.force_login(demo_young_person)
    assert reverse("my_pep_home") in client.get("/").content.decode()


def test_only_the_young_person_opens_my_pep(world, client):
    from tests.peps.factories import start_pep

    pep = start_pep(world.child)
    for persona, status in (("young_person", 200), ("carer", 403), ("social_worker", 403),
                            ("outsider_young_person", 404), ("other_la_vs", 404)):
        client.force_login(world.people[persona])
        assert client.get(reverse("my_pep", args=[pep.pk])).status_code == status, persona


def test_the_readability_measure_tells_official_prose_from_plain_words():
    official = visible_text("<main><p>The designated teacher will facilitate the implementation of "
                            "individualised interventions, subject to the Virtual School's authorisation of "
                            "Pupil Premium Plus expenditure.</p></main>")
    assert textstat.flesch_reading_ease(official) < 70
    assert textstat.flesch_reading_ease(visible_text("<main><p>We will help you read.</p></main>")) >= 70


def test_you_said_we_will_follows_the_stored_link_and_says_when_nothing_is_planned(world, client):
    """A target records which ask of section C it answers (targets.Target.answers_ask)."""
    import datetime as dt

    from peps.demo import save_answers
    from peps.young_person import NOTHING_PLANNED
    from targets.services import target_add
    from tests.peps.factories import start_pep

    pep = start_pep(world.child)
    c = pep.sections.get(letter="C")
    save_answers(actor=None, section=c, version=0,
                 answers={"could_be_better": "Maths is hard.", "hopes_and_dreams": "I want to be a vet."})
    target = target_add(actor=world.people["designated_teacher"], pep=pep, area="maths",
                        what="Know the times tables to 12", success_criteria="Scores 35 out of 40",
                        strategy_what="Tuition once a week", responsible="Maths lead",
                        by_when=dt.date.today() + dt.timedelta(days=60), answers_ask="could_be_better")
    assert target.answers_ask_text == "Maths is hard."
    client.force_login(world.people["young_person"])
    page = client.get(reverse("my_pep", args=[pep.pk])).content.decode()
    said = page.index("Maths is hard.", page.index('id="you-said"'))
    assert said < page.index("We will:", said) < page.index("Know the times tables to 12", said)
    vet = page.index("I want to be a vet.", said)
    assert page.index(NOTHING_PLANNED, vet) > vet


def test_the_target_form_offers_the_young_persons_asks(world, client):
    from peps.demo import save_answers
    from tests.peps.factories import start_pep

    pep = start_pep(world.child)
    save_answers(actor=None, section=pep.sections.get(letter="C"), version=0,
                 answers={"could_be_better": "Maths is hard."})
    client.force_login(world.people["designated_teacher"])
    page = client.get(reverse("target_add", args=[pep.pk])).content.decode()
    assert 'name="answers_ask"' in page and "Maths is hard." in page


def test_a_target_carried_forward_says_last_time_you_said_and_answers_nothing_said_now(world, client):
    """Issue 14: a carried-forward target keeps no link to the new PEP's section C (the
    young person says new things there); My PEP shows it as from the last plan, with what
    they said then."""
    import datetime as dt

    from peps.demo import save_answers
    from peps.young_person import NOTHING_PLANNED
    from targets.services import target_add, target_review
    from tests.peps.factories import set_status, start_pep

    teacher = world.people["designated_teacher"]
    first = start_pep(world.child)
    save_answers(actor=None, section=first.sections.get(letter="C"), version=0,
                 answers={"could_be_better": "Maths is hard."})
    target = target_add(actor=teacher, pep=first, area="maths", what="Know the times tables to 12",
                        success_criteria="Scores 35 out of 40", strategy_what="Tuition once a week",
                        responsible="Maths lead", by_when=dt.date.today() + dt.timedelta(days=60),
                        answers_ask="could_be_better")
    set_status(first, Pep.Status.APPROVED)
    second = start_pep(world.child)
    assert second.previous_id == first.pk
    save_answers(actor=None, section=second.sections.get(letter="C"), version=0,
                 answers={"could_be_better": "I want more time for art."})
    review = target_review(actor=teacher, pep=second, target=target, outcome="carried_forward",
                           comment="Nearly there: up to the 9 times table",
                           new_by_when=dt.date.today() + dt.timedelta(days=120))
    copy = review.carried_to
    assert copy.answers_ask == "" and copy.carried_from_id == target.pk

    client.force_login(world.people["young_person"])
    page = client.get(reverse("my_pep", args=[second.pk])).content.decode()
    you_said = page[page.index('id="you-said"'):]
    # This plan's words are not answered by last plan's target...
    art = you_said.index("I want more time for art.")
    assert you_said.index(NOTHING_PLANNED, art) > art
    assert "We will:" not in you_said
    # ... which is shown as from the last plan, with what they said then, and once only.
    last = you_said.index("From your last plan")
    assert last < you_said.index("Last time you said:", last) < you_said.index("Maths is hard.", last)
    assert you_said.index("We are still working on:", last) < you_said.index("Know the times tables to 12", last)
    assert you_said.count("Know the times tables to 12") == 1

    # Linked again by the school to what they say now, it is "We will" for this plan instead.
    from targets.services import target_update

    target_update(actor=teacher, target=copy, **{
        name: getattr(copy, name) for name in ("area", "what", "baseline", "success_criteria", "strategy_what",
                                               "strategy_who", "strategy_how_often", "responsible", "by_when")},
        answers_ask="could_be_better")
    page = client.get(reverse("my_pep", args=[second.pk])).content.decode()
    you_said = page[page.index('id="you-said"'):]
    assert "From your last plan" not in you_said and "Last time you said:" not in you_said
    art = you_said.index("I want more time for art.")
    assert art < you_said.index("We will:", art) < you_said.index("Know the times tables to 12", art)
