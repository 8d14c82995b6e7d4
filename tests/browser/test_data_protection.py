"""Data protection end to end: the Virtual School exports everything held on a child (the
progress page updates itself until the ZIP is ready) and downloads it; an LA admin
confirms the deletion of a record past its destroy-after date. Every page passes axe and
the HTML checker."""

from __future__ import annotations

import datetime as dt
import io
import json
import urllib.request
import zipfile

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from children import services as child_services
from children.models import Child
from core.models import AuditEvent
from data_protection import services as data_protection
from data_protection.models import SubjectAccessExport
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.conftest import build_world
from tests.data_protection.conftest import fill_record
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    world = build_world()
    fill_record(world.child, world.people["vs_officer"])
    world.old_child = child_services.child_create(
        actor=None, local_authority=world.la, la_reference="OLD-0001", first_name="Agatha", last_name="Oldrecord",
        date_of_birth=dt.date(1940, 6, 1))
    return world


def _fetch(browser, url: str):
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    return urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookies}))  # noqa: S310


def test_the_vs_exports_a_childs_record_and_an_admin_destroys_an_old_one(
        browser, pages, live_server, world, monkeypatch):
    # The export is queued but not built, as when a worker is busy: the test builds it once
    # the browser shows the progress page, and the page must notice by itself.
    # The build task is held back (as if the broker were down) so that the page is seen
    # waiting; the test then builds it, and the page's script shows the result.
    monkeypatch.setattr("core.queue.send_task_quietly", lambda task, *args: False)
    child = world.child
    sign_in(browser, live_server, "vs_officer@example.test", PASSWORD)
    browser.get(f"{live_server.url}/children/{child.pk}/")
    assert "14 March 2087" in browser.page_source
    pages.check("child page with the export link")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Export everything held").click()
    pages.check("subject access request")
    submit_and_wait(browser)  # No reason given: the error summary.
    assert browser.find_element(By.CLASS_NAME, "govuk-error-summary")
    pages.check("subject access request with errors", raw=False)
    browser.find_element(By.NAME, "reason").send_keys("Subject access request SAR-2026-14")
    submit_and_wait(browser)
    job = SubjectAccessExport.objects.get()
    assert "Waiting to start" in browser.page_source
    pages.check("export progress, queued")

    data_protection.subject_access_build(job_id=job.pk)
    WebDriverWait(browser, 20).until(lambda b: "Your export is ready" in b.page_source)
    pages.check("export progress, ready")
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "Download the ZIP file").get_attribute("href")
    with _fetch(browser, link) as response:
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert response.headers["Cache-Control"] == "no-store"
        with zipfile.ZipFile(io.BytesIO(response.read())) as archive:
            assert json.loads(archive.read("child.json"))["child"]["first_name"] == "Ruby"
            assert len([n for n in archive.namelist() if n.startswith("peps/")]) == 2
    assert AuditEvent.objects.filter(object_type="children.subjectaccessexport", verb="downloaded").count() == 1
    sign_out(browser)

    sign_in(browser, live_server, "admin_user@example.test", PASSWORD)
    assert "1 record is past the destroy-after date" in browser.page_source
    pages.check("admin home with the retention panel")
    browser.find_element(By.LINK_TEXT, "Review records past their retention date").click()
    assert "OLD-0001" in browser.page_source and "Ruby" not in browser.page_source
    pages.check("records past their retention date")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Confirm deletion").click()
    assert browser.find_element(By.CLASS_NAME, "govuk-warning-text")
    pages.check("confirm the deletion")
    browser.find_element(By.NAME, "confirm").send_keys("OLD-0001")
    submit_and_wait(browser, "main form button[type=submit].govuk-button--warning")
    assert "The record with LA reference OLD-0001 has been destroyed" in browser.page_source
    assert "No records are past their destroy-after date" in browser.page_source
    pages.check("record destroyed", raw=False)
    assert not Child.objects.filter(pk=world.old_child.pk).exists()
    assert AuditEvent.objects.filter(child_id=world.old_child.pk, verb="record_destroyed").count() == 1
