"""Issue 14, "done when": an outside check, as a carer and as the young person of a fresh
`make run` (the demo seed), finds no QA material, legal status, UPN or safeguarding text on
any page or PDF they can reach.

The demo is seeded as `make run` seeds it; then, signed in as each of the demo's family
logins, every portal page reachable from their home page by following links is fetched
(GET only, as a browser would), PDFs included (their text through pdftotext), and searched
for the demo's own professional values (every QA review comment, rating comment and
criterion, return reasons, every child's UPN, legal status, safeguarding notes and
restricted contacts) and the labels that introduce them.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections import deque
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from children.models import Child
from core.roles import Role
from peps.models import Pep
from quality.models import QaCriterion, QaRating, QaReview

pytestmark = pytest.mark.django_db

FAMILY_LOGINS = ("carer@demo.test", "carer2@demo.test", "yp@demo.test")
# Labels that introduce professional material wherever it would be shown.
LABELS = ["Legal status", "legal status", "UPN", "Unique pupil number", "Safeguarding", "safeguarding notes",
          "Restricted contacts", "Quality assurance", "quality assurance", "quality assure", "RAG rating",
          "Rated red", "Rated amber", "Rated green", "Section 31", "Section 20"]
# Pages that are not pages of the child's record (signing out ends the crawl's session).
SKIP = ("/logout/", "/static/", "/accounts/logout/")
MAX_PAGES = 400
# The public privacy notice says, for everyone, what kinds of data the portal holds ("legal
# status" among them): the labels may appear there, the child's values may not.
GENERAL_PAGES = ("/privacy/", "/accessibility/", "/cookies/")


def _professional_values() -> list[str]:
    """The demo's own professional values, after seeding."""
    values: set[str] = set()
    for child in Child.objects.all():
        values.update(v for v in (child.upn, child.safeguarding_notes, child.restricted_contacts) if v)
    values.update(label for value, label in Child.LegalStatus.choices if value != Child.LegalStatus.OTHER)
    values.update(QaReview.objects.exclude(comment="").values_list("comment", flat=True))
    values.update(QaRating.objects.exclude(comment="").values_list("comment", flat=True))
    # A criterion's text is QA material; the shortest could be ordinary words, so long ones only.
    values.update(t for t in QaCriterion.objects.values_list("text", flat=True) if len(t) >= 30)
    values.update(Pep.objects.exclude(returned_reason="").values_list("returned_reason", flat=True))
    return sorted(v.strip() for v in values if v.strip())


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(body)
            handle.flush()
            result = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True)
        # The layout breaks long lines: compare on single spaces.
        return re.sub(r"\s+", " ", result.stdout.decode())
    if content_type.startswith("text/"):
        return body.decode()
    return ""


def _visible(html: str) -> str:
    """A page's text as read (markup dropped, entities of quotes undone, spaces collapsed)."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("&#x27;", "'").replace("&quot;", '"').replace("&amp;", "&").replace("&#39;", "'")
    return re.sub(r"\s+", " ", text)


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]+)"', html):
        url, _fragment = urldefrag(urljoin(base, href.replace("&amp;", "&")))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, mailto:, tel:
        if any(parts.path.startswith(skip) for skip in SKIP):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _crawl(client: Client) -> tuple[dict[str, str], int]:
    """Every page reachable from the home page: {url: text}, and how many were PDFs."""
    seen: dict[str, str] = {}
    pdfs = 0
    queue = deque(["/"])
    queued = {"/"}
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in queued and not any(target.startswith(s) for s in SKIP):
                queued.add(target)
                queue.append(target)
            continue
        if response.status_code != 200:
            continue
        text = _text(response)
        is_pdf = response.get("Content-Type", "").startswith("application/pdf")
        pdfs += is_pdf
        seen[url] = text if is_pdf else _visible(text)
        if response.get("Content-Type", "").startswith("text/html"):
            for link in _links(url, text):
                if link not in queued:
                    queued.add(link)
                    queue.append(link)
    return seen, pdfs


def _found(text: str, forbidden: list[str]) -> list[str]:
    # "Submitted for quality assurance" is the PEP's status, which the family may see.
    text = text.replace("Submitted for quality assurance", "Submitted")
    return [word for word in forbidden if word in text]


def test_the_demo_family_reaches_no_professional_material_on_any_page_or_pdf(settings, tmp_path, monkeypatch):
    from quality import services as quality_services

    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discarded output
    # The crawl downloads every PDF it can reach: more than the per-minute limit a person has.
    monkeypatch.setattr(quality_services, "PDF_DOWNLOADS_PER_MINUTE", 10_000)
    values = _professional_values()
    # The seed gives the demo professional material to find (else this test proves nothing).
    assert any(Child.objects.exclude(upn="").values_list("upn", flat=True))
    assert QaReview.objects.exists() and Child.objects.exclude(safeguarding_notes="").exists()
    forbidden = values + LABELS

    problems: list[str] = []
    for email in FAMILY_LOGINS:
        user = User.objects.get(email=email)
        assert user.role in (Role.CARER, Role.YOUNG_PERSON)
        cache.clear()
        client = Client()
        client.force_login(user)
        pages, pdfs = _crawl(client)
        # The crawl reached the family's PEPs, their pages and their PDFs.
        assert len(pages) >= 10 and pdfs >= 1, (email, len(pages), pdfs)
        assert any("/peps/" in url for url in pages), (email, sorted(pages))
        print(email, len(pages), "pages,", pdfs, "PDFs")
        for url, text in pages.items():
            if found := _found(text, values if urlsplit(url).path in GENERAL_PAGES else forbidden):
                problems.append(f"{email} {url}: {found}")
    assert not problems, "professional material reached the family:\n" + "\n".join(problems)
