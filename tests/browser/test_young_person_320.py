"""The young person's pages do not scroll sideways at 320 px (issue #14 leftover): the
ordinary PEP page, its sections, and the My PEP pages. axe, the Nu checker, screenshots."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from peps.models import Pep
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The viewport without the vertical scroll bar (window.innerWidth counts it: a page 5 px
# wider than the content area still scrolls sideways).
NO_SIDEWAYS = ("return [document.documentElement.scrollWidth, "
               "Math.min(window.innerWidth, document.documentElement.clientWidth)]")
WIDEST = """
const w = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 0.5)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
"""


def _fits(browser, label: str) -> None:
    scroll, inner = browser.execute_script(NO_SIDEWAYS)
    assert scroll <= inner, (label, scroll, inner, browser.execute_script(WIDEST))


def test_the_young_persons_pep_pages_fit_320_px(browser, pages, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    young_person = User.objects.get(email="yp@demo.test")
    browser.set_window_size(320, 900)
    sign_in(browser, live_server, young_person.email, settings.DEMO_PASSWORD)
    pep = (Pep.objects.filter(child__team__user=young_person, targets__isnull=False)
           .exclude(sections__letter="C", sections__data={}).distinct().first())
    for label, path in (("320 PEP page of the young person", f"/peps/{pep.pk}/"),
                        ("320 PEP section A of the young person", f"/peps/{pep.pk}/sections/A/"),
                        ("320 PEP section B of the young person", f"/peps/{pep.pk}/sections/B/"),
                        ("320 My PEP home", "/peps/mine/"),
                        ("320 My PEP", f"/peps/{pep.pk}/mine/")):
        browser.get(f"{live_server.url}{path}")
        _fits(browser, label)
        pages.check(label)
    # Every other PEP of theirs and every section of it: the draft one (its sections
    # still to fill in), the approved history.
    for other in Pep.objects.filter(child__team__user=young_person).exclude(pk=pep.pk).distinct():
        for path in [f"/peps/{other.pk}/", f"/peps/{other.pk}/mine/",
                     *[f"/peps/{other.pk}/sections/{s.letter}/" for s in other.sections.all()]]:
            browser.get(f"{live_server.url}{path}")
            _fits(browser, path)
    browser.get(f"{live_server.url}/")
    _fits(browser, "home")
    # The open PEP (the young person's section C still to fill in): its sections table was
    # 352 px wide at 320 px before it stacked.
    current = Pep.objects.filter(child__team__user=young_person, status__in=Pep.OPEN_STATUSES).first()
    browser.get(f"{live_server.url}/peps/{current.pk}/")
    _fits(browser, "open PEP")
    pages.check("320 open PEP page of the young person")
    browser.execute_script("document.getElementById('sections').scrollIntoView()")
    pages.screenshot("320 open PEP sections table stacked")
    browser.get(f"{live_server.url}/peps/{pep.pk}/mine/")
    browser.execute_script("document.getElementById('you-said').scrollIntoView()")
    pages.screenshot("320 My PEP you said we will")
