"""'My PEP' in a real browser as the young person, at 320 px: axe, the Nu checker, screenshots."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from selenium.webdriver.common.by import By

from accounts.models import User
from peps.models import Pep
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_my_pep_for_the_young_person_at_320_px(browser, pages, live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    young_person = User.objects.get(email="yp@demo.test")
    browser.set_window_size(320, 900)
    sign_in(browser, live_server, young_person.email, settings.DEMO_PASSWORD)
    pages.check("3 home page of the young person")
    browser.find_element(By.LINK_TEXT, "Go to My PEP").click()
    pages.check("3 My PEP home")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 320
    pep = (Pep.objects.filter(child__team__user=young_person, targets__isnull=False)
           .exclude(sections__letter="C", sections__data={}).distinct().first())
    browser.get(f"{live_server.url}/peps/{pep.pk}/mine/")
    assert "You said, we did" in browser.page_source and "Who will read this" in browser.page_source
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 320
    pages.check("3 My PEP at 320 px")
    browser.execute_script("document.getElementById('you-said').scrollIntoView()")
    pages.screenshot("3 My PEP you said we did")
