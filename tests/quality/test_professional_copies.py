"""An approved PEP's stored copies: professionals get the professionals' copy (QA table,
professional-only fields, everything), carers and the young person the family's copy, for
the current approval and for a superseded one alike (issue 14, point 4)."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from children.policies import relationship
from core.models import AuditEvent
from core.roles import Role
from peps.models import Pep, ProfessionalPdf, SupersededPdf
from peps.services.workflow import pep_reopen
from quality import services
from tests.quality.factories import submitted_pep
from tests.quality.test_pdf import pdf_text
from tests.quality.test_qa import ratings_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _approved(world, vs_officer, django_capture_on_commit_callbacks) -> Pep:
    pep = submitted_pep(world.child)
    with django_capture_on_commit_callbacks(execute=True):  # the AFTER_APPROVE task stores the copies
        services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la), decision="approved",
                                  comment="A clear plan, well evidenced")
    pep.refresh_from_db()
    return pep


def _download(client, user, pep) -> bytes:
    client.force_login(user)
    response = client.get(reverse("pep_pdf", args=[pep.pk]))
    assert response.status_code == 200
    return response.content


def _is_professional(text: str) -> None:
    assert "Quality assurance" in text and "A clear plan, well evidenced" in text
    assert "Asthma, uses an inhaler" in text  # a professional-only field of section A


def _is_family(text: str) -> None:
    assert "Quality assurance" not in text and "A clear plan" not in text and "Asthma" not in text
    assert "Read one chapter book a week" in text  # what was agreed is there


def test_approval_stores_the_family_and_the_professionals_copies_in_one_event(
        world, vs_officer, media, django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    assert pep.approved_pdf
    copies = {c.with_pp_plus_amounts: c for c in ProfessionalPdf.objects.filter(pep=pep, superseded=None)}
    assert set(copies) == {True, False}
    for copy in copies.values():
        assert hashlib.sha256(copy.file.read()).hexdigest() == copy.sha256
    stored = AuditEvent.objects.get(object_type="peps.pep.approved_pdf", object_id=str(pep.pk))
    assert set(stored.changes) == {"approved_pdf_sha256", "professional_pdf_sha256",
                                   "professional_pdf_without_amounts_sha256"}
    # Storing again changes nothing and writes nothing.
    services.approved_pdf_store(pep_id=pep.pk)
    assert ProfessionalPdf.objects.filter(pep=pep).count() == 2
    assert AuditEvent.objects.filter(object_type="peps.pep.approved_pdf").count() == 1


def test_professionals_download_the_professionals_copy_and_the_family_theirs(
        world, vs_officer, social_worker, designated_teacher, carer, young_person, client, media,
        django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    with_amounts = ProfessionalPdf.objects.get(pep=pep, superseded=None, with_pp_plus_amounts=True)
    for professional in (vs_officer, social_worker):
        data = _download(client, professional, pep)
        assert hashlib.sha256(data).hexdigest() == with_amounts.sha256
        text = pdf_text(data)
        _is_professional(text)
        assert "£240" in text
    for family in (carer, young_person):
        data = _download(client, family, pep)
        assert hashlib.sha256(data).hexdigest() == pep.approved_pdf_sha256
        text = pdf_text(data)
        _is_family(text)
        assert "£240" not in text  # Testshire does not let families see amounts
    # Each download is the stored copy, byte for byte, every time.
    assert _download(client, vs_officer, pep) == _download(client, vs_officer, pep)


def test_a_professional_who_may_not_see_amounts_gets_the_professionals_copy_without_them(
        world, vs_officer, admin_user, client, media, django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    assert relationship(admin_user, pep.child) == Role.LA_ADMIN
    text = pdf_text(_download(client, admin_user, pep))
    _is_professional(text)
    assert "£240" not in text


def test_a_pep_approved_before_the_professionals_copies_gets_them_at_the_first_professional_download(
        world, vs_officer, carer, client, media, django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    family_sha = pep.approved_pdf_sha256
    ProfessionalPdf.objects.filter(pep=pep).delete()  # as a PEP approved before this change
    _is_family(pdf_text(_download(client, carer, pep)))
    assert not ProfessionalPdf.objects.filter(pep=pep).exists()  # the family's download needs none
    _is_professional(pdf_text(_download(client, vs_officer, pep)))
    pep.refresh_from_db()
    assert pep.approved_pdf_sha256 == family_sha  # the family's copy is untouched
    assert ProfessionalPdf.objects.filter(pep=pep, superseded=None).count() == 2


def test_a_superseded_approval_keeps_its_professionals_copies_for_professionals(
        world, vs_officer, carer, client, media, django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    first = {c.with_pp_plus_amounts: c.sha256 for c in ProfessionalPdf.objects.filter(pep=pep)}
    pep_reopen(actor=vs_officer, pep=pep, reason="The school was recorded wrongly")
    copy = SupersededPdf.objects.get(pep=pep)
    assert {c.with_pp_plus_amounts: c.sha256 for c in copy.professional_pdfs.all()} == first
    assert not ProfessionalPdf.objects.filter(pep=pep, superseded=None).exists()

    client.force_login(vs_officer)
    response = client.get(reverse("pep_superseded_pdf", args=[pep.pk, copy.pk]))
    assert response.status_code == 200
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == first[True]
    _is_professional(pdf_text(data))
    assert AuditEvent.objects.latest("id").changes == {"sha256": [None, first[True]]}
    client.force_login(carer)
    assert client.get(reverse("pep_superseded_pdf", args=[pep.pk, copy.pk])).status_code == 404

    # Approved again: new current copies; the superseded ones stay with their approval.
    Pep.objects.filter(pk=pep.pk).update(status=Pep.Status.SUBMITTED)
    pep.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.qa_review_record(actor=vs_officer, pep=pep, ratings=ratings_for(world.la), decision="approved")
    assert ProfessionalPdf.objects.filter(pep=pep, superseded=None).count() == 2
    assert copy.professional_pdfs.count() == 2


def test_a_copy_superseded_before_the_professionals_copies_existed_is_served_as_it_was_kept(
        world, vs_officer, client, media, django_capture_on_commit_callbacks):
    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    ProfessionalPdf.objects.filter(pep=pep).delete()
    pep_reopen(actor=vs_officer, pep=pep, reason="Wrong school")
    copy = SupersededPdf.objects.get(pep=pep)
    client.force_login(vs_officer)
    data = b"".join(client.get(reverse("pep_superseded_pdf", args=[pep.pk, copy.pk])).streaming_content)
    assert hashlib.sha256(data).hexdigest() == copy.sha256


def test_the_virtual_schools_export_holds_the_professionals_copies(
        world, vs_officer, media, django_capture_on_commit_callbacks):
    import io
    import zipfile

    pep = _approved(world, vs_officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_job_request(actor=vs_officer, academic_year=pep.academic_year, term=pep.term)
    job.refresh_from_db()
    with zipfile.ZipFile(io.BytesIO(job.file.read())) as archive:
        (name,) = archive.namelist()
        data = archive.read(name)
    assert hashlib.sha256(data).hexdigest() == ProfessionalPdf.objects.get(
        pep=pep, superseded=None, with_pp_plus_amounts=True).sha256
