"""Supporting documents of a PEP: what may be uploaded (checked by content), uploading,
changing, removing and downloading them, and opening a superseded approved PDF.

Each write runs in one transaction and writes exactly one audit event; a refused upload is
`core.refusals.Refused` with the reason in words for the person.
"""

from __future__ import annotations

import hashlib
import secrets
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.models import User
from children.policies import relationship
from core.audit import Verb, audit_record
from core.refusals import Refused

from ..models import Pep, SupersededPdf, SupportingDocument
from ..policies import PepAccess, PepAction, can_manage_document, require_pep_action

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# The most supporting documents one PEP holds (each up to 10 MB).
MAX_DOCUMENTS_PER_PEP = 30
DOCUMENT_DIR = "pep-documents"
# kind → (content type, extension, plain name)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", "pdf", "PDF"),
    "png": ("image/png", "png", "PNG image"),
    "jpeg": ("image/jpeg", "jpg", "JPEG image"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word document"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel spreadsheet"),
}
ALLOWED_WORDS = "a PDF, Word document (DOCX), Excel spreadsheet (XLSX), PNG or JPEG"
_EXTENSION_KIND = {"pdf": "pdf", "png": "png", "jpg": "jpeg", "jpeg": "jpeg", "docx": "docx", "xlsx": "xlsx"}


def sniff_document(fileobj) -> str | None:
    """The kind of file by its content (magic bytes), or None when it is not allowed.

    Word and Excel files are zip archives: they must hold [Content_Types].xml and a
    word/ or xl/ part, and no macros. A plain zip is refused.
    """
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(fileobj) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" not in names or any(n.lower().endswith("vbaproject.bin") for n in names):
            return None
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return None


# An Office file (OOXML) is a zip archive. Real Word and Excel files of up to 10 MB unpack to
# tens of MB at most, in a few hundred parts; a zip bomb (2 MiB that unpacks to 2 GiB) is
# refused before anyone's computer (or a virus scanner, or a preview) unpacks it.
OFFICE_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
OFFICE_MAX_ENTRIES = 1000
OFFICE_MAX_RATIO = 100  # unpacked size ÷ file size, over the whole archive
OFFICE_TOO_BIG = ("The selected file is too large once unpacked (Word and Excel files are compressed). "
                  "Save it as a PDF, or remove large pictures, and try again")


def office_archive_problem(fileobj) -> str | None:
    """Why an Office (zip) file is refused as a zip bomb; None when its size is sane.

    The central directory is checked first (sizes, number of parts, ratio); then every part
    is unpacked as a stream and counted, because the directory's sizes can lie. Nothing is
    kept in memory or written anywhere."""
    fileobj.seek(0, 2)
    packed = max(fileobj.tell(), 1)
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            entries = archive.infolist()
            if len(entries) > OFFICE_MAX_ENTRIES:
                return OFFICE_TOO_BIG
            limit = min(OFFICE_MAX_UNPACKED_BYTES, packed * OFFICE_MAX_RATIO)
            if sum(entry.file_size for entry in entries) > limit:
                return OFFICE_TOO_BIG
            unpacked = 0
            for entry in entries:
                with archive.open(entry) as part:
                    while chunk := part.read(1024 * 1024):
                        unpacked += len(chunk)
                        if unpacked > limit:
                            return OFFICE_TOO_BIG
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError, RuntimeError):
        return f"The selected file is not a real Word document or Excel spreadsheet. The file must be {ALLOWED_WORDS}"
    finally:
        fileobj.seek(0)
    return None


def document_problem(upload) -> str | None:
    """Why an upload is refused, in words for the person; None when it is fine."""
    if upload is None:
        return "Select a file"
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > MAX_DOCUMENT_BYTES:
        return "The selected file must be smaller than 10 MB"
    kind = sniff_document(upload)
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if kind is None:
        claimed = _EXTENSION_KIND.get(extension)
        if claimed:
            return (f"The selected file is called .{extension} but it is not a real "
                    f"{DOCUMENT_TYPES[claimed][2]}. The file must be {ALLOWED_WORDS}")
        return f"The selected file must be {ALLOWED_WORDS}"
    if _EXTENSION_KIND.get(extension) != kind:
        return (f"The selected file’s name does not match its contents (it is a {DOCUMENT_TYPES[kind][2]}). "
                f"Rename it to end .{DOCUMENT_TYPES[kind][1]} and try again")
    if kind in ("docx", "xlsx"):
        return office_archive_problem(upload)
    return None


def safe_download_name(document: SupportingDocument) -> str:
    """ASCII letters, digits, '-', '_' and '.', ending with the extension of the real content."""
    stem = document.original_name.rsplit(".", 1)[0]
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in stem).strip("-.")
    extension = next((ext for ct, ext, _n in DOCUMENT_TYPES.values() if ct == document.content_type), "bin")
    return f"{cleaned[:80] or 'document'}.{extension}"


