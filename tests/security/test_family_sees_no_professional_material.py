"""Carers and young people see no quality assurance, legal status, UPN or safeguarding (issue 14).

Everything professional about the child is given a recognisable value (the UPN, the legal
status in the record and in section A, safeguarding notes and restricted contacts, QA
reviews with their ratings and comments, the QA return reasons); then every GET page of
the access matrix that a carer or the young person may open, and the PDFs they may
download (a draft's, a returned one's and the stored copy of an approved PEP), are searched
for those values and for the professional labels.
"""

from __future__ import annotations

import re
import subprocess
import tempfile

from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.access import OK
from tests.test_access_matrix import ROWS

FAMILY = ("carer", "young_person")
UPN = "A801200001001"
SAFEGUARDING = "SAFEGUARDING-NOTE-ABOUT-RUBY"
RESTRICTED = "RESTRICTED-CONTACT-OF-RUBY"
QA_COMMENT = "QA-REVIEWER-COMMENT-XYZ"
QA_RATING_COMMENT = "QA-RATING-COMMENT-XYZ"
QA_CRITERION = "QA-CRITERION-TEXT-XYZ"
RETURN_REASON = "QA-RETURN-REASON-XYZ"

# What must never reach a carer or the young person: values, then the labels that introduce them.
FORBIDDEN = [UPN, SAFEGUARDING, RESTRICTED, QA_COMMENT, QA_RATING_COMMENT, QA_CRITERION, RETURN_REASON,
             "Full care order", "Legal status", "UPN", "Safeguarding", "Restricted contacts",
             "Quality assurance", "quality assure", "RAG rating", "Rated red", "Rated amber", "Rated green"]


def _salt(world) -> None:
    """Give every professional thing about the child a value the search recognises."""
    from children.models import Child
    from peps.models import Pep, Section
    from quality.models import QaRating, QaReview

    Child.objects.filter(pk=world.child.pk).update(upn=UPN, legal_status="co", safeguarding_notes=SAFEGUARDING,
                                                   restricted_contacts=RESTRICTED)
    for pep in Pep.objects.filter(child=world.child):
        Pep.objects.filter(pk=pep.pk).update(returned_reason=RETURN_REASON)
        if not QaReview.objects.filter(pep=pep).exists():
            review = QaReview.objects.create(pep=pep, reviewer=world.people["vs_officer"], overall="red",
                                             decision="returned", comment=QA_COMMENT)
            QaRating.objects.create(review=review, criterion_text=QA_CRITERION, rating="red",
                                    comment=QA_RATING_COMMENT)
    for section in Section.objects.filter(pep__child=world.child, letter="A"):
        Section.objects.filter(pk=section.pk).update(data={**(section.data or {}), "legal_status": "co"})


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(body)
            handle.flush()
            result = subprocess.run(["pdftotext", "-layout", handle.name, "-"], capture_output=True, check=True)
        return result.stdout.decode()
    if content_type.startswith("text/"):
        return body.decode()
    return ""


def _found(text: str) -> list[str]:
    # "Submitted for quality assurance" is the PEP's status, which the family may see.
    text = re.sub(r"Submitted for quality assurance", "Submitted", text)
    return [word for word in FORBIDDEN if word in text]


def test_the_family_sees_no_qa_legal_status_upn_or_safeguarding_on_any_page_or_pdf(world):
    from django.core.cache import cache

    problems: list[str] = []
    pdfs_seen = 0
    pages_seen = 0
    for row in ROWS:
        if row.method != "get" or not any(row.outcome(p) == OK for p in FAMILY):
            continue
        savepoint = transaction.savepoint()
        try:
            kwargs = row.kwargs(world)
            data = row.data(world) if row.data else {}
            _salt(world)
            for persona in FAMILY:
                if row.outcome(persona) != OK:
                    continue
                cache.clear()
                client = Client()
                client.force_login(world.people[persona])
                response = client.get(reverse(row.name, kwargs=kwargs), data)
                if response.status_code != 200 or row.name == "pep_document_download":
                    # A supporting document is the file someone added, not a page of the portal.
                    continue
                text = _text(response)
                pages_seen += 1
                pdfs_seen += response.get("Content-Type", "").startswith("application/pdf")
                if found := _found(text):
                    problems.append(f"{row.name} as {persona}: {found}")
        finally:
            transaction.savepoint_rollback(savepoint)
    assert not problems, "professional material reached the family:\n" + "\n".join(problems)
    assert pages_seen > 20 and pdfs_seen >= 2, (pages_seen, pdfs_seen)


def test_the_stored_copy_of_an_approved_pep_has_nothing_professional(world, settings, tmp_path):
    from peps.models import Pep
    from tests.peps.factories import set_status, start_pep

    settings.MEDIA_ROOT = tmp_path
    pep = set_status(start_pep(world.child, Pep.Kind.TERMLY), Pep.Status.APPROVED)
    _salt(world)
    for persona in FAMILY:
        client = Client()
        client.force_login(world.people[persona])
        response = client.get(reverse("pep_pdf", args=[pep.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        text = _text(response)
        assert "Personal Education Plan" in text or "PEP" in text
        assert not _found(text), (persona, _found(text))
