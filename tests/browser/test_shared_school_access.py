"""Issue 12: a designated teacher another council registered at a DEMO school asks for access
to a DEMO child; DEMO's Virtual School approves; DEMO's admin sees and removes the grant."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from accounts.models import LocalAuthority, School, User
from children.models import Child
from children.policies import relationship
from core.roles import Role
from tests.browser.conftest import sign_in, submit_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared_school(transactional_db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    other = LocalAuthority.objects.get(code="OTHER")
    return User.objects.create_user(
        email="dt@other.test", password=settings.DEMO_PASSWORD, full_name="Olu Otherborough",
        role=Role.DESIGNATED_TEACHER, local_authority=other, school=School.objects.get(urn="990001"))


def _sign_out(browser):
    submit_and_wait(browser, "form[action$='/logout/'] button")


def test_a_teacher_from_another_council_asks_and_the_childs_council_grants_and_revokes(
        browser, pages, live_server, shared_school):
    child = Child.objects.get(first_name="Olivia", last_name="Taylor")
    assert relationship(shared_school, child) is None
    sign_in(browser, live_server, "dt@other.test", settings.DEMO_PASSWORD)
    assert "Olivia Taylor" not in browser.page_source
    browser.find_element(By.LINK_TEXT, "Ask a council for access to a child").click()
    pages.check("ask for access")
    submit_and_wait(browser, "main form button[type=submit]")
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("ask for access with errors", raw=False)
    Select(browser.find_element(By.NAME, "local_authority")).select_by_visible_text("Demoshire County Council")
    browser.find_element(By.NAME, "first_name").send_keys("Olivia")
    browser.find_element(By.NAME, "last_name").send_keys("Taylor")
    browser.find_element(By.NAME, "date_of_birth").send_keys(child.date_of_birth.strftime("%d/%m/%Y"))
    browser.find_element(By.NAME, "reason").send_keys("Olivia joined Oakfield Academy this term.")
    submit_and_wait(browser, "main form button[type=submit]")
    assert "Your request has been sent to Demoshire County Council" in browser.page_source
    assert "Olivia Taylor" not in browser.page_source
    _sign_out(browser)

    sign_in(browser, live_server, "vs@demo.test", settings.DEMO_PASSWORD)
    browser.find_element(By.PARTIAL_LINK_TEXT, "Requests for access to a child").click()
    pages.check("requests for access")
    browser.find_element(By.LINK_TEXT, "Olu Otherborough").click()
    pages.check("decide a request")
    browser.find_element(By.CSS_SELECTOR, f"input[name=child][value='{child.pk}']").click()
    submit_and_wait(browser, "main form button[type=submit]")
    assert "Olu Otherborough can now see Olivia Taylor" in browser.page_source
    assert relationship(shared_school, child) == Role.DESIGNATED_TEACHER
    _sign_out(browser)

    sign_in(browser, live_server, "admin@demo.test", settings.DEMO_PASSWORD)
    browser.find_element(By.LINK_TEXT, "People with access to our children").click()
    assert "Another council" in browser.page_source
    pages.check("people with access")
    browser.find_element(By.XPATH, "//tr[contains(., 'Olu Otherborough')]//a[starts-with(., 'Remove access')]").click()
    pages.check("remove access")
    submit_and_wait(browser, "main form button[type=submit]")
    assert "Olu Otherborough no longer has access to Olivia Taylor" in browser.page_source
    pages.check("access removed", raw=False)
    assert relationship(shared_school, child) is None