@transaction.atomic
def document_upload(*, actor: User | None, pep: Pep, upload, description: str = "",
                    visibility: str = SupportingDocument.Visibility.PROFESSIONALS) -> SupportingDocument:
    require_pep_action(actor, pep, PepAction.UPLOAD_DOCUMENT)
    if visibility not in SupportingDocument.Visibility.values:
        raise Refused("Select who can see this document")
    if SupportingDocument.objects.filter(pep=pep).count() >= MAX_DOCUMENTS_PER_PEP:
        raise Refused(f"This PEP already has {MAX_DOCUMENTS_PER_PEP} supporting documents, the most one PEP "
                              "can hold. Put several pages in one PDF instead.")
    stored = _checked_and_stored(upload)
    saved = document_path_of(stored.name)
    try:
        document = SupportingDocument.objects.create(
            pep=pep, original_name=upload.name[:255], stored_name=stored.name,
            content_type=stored.content_type, size=upload.size, sha256=stored.sha256,
            description=description.strip()[:200], uploaded_by=actor, visibility=visibility,
        )
        audit_record(actor=actor, verb=Verb.CREATED, obj=document, child_id=pep.child_id,
                     changes={"pep": [None, pep.pk], "original_name": [None, document.original_name],
                              "visibility": [None, document.visibility],
                              "content_type": [None, document.content_type], "size": [None, document.size],
                              "sha256": [None, document.sha256]})
    except Exception:
        # No row, no file: the bytes never outlive a failed upload.
        default_storage.delete(saved)
        raise
    return document


def document_path(document: SupportingDocument) -> str:
    return document_path_of(document.stored_name)


def document_path_of(stored_name: str) -> str:
    return f"{DOCUMENT_DIR}/{stored_name}"


@dataclass(frozen=True)
class _Stored:
    name: str  # the random name in storage, under DOCUMENT_DIR
    content_type: str
    sha256: str


def _checked_and_stored(upload) -> _Stored:
    """Refuse a file a PEP cannot hold (by its content, not its name); else store its bytes
    under a random name (the caller deletes them if its transaction fails)."""
    problem = document_problem(upload)
    if problem:
        raise Refused(problem)
    kind = sniff_document(upload)
    if kind is None:  # document_problem() has refused such a file already.
        raise Refused("The selected file is not a kind of file a PEP can hold")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    saved = default_storage.save(document_path_of(secrets.token_hex(20)), File(upload))
    return _Stored(name=saved.rsplit("/", 1)[-1], content_type=DOCUMENT_TYPES[kind][0], sha256=digest.hexdigest())


def _require_document_manager(actor: User, document: SupportingDocument) -> None:
    rel = relationship(actor, document.pep.child)
    if rel is None or not can_manage_document(PepAccess(pep=document.pep, relationship=rel), actor, document):
        raise PermissionDenied


def _delete_stored_file_later(name: str) -> None:
    """The old bytes leave storage once the change is committed (never before: a rolled-back
    change must still find its file)."""
    transaction.on_commit(lambda: default_storage.delete(f"{DOCUMENT_DIR}/{name}"))


@transaction.atomic
def document_change(*, actor: User, document: SupportingDocument, visibility: str,
                    upload=None) -> SupportingDocument:
    """Change who can see a document and, with `upload`, replace its file (the old file
    leaves storage). One audit event with what changed, old and new."""
    document = SupportingDocument.objects.select_for_update().select_related("pep__child").get(pk=document.pk)
    _require_document_manager(actor, document)
    if visibility not in SupportingDocument.Visibility.values:
        raise Refused("Select who can see this document")
    before = {"visibility": document.visibility, "original_name": document.original_name,
              "content_type": document.content_type, "size": document.size, "sha256": document.sha256}
    old_stored = None
    document.visibility = visibility
    if upload is not None:
        stored = _checked_and_stored(upload)
        old_stored = document.stored_name
        document.stored_name = stored.name
        document.original_name = upload.name[:255]
        document.content_type = stored.content_type
        document.size = upload.size
        document.sha256 = stored.sha256
    after = {"visibility": document.visibility, "original_name": document.original_name,
             "content_type": document.content_type, "size": document.size, "sha256": document.sha256}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    try:
        document.save()
        audit_record(actor=actor, verb=Verb.UPDATED, obj=document, child_id=document.pep.child_id, changes=changes)
    except Exception:
        if old_stored is not None:
            default_storage.delete(f"{DOCUMENT_DIR}/{document.stored_name}")
        raise
    if old_stored is not None:
        _delete_stored_file_later(old_stored)
    return document


@transaction.atomic
def document_remove(*, actor: User, document: SupportingDocument) -> None:
    """Remove a document: the row goes, the file leaves storage after the commit, and the
    audit keeps who removed it, when, and the file's name."""
    document = SupportingDocument.objects.select_for_update().select_related("pep__child").get(pk=document.pk)
    _require_document_manager(actor, document)
    audit_record(actor=actor, verb=Verb.DELETED, obj=document, child_id=document.pep.child_id,
                 changes={"original_name": [document.original_name, None], "pep": [document.pep_id, None],
                          "uploaded_by": [document.uploaded_by_id, None], "sha256": [document.sha256, None]})
    stored = document.stored_name
    document.delete()
    _delete_stored_file_later(stored)


@transaction.atomic
def document_download(*, actor: User, document: SupportingDocument):
    """Open a document for reading, audited. The caller has checked PepAction.DOWNLOAD."""
    handle = default_storage.open(document_path(document), "rb")
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=document, child_id=document.pep.child_id,
                 changes={"sha256": [None, document.sha256]})
    return handle


@transaction.atomic
def superseded_pdf_open(*, actor: User, copy: SupersededPdf, with_pp_plus_amounts: bool):
    """Open a superseded approved PDF for reading, audited. The caller has checked access
    (professionals only): the professionals' copy of that approval, with PP+ amounts or
    not. A copy superseded before the professionals' copies were kept has only the family's
    copy, which is served then."""
    professional = copy.professional_pdfs.filter(with_pp_plus_amounts=with_pp_plus_amounts).first()
    stored, sha256 = (professional.file, professional.sha256) if professional else (copy.file, copy.sha256)
    handle = stored.open("rb")
    audit_record(actor=actor, verb=Verb.DOWNLOADED, obj=copy, child_id=copy.pep.child_id,
                 changes={"sha256": [None, sha256]})
    return handle
