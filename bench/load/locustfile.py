"""100 people using ePEP at once: sign in once (with their authenticator app's code for staff),
then look at and edit their children's PEPs with a person's pauses between pages.

    .venv/bin/locust -f bench/load/locustfile.py --headless -u 100 -r 2 -t 3m --host http://127.0.0.1:8765

The people come from var/bench/load/users.json (written by seed_load.py): 10 Virtual
School officers, 30 social workers, 30 designated teachers, 25 carers and 5 young people,
one simulated user per account (so at most 100 users). Each signs in once, from an address
of its own (X-Forwarded-For; the server trusts one proxy, as behind a real one), then loops
over pages weighted like ordinary use. Every response is checked: the expected status (200,
or 302 to the expected place after a POST), never an error page or a form re-shown with
errors, so anything else counts as a failure.

LOAD_WAIT_MIN / LOAD_WAIT_MAX (seconds, default 5 and 15) set the think time between pages;
LOAD_USERS the users file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import random
import re
import struct
import time
from html.parser import HTMLParser
from pathlib import Path

from locust import HttpUser, between, events, task

ROOT = Path(__file__).resolve().parent.parent.parent
PEOPLE = json.loads(Path(os.environ.get("LOAD_USERS", ROOT / "var/bench/load/users.json")).read_text())
WAIT = between(float(os.environ.get("LOAD_WAIT_MIN", "5")), float(os.environ.get("LOAD_WAIT_MAX", "15")))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ERROR_TITLE = re.compile(r"<title>[^<]*(\(error\)|Page not found|problem with the service|not allowed|Forbidden)",
                         re.IGNORECASE)


# Every request's time, so that report.py can give exact percentiles, overall and for the
# steady state after everyone has signed in (locust's own CSV rounds them to two digits).
REQUEST_LOG = os.environ.get("LOAD_REQUEST_LOG", "")
_requests: list[tuple[float, str, str, float, int]] = []


@events.request.add_listener
def _record(request_type, name, response_time, exception, start_time=None, **kwargs) -> None:
    _requests.append((start_time or time.time(), request_type, name, response_time, 0 if exception else 1))


@events.test_stop.add_listener
def _write_log(**kwargs) -> None:
    if REQUEST_LOG:
        with open(REQUEST_LOG, "w") as out:
            out.write("start,method,name,ms,ok\n")
            out.writelines(f"{t:.3f},{m},{n},{ms:.1f},{ok}\n" for t, m, n, ms, ok in _requests)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 code, as an authenticator app shows it (30 s, 6 digits, SHA-1)."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class FormFields(HTMLParser):
    """The fields a browser would post from the page's POST form, with their current values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.textareas: set[str] = set()
        self._in_form = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not a.get("action"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("radio", "checkbox"):
                if "checked" in a:
                    self.fields.append((name, a.get("value") or "on"))
            else:
                self.fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
            self.textareas.add(name)
        elif tag == "select" and name:
            self._select, self._select_value = name, None
        elif tag == "option" and self._select is not None and ("selected" in a or self._select_value is None):
            # The first option unless another is selected, as a browser posts it.
            self._select_value = a.get("value", "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self._in_form:
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.fields.append((self._select, self._select_value or ""))
            self._select = None


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = WAIT
    _taken: dict[str, int] = {}

    def on_start(self) -> None:
        pool = [p for p in PEOPLE if p["role"] == self.role]
        index = Person._taken.get(self.role, 0)
        Person._taken[self.role] = index + 1
        if index >= len(pool):
            raise RuntimeError(f"More {self.role} users than accounts in the users file ({len(pool)})")
        self.me = pool[index]
        # One address per person, as 100 people in different offices and homes would have.
        n = PEOPLE.index(self.me)
        self.client.headers["X-Forwarded-For"] = f"10.{n // 250}.{n % 250}.{1 + n % 200}"
        # gunicorn closes a kept-alive connection after 2 s idle; people pause 5-15 s, so a
        # browser would open a new connection for nearly every page anyway. Asking for a new
        # one each time avoids the race where a request is sent on a connection the server
        # is closing at that instant (seen as "status 0" failures that no person would see:
        # browsers resend in that case).
        self.client.headers["Connection"] = "close"
        self.sign_in()

    # -- helpers ---------------------------------------------------------------------------

    def get(self, url: str, name: str, expect: int = 200, contains: str | None = None) -> str | None:
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            return self._check(response, expect, contains)

    def post(self, url: str, data, name: str, redirect_to: str) -> bool:
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True,
                              headers={"Referer": self.host + url}) as response:
            if response.status_code == 0:
                response.failure(f"no response: {response.error!r}")
            elif response.status_code != 302:
                response.failure(f"expected a redirect, got {response.status_code}"
                                 + (" (form shown again with errors)" if "(error)" in response.text else ""))
            elif not response.headers.get("Location", "").startswith(redirect_to):
                response.failure(f"redirected to {response.headers.get('Location')}, not {redirect_to}")
            else:
                response.success()
                return True
        return False

    def _check(self, response, expect: int, contains: str | None) -> str | None:
        if response.status_code == 0:
            response.failure(f"no response: {response.error!r}")
            return None
        if response.status_code != expect:
            where = response.headers.get("Location", "")
            response.failure(f"status {response.status_code}{' to ' + where if where else ''}, expected {expect}")
            return None
        body = response.text if response.headers.get("Content-Type", "").startswith("text/html") else ""
        if body and ERROR_TITLE.search(body):
            response.failure("an error page or a form with errors")
            return None
        if contains is not None and contains.encode() not in response.content:
            response.failure(f"{contains!r} missing from the page")
            return None
        response.success()
        return body or None

    def csrf(self, body: str | None) -> str:
        match = CSRF.search(body or "")
        return match.group(1) if match else ""

    def sign_in(self) -> None:
        # A refused step counts as a failure; then, like a person, try again (at most three
        # times), so that one refused code does not turn every later page into a failure too.
        for _attempt in range(3):
            body = self.get("/accounts/login/", "sign in: login page")
            if self.post("/accounts/login/", {"csrfmiddlewaretoken": self.csrf(body), "login": self.me["email"],
                                              "password": self.me["password"]},
                         "sign in: password", "/accounts/2fa/authenticate/" if self.me["totp_secret"] else "/"):
                break
        if self.me["totp_secret"]:
            for _attempt in range(3):
                body = self.get("/accounts/2fa/authenticate/", "sign in: code page")
                # Authenticator apps show a countdown: like people, type a code only with a
                # few seconds of its 30-second window to go; otherwise wait for the next one.
                left = 30 - time.time() % 30
                if left < 5:
                    time.sleep(left + 0.2)
                if self.post("/accounts/2fa/authenticate/", {"csrfmiddlewaretoken": self.csrf(body),
                                                             "code": totp(self.me["totp_secret"])},
                             "sign in: code", "/"):
                    break
        self.get("/", "home")

    def child(self) -> int:
        return random.choice(self.me["children"])

    def pep(self) -> int:
        return random.choice(self.me["open_peps"] or self.me["approved_peps"])

    # -- what people do --------------------------------------------------------------------

    @task(10)
    def home(self) -> None:
        self.get("/", "home")

    @task(8)
    def children_list(self) -> None:
        self.get("/children/", "children list")

    @task(10)
    def child_page(self) -> None:
        self.get(f"/children/{self.child()}/", "child page")

    @task(12)
    def pep_page(self) -> None:
        self.get(f"/peps/{self.pep()}/", "PEP page")

    @task(4)
    def meeting_page(self) -> None:
        if self.me["meetings"]:
            self.get(f"/meetings/{random.choice(self.me['meetings'])}/", "meeting page")

    @task(1)
    def pep_pdf(self) -> None:
        pk = random.choice(self.me["approved_peps"])
        self.get(f"/quality/peps/{pk}/pdf/", "PEP PDF", contains="%PDF")


class EditsSections(Person):
    abstract = True

    @task(6)
    def edit_section(self) -> None:
        pep, letter = self.pep(), self.me["edit_letter"]
        url = f"/peps/{pep}/sections/{letter}/edit/"
        body = self.get(url, "section edit page")
        if body is None:
            return
        parser = FormFields()
        parser.feed(body)
        fields = parser.fields
        if not any(k == "version" for k, _ in fields):
            self.environment.events.request.fire(
                request_type="PARSE", name="section edit page", response_time=0, response_length=0,
                exception=RuntimeError("no version field in the section form"), context={})
            return
        # A person reads, changes a few words in the first box of text, then saves for later.
        for i, (k, v) in enumerate(fields):
            if k in parser.textareas and v:
                fields[i] = (k, re.sub(r" \[edit \d+\]$", "", v) + f" [edit {random.randint(1, 999)}]")
                break
        time.sleep(random.uniform(0.5, 2.0) * WAIT(self) / 5)
        fields.append(("action", "save"))
        self.post(url, fields, "section save", f"/peps/{pep}/")


class StaffPages(EditsSections):
    abstract = True

    @task(4)
    def deadlines(self) -> None:
        self.get("/deadlines/", "deadlines list")


class VirtualSchoolOfficer(Person):
    role = "virtual_school"
    fixed_count = 10

    @task(4)
    def deadlines(self) -> None:
        self.get("/deadlines/", "deadlines list")

    @task(6)
    def dashboard(self) -> None:
        self.get("/quality/dashboard/", "VS dashboard")


class SocialWorker(StaffPages):
    role = "social_worker"
    fixed_count = 30


class DesignatedTeacher(StaffPages):
    role = "designated_teacher"
    fixed_count = 30


class Carer(EditsSections):
    role = "carer"
    fixed_count = 25


class YoungPerson(EditsSections):
    role = "young_person"
    fixed_count = 5
