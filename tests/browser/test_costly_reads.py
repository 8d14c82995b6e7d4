"""In Chromium: the page a person sees after downloading too many PEP PDFs in a minute
(GOV.UK layout, status 429), checked with axe and the Nu HTML checker."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from selenium.webdriver.common.by import By

from quality.services import PDF_DOWNLOADS_PER_MINUTE
from tests.browser.conftest import sign_in
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.meetings.factories import make_pep

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    yield build_world()
    cache.clear()


def test_too_many_pdf_downloads_show_a_gov_uk_page(browser, pages, live_server, world):
    carer = world.people["carer"]
    pep = make_pep(world.child)
    sign_in(browser, live_server, carer.email, PASSWORD)
    # The live server runs in this process and shares its cache: this person has already
    # downloaded as many PDFs as a minute allows.
    cache.set(f"pdf-downloads:{carer.pk}", PDF_DOWNLOADS_PER_MINUTE, 60)
    browser.get(live_server.url + reverse("pep_pdf", args=[pep.pk]))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Too many downloads"
    assert "Wait a minute" in browser.find_element(By.TAG_NAME, "main").text
    # A second fetch of this URL would count as another download: the DOM is checked instead.
    pages.check("too many downloads", raw=False)
