from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from deadlines.models import ConcernRequest
from meetings.models import Invitee, Meeting
from peps.models import Pep
from peps.services.documents import document_upload
from tests.quality.factories import PepFactory, SectionFactory, qa_review, submitted_pep

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECTION_TEXT = "A settled term; reading is the focus."


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


def fill_record(child, vs_officer) -> dict:
    """Two PEPs (one approved, with its stored PDF), a meeting, a QA review, a concern
    request and a supporting document with an awkward name."""
    from quality.services import approved_pdf_store

    approved = PepFactory(child=child, status=Pep.Status.APPROVED, approved_at=timezone.now(),
                          academic_year="2025/26", term="summer")
    SectionFactory(pep=approved, letter="B", data={"school_name": "Ruby's School", "attendance_percent": 97})
    approved = approved_pdf_store(pep_id=approved.pk)
    qa_review(approved, vs_officer)
    current = submitted_pep(child)
    meeting = Meeting.objects.create(pep=current, starts_at=timezone.now() - dt.timedelta(days=3), format="in_school",
                                     chair=vs_officer, status="held", going_well="The reading club helps")
    Invitee.objects.create(meeting=meeting, name="Pat Carer", role="Carer", attendance="attended")
    ConcernRequest.objects.create(child=child, reason="Two exclusions this term")
    document = document_upload(actor=None, pep=current, upload=SimpleUploadedFile("Ruby's report ü.pdf", PDF),
                                            description="Termly report")
    return {"approved": approved, "current": current, "document": document}


@pytest.fixture
def old_child(world):
    """A child of the LA past the destroy-after date (75th birthday), with a record."""
    from children import services as child_services

    child = child_services.child_create(actor=world.people["admin_user"], local_authority=world.la,
                                        la_reference="OLD-0001", first_name="Agatha", last_name="Oldrecord",
                                        date_of_birth=dt.date(1940, 6, 1))
    child_services.care_episode_start(actor=None, child=child, entered_care_on=dt.date(1950, 1, 9))
    return child
