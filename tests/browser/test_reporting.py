"""Virtual School reporting in a browser: the page, a filtered page with a form error, a
figure's children and the printable page pass axe and the HTML checker; the PDF of the
printable page is rendered (tests/quality/test_reporting.py reads its figures)."""

from __future__ import annotations

import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from selenium.webdriver.common.by import By

from tests.browser.conftest import ARTEFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "demo-pass-2026"


def test_the_reporting_pages_pass_axe_and_the_html_checker(browser, live_server, pages, client):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    sign_in(browser, live_server, "vs@demo.test", PASSWORD)
    browser.get(live_server.url + "/quality/dashboard/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Virtual School reporting").click()
    assert "Virtual School reporting" in browser.find_element(By.TAG_NAME, "h1").text
    pages.check("reporting")
    browser.get(live_server.url + "/quality/reporting/?year=1900&sen=ehcp&cla12=yes")
    assert browser.find_element(By.CSS_SELECTOR, ".govuk-error-summary").is_displayed()
    pages.check("reporting with an error")
    browser.get(live_server.url + "/quality/reporting/?sen=ehcp")
    browser.find_element(By.CSS_SELECTOR, "a[href*='figure=ehcp']").click()
    assert "Education, health and care plan" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_elements(By.CSS_SELECTOR, "main tbody tr")
    pages.check("children of a figure")
    browser.get(live_server.url + "/quality/reporting/print/")
    pages.check("printable page")
    # The PDF of the printable page, and a picture of its first page to look at.
    from accounts.models import User

    client.force_login(User.objects.get(email="vs@demo.test"))
    response = client.get("/quality/reporting/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = ARTEFACTS / "reporting.pdf"
    pdf.write_bytes(response.content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(ARTEFACTS / "reporting-pdf")], check=True)  # noqa: S603,S607
    assert list(ARTEFACTS.glob("reporting-pdf*.png"))
    assert settings.BASE_DIR
