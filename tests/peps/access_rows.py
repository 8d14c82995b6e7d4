"""Every PEP URL × every persona. Ruby's team reads her PEPs; only the right roles act."""

from __future__ import annotations

from tests.access import FORBIDDEN, NOT_FOUND, OK, Row, everyone

TEAM = dict(social_worker=OK, designated_teacher=OK, carer=OK, young_person=OK, vs_officer=OK, admin_user=OK)


def _only(*allowed: str) -> dict[str, object]:
    """OK for the named team members, 403 for the rest of the team, 404 (default) outside it."""
    return {p: (OK if p in allowed else FORBIDDEN) for p in TEAM}


def _pep(world, status=None):
    from peps.models import Pep
    from tests.peps.factories import set_status, start_pep

    pep = start_pep(world.child, Pep.Kind.TERMLY)
    return set_status(pep, status) if status else pep


def _draft(world):
    return {"pk": _pep(world).pk}


def _section_a(world):
    return {"pk": _pep(world).pk, "letter": "A"}


def _submitted(world):
    return {"pk": _pep(world, "submitted").pk}


def _document(world, visibility="team", uploader=None):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from peps.models import SupportingDocument
    from peps.services.documents import DOCUMENT_DIR

    pep = _pep(world)
    # A fixed name, so repeated runs overwrite one small file rather than adding more.
    name = f"{DOCUMENT_DIR}/access-matrix-example"
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    doc = SupportingDocument.objects.create(pep=pep, original_name="report.pdf", stored_name="access-matrix-example",
                                            content_type="application/pdf", size=15, sha256="0" * 64,
                                            visibility=visibility,
                                            uploaded_by=world.people[uploader] if uploader else None)
    return {"pk": pep.pk, "document_pk": doc.pk}


def _superseded(world):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from peps.models import SupersededPdf

    pep = _pep(world, "approved")
    name = "approved-peps/access-matrix-superseded.pdf"
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, ContentFile(b"%PDF-1.4\n%%EOF\n"))
    copy = SupersededPdf.objects.create(pep=pep, file=name, reason="Wrong school recorded")
    return {"pk": pep.pk, "copy_pk": copy.pk}


ADMINS = everyone(FORBIDDEN, admin_user=OK, other_la_admin=OK)

ROWS = [
    Row("pep_detail", TEAM, kwargs=_draft),
    Row("pep_section", TEAM, kwargs=_section_a),
    Row("pep_section_edit", _only("social_worker"), kwargs=_section_a),
    Row("pep_submit", _only("designated_teacher", "vs_officer"), kwargs=_draft),
    Row("pep_return", _only("vs_officer"), kwargs=_submitted),
    Row("pep_reopen", _only("vs_officer"), kwargs=lambda w: {"pk": _pep(w, "approved").pk}),
    Row("pep_superseded_pdf", dict(TEAM, carer=NOT_FOUND, young_person=NOT_FOUND), kwargs=_superseded),
    Row("pep_document_upload", _only("social_worker", "designated_teacher", "vs_officer"), kwargs=_draft),
    Row("pep_document_download", TEAM, kwargs=_document),
    # A professional-only document does not exist for the carer and the young person.
    Row("pep_document_download", dict(TEAM, carer=NOT_FOUND, young_person=NOT_FOUND),
        kwargs=lambda w: _document(w, "professionals")),
    # The person who added it and the Virtual School change or remove it.
    Row("pep_document_change", dict(_only("designated_teacher", "vs_officer"), carer=NOT_FOUND, young_person=NOT_FOUND),
        kwargs=lambda w: _document(w, "professionals", "designated_teacher")),
    Row("pep_document_change", _only("designated_teacher", "vs_officer"),
        kwargs=lambda w: _document(w, "team", "designated_teacher")),
    Row("pep_document_remove", dict(_only("designated_teacher", "vs_officer"), carer=NOT_FOUND, young_person=NOT_FOUND),
        kwargs=lambda w: _document(w, "professionals", "designated_teacher")),
    Row("pep_document_remove", _only("vs_officer"), kwargs=lambda w: _document(w, "team"), method="post",
        data=lambda w: {}),
    Row("pep_start", _only("social_worker", "designated_teacher", "vs_officer"),
        kwargs=lambda w: {"child_pk": w.child.pk}),
    # "My PEP" is the young person's own: everyone else in the team 403, outside it 404.
    Row("my_pep_home", everyone(FORBIDDEN, young_person=OK, outsider_young_person=OK)),
    Row("my_pep", _only("young_person"), kwargs=_draft),
    Row("pep_section_config", ADMINS),
    Row("pep_section_config_edit", ADMINS, kwargs=lambda w: {"phase": "school_age"}),
]

# A stale or closed PEP refuses writes to everyone: approved sections are no longer editable.
LOCKED_ROWS = [
    Row("pep_section_edit", _only(), kwargs=lambda w: {"pk": _pep(w, "approved").pk, "letter": "A"}),
    Row("pep_submit", _only(), kwargs=lambda w: {"pk": _pep(w, "submitted").pk}),
    Row("pep_return", _only(), kwargs=_draft),
    Row("pep_reopen", _only(), kwargs=_draft),
]
assert NOT_FOUND
