"""Browser tests: Debian's Chromium through Selenium, with axe-core and the Nu HTML checker
run on every page a test visits. Nothing here skips: a missing browser, driver or Java
fails the test, as CI requires."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(settings.BASE_DIR)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTEFACTS = ROOT / "test-artefacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="epep-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.implicitly_wait(2)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


class PageChecker:
    """Runs axe on each page at once and the Nu HTML checker on all of them at the end."""

    def __init__(self, driver, test_name: str):
        self.driver = driver
        self.test_name = test_name
        self.html_dir = Path(tempfile.mkdtemp(prefix="epep-vnu-"))
        self.pages: list[tuple[str, Path]] = []
        self.axe_source = AXE.read_text()

    def raw_html(self) -> str:
        """The page as the server sent it (the DOM has been changed by scripts since)."""
        url = self.driver.current_url
        cookies = "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())
        request = urllib.request.Request(url, headers={"Cookie": cookies})
        with urllib.request.urlopen(request) as response:  # noqa: S310 - the live test server
            return response.read().decode()

    def check(self, label: str, *, raw: bool = True) -> None:
        # A strict CSP blocks injected <script> tags, so axe is run with execute_script.
        self.driver.execute_script(self.axe_source)
        result = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
            ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => n.target.join(' '))}))))"
            ".catch(e => done([{id: 'axe-error', help: String(e), nodes: []}]));",
            AXE_TAGS,
        )
        assert result == [], f"axe found problems on {label} ({self.driver.current_url}): " + json.dumps(
            result, indent=1
        )
        # After a POST the page cannot be fetched again; its DOM is serialised instead.
        html = self.raw_html() if raw else "<!DOCTYPE html>\n" + self.driver.page_source
        path = self.html_dir / f"{len(self.pages):03d}.html"
        path.write_text(html)
        self.pages.append((label, path))
        self.screenshot(label)

    def screenshot(self, label: str) -> None:
        ARTEFACTS.mkdir(exist_ok=True)
        safe = "".join(ch if ch.isalnum() else "-" for ch in f"{self.test_name}-{len(self.pages):02d}-{label}")
        self.driver.save_screenshot(str(ARTEFACTS / f"{safe[:120]}.png"))

    def validate_html(self) -> None:
        if not self.pages:
            return
        proc = subprocess.run(  # noqa: S603 - fixed arguments
            ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *[str(p) for _label, p in self.pages]],
            capture_output=True,
            text=True,
            timeout=300,
        )
        messages = json.loads(proc.stderr or "{}").get("messages", [])
        labels = {str(p): label for label, p in self.pages}
        problems = [
            f"{labels.get(m.get('url', '').replace('file:', ''), m.get('url'))}: "
            f"line {m.get('lastLine')}: {m.get('message')}"
            for m in messages
            if m.get("type") == "error"
        ]
        assert not problems, "The Nu HTML checker found errors:\n" + "\n".join(problems)


@pytest.fixture
def pages(browser, request):
    checker = PageChecker(browser, request.node.name)
    yield checker
    # Only validate when the test itself passed, so its own failure is the one reported.
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.passed:
        checker.validate_html()
    shutil.rmtree(checker.html_dir, ignore_errors=True)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)


def sign_in(browser, live_server, email: str, password: str) -> None:
    browser.get(live_server.url + "/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    submit_and_wait(browser, "form button[type=submit].govuk-button")


def submit_and_wait(browser, selector: str = "main form button[type=submit]") -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    # The page may still be settling from the last navigation: retry a stale lookup.
    for attempt in range(3):
        try:
            old = browser.find_element(By.TAG_NAME, "html")
            browser.find_element(By.CSS_SELECTOR, selector).click()
            break
        except (StaleElementReferenceException, WebDriverException):
            if attempt == 2:
                raise
            time.sleep(0.5)
    WebDriverWait(browser, 10).until(lambda _driver: _is_gone(old))


def _is_gone(element) -> bool:
    """True once the element's page has been replaced. Chromedriver reports a node of a
    replaced document either as stale or as "does not belong to the document"."""
    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def sign_out(browser) -> None:
    submit_and_wait(browser, "nav form button[type=submit]")
