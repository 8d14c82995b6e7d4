"""Who may do what with a PEP: the one place that answers it.

A PEP inherits its audience from its child (children.policies): outside the child's team
is 404, inside without the right is 403. Section edit rights come from the section's own
editor roles (copied from the LA's configuration when the PEP began) and the PEP's status.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import LocalAuthority, User
from children.policies import relationship
from core.roles import Role

from .models import Pep, Section

security_log = logging.getLogger("epep.security")


class PepAction:
    # Who arranges (schedules, moves, cancels) a PEP meeting is the LA's choice:
    # meetings.policies.can_schedule decides it.
    VIEW = "view"
    START = "start"  # start a new PEP for the child
    SUBMIT = "submit"
    QA = "qa"  # return or approve
    RECORD_MEETING = "record_meeting"
    MANAGE_TARGETS = "manage_targets"
    REVIEW_TARGETS = "review_targets"
    REQUEST_PP_PLUS = "request_pp_plus"
    DECIDE_PP_PLUS = "decide_pp_plus"
    UPLOAD_DOCUMENT = "upload_document"
    DOWNLOAD = "download"  # documents and the PDF copy
    VIEW_PP_PLUS_AMOUNTS = "view_pp_plus_amounts"
    REOPEN = "reopen"  # the Virtual School reopens an approved PEP, with a reason


_DT_VS = frozenset({Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL})
_PROFESSIONALS = frozenset({Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL})
# Who sees professional-only fields of a PEP (everyone but carers, the young person and parents).
PROFESSIONAL_RELATIONSHIPS = frozenset({*_PROFESSIONALS, Role.LA_ADMIN, Role.IRO, Role.PERSONAL_ADVISER})
# Who may start a PEP (the social worker starts it as part of the care plan; the school and
# the Virtual School may too, e.g. after a change of school or for a concern review).
START_RELATIONSHIPS = frozenset({Role.SOCIAL_WORKER, Role.DESIGNATED_TEACHER, Role.VIRTUAL_SCHOOL})

# relationship → actions, before the PEP's status is considered.
_RIGHTS: dict[str, frozenset[str]] = {
    Role.VIRTUAL_SCHOOL: frozenset({
        PepAction.START, PepAction.SUBMIT, PepAction.QA, PepAction.RECORD_MEETING,
        PepAction.MANAGE_TARGETS, PepAction.REVIEW_TARGETS,
        PepAction.DECIDE_PP_PLUS, PepAction.UPLOAD_DOCUMENT, PepAction.DOWNLOAD,
        PepAction.VIEW_PP_PLUS_AMOUNTS, PepAction.REOPEN,
    }),
    Role.DESIGNATED_TEACHER: frozenset({
        PepAction.START, PepAction.SUBMIT, PepAction.RECORD_MEETING,
        PepAction.MANAGE_TARGETS, PepAction.REVIEW_TARGETS, PepAction.REQUEST_PP_PLUS,
        PepAction.UPLOAD_DOCUMENT, PepAction.DOWNLOAD, PepAction.VIEW_PP_PLUS_AMOUNTS,
    }),
    Role.SOCIAL_WORKER: frozenset({
        PepAction.START, PepAction.UPLOAD_DOCUMENT, PepAction.DOWNLOAD, PepAction.VIEW_PP_PLUS_AMOUNTS,
    }),
    Role.CARER: frozenset({PepAction.DOWNLOAD}),
    Role.YOUNG_PERSON: frozenset({PepAction.DOWNLOAD}),
    Role.LA_ADMIN: frozenset({PepAction.DOWNLOAD}),
    Role.IRO: frozenset({PepAction.DOWNLOAD}),
    Role.PERSONAL_ADVISER: frozenset({PepAction.DOWNLOAD}),
    Role.PARENT: frozenset(),
}

# Actions that change a PEP's content need it open (draft or returned).
_NEEDS_OPEN = frozenset({
    PepAction.RECORD_MEETING, PepAction.MANAGE_TARGETS,
    PepAction.REVIEW_TARGETS, PepAction.REQUEST_PP_PLUS, PepAction.UPLOAD_DOCUMENT, PepAction.SUBMIT,
})


def family_sees_pp_plus(pep: Pep) -> bool:
    """Whether the carer and the young person see PP+ amounts for this PEP (the platform's
    setting or the child's LA's): the one place this is decided, for pages and the stored
    family-level PDF alike."""
    from django.conf import settings

    return bool(settings.PP_PLUS_VISIBLE_TO_FAMILY or pep.child.local_authority.pp_plus_visible_to_family)


def rel_allows(rel: str, pep: Pep, action: str) -> bool:
    if action == PepAction.VIEW:
        return True
    if action == PepAction.VIEW_PP_PLUS_AMOUNTS and rel in (Role.CARER, Role.YOUNG_PERSON):
        return family_sees_pp_plus(pep)
    if action not in _RIGHTS.get(rel, frozenset()):
        return False
    if action in _NEEDS_OPEN and not pep.is_open:
        return False
    if action == PepAction.QA and pep.status != Pep.Status.SUBMITTED:
        return False
    if action == PepAction.REOPEN and pep.status != Pep.Status.APPROVED:
        return False
    # PP+ decisions stay allowed after approval: payment follows it (targets.services).
    return True


def require_pep_action(actor: User | None, pep: Pep, action: str) -> None:
    """PermissionDenied unless `actor` may do `action` to `pep`. `actor=None` is the system
    (demo data, imports, the QA helper's own checks done already) and is not checked."""
    if actor is None:
        return
    rel = relationship(actor, pep.child)
    if rel is None or not rel_allows(rel, pep, action):
        raise PermissionDenied


def can_edit_section(rel: str | None, section: Section, pep: Pep) -> bool:
    """Only the section's editors, only while the PEP is open (draft or returned)."""
    return rel is not None and pep.is_open and rel in (section.editor_roles or [])


@dataclass(frozen=True)
class PepAccess:
    pep: Pep
    relationship: str

    def can(self, action: str) -> bool:
        return rel_allows(self.relationship, self.pep, action)

    def can_edit(self, section: Section) -> bool:
        return can_edit_section(self.relationship, section, self.pep)

    @property
    def is_professional(self) -> bool:
        """Sees professional-only fields."""
        return self.relationship in PROFESSIONAL_RELATIONSHIPS

    def editable_letters(self) -> set[str]:
        return {s.letter for s in self.pep.sections.all() if self.can_edit(s)}


def get_pep_for(user: User, pk: int, action: str = PepAction.VIEW) -> PepAccess:
    """Fetch and authorise in one step: 404 outside the child's team, 403 without the right."""
    pep = Pep.objects.select_related("child", "child__local_authority", "school").filter(pk=pk).first()
    rel = relationship(user, pep.child) if pep is not None else None
    if pep is None or rel is None:
        security_log.info("pep not visible", extra={"event": "pep_404", "user_id": user.pk, "object_id": pk})
        raise Http404("No such PEP")
    access = PepAccess(pep=pep, relationship=rel)
    if not access.can(action):
        security_log.warning("pep action refused", extra={"event": "pep_403", "user_id": user.pk, "object_id": pk})
        raise PermissionDenied
    return access


def get_section_for_edit(user: User, pep_pk: int, letter: str) -> tuple[PepAccess, Section]:
    access = get_pep_for(user, pep_pk, PepAction.VIEW)
    section = access.pep.sections.filter(letter=letter.upper()).first()
    if section is None:
        raise Http404("No such section")
    if not access.can_edit(section):
        security_log.warning("section edit refused", extra={"event": "section_403", "user_id": user.pk,
                                                             "object_id": pep_pk})
        raise PermissionDenied
    return access, section


def can_start_pep(rel: str | None) -> bool:
    return rel in START_RELATIONSHIPS


def get_child_for_pep_start(user: User, child_pk: int):
    """The child whose next PEP this person wants to start: 404 outside the team, 403 without the right."""
    from children.policies import get_child_for

    access = get_child_for(user, child_pk)
    if not can_start_pep(access.relationship):
        security_log.warning("pep start refused", extra={"event": "pep_start_403", "user_id": user.pk,
                                                         "child_id": child_pk})
        raise PermissionDenied
    return access


def get_section_for_view(user: User, pep_pk: int, letter: str) -> tuple[PepAccess, Section]:
    access = get_pep_for(user, pep_pk, PepAction.VIEW)
    section = access.pep.sections.select_related("updated_by").filter(letter=letter.upper()).first()
    if section is None:
        raise Http404("No such section")
    return access, section


def document_visible(access: PepAccess, document) -> bool:
    """Professionals see every document; carers and the young person only those shared with the team."""
    return access.is_professional or document.visibility == document.Visibility.TEAM


def can_manage_document(access: PepAccess, user: User, document) -> bool:
    """Who changes who can see a document, replaces its file or removes it: the person who
    added it (while still a professional in the team) and the Virtual School."""
    if access.relationship == Role.VIRTUAL_SCHOOL:
        return True
    return access.is_professional and document.uploaded_by_id is not None and document.uploaded_by_id == user.pk


def get_document_for(user: User, pep_pk: int, document_pk: int):
    """A supporting document of a PEP the person may download from.

    A professional-only document does not exist for a carer or the young person (404), as
    for someone outside the team."""
    access = get_pep_for(user, pep_pk, PepAction.DOWNLOAD)
    document = access.pep.documents.filter(pk=document_pk).first()
    if document is None or not document_visible(access, document):
        raise Http404("No such document")
    return access, document


def get_document_for_manage(user: User, pep_pk: int, document_pk: int):
    """A document this person may change or remove: 404 where they cannot see it, 403 where
    they see it but did not add it (and are not the Virtual School)."""
    access = get_pep_for(user, pep_pk, PepAction.VIEW)
    document = access.pep.documents.select_related("uploaded_by").filter(pk=document_pk).first()
    if document is None or not document_visible(access, document):
        raise Http404("No such document")
    if not can_manage_document(access, user, document):
        security_log.warning("document change refused", extra={"event": "document_403", "user_id": user.pk,
                                                                "object_id": document_pk})
        raise PermissionDenied
    return access, document


def visible_documents(access: PepAccess):
    """The PEP's documents this person may see listed."""
    documents = access.pep.documents.select_related("uploaded_by")
    if not access.is_professional:
        documents = documents.filter(visibility="team")
    return documents


def can_configure_sections(user: User) -> bool:
    """LA admins set their own LA's sections and editors."""
    return user.is_authenticated and user.role == Role.LA_ADMIN and user.local_authority_id is not None


def require_section_configurer(user: User) -> LocalAuthority:
    if not can_configure_sections(user) or user.local_authority is None:
        raise PermissionDenied("Only local authority admins can change the PEP sections.")
    return user.local_authority


def get_pep_for_young_person(user: User, pk: int) -> PepAccess:
    """"My PEP" is the young person's own page: 404 outside the team, 403 for the rest of it."""
    access = get_pep_for(user, pk, PepAction.VIEW)
    if access.relationship != Role.YOUNG_PERSON:
        raise PermissionDenied
    return access


def require_young_person(user: User) -> None:
    if user.role != Role.YOUNG_PERSON:
        raise PermissionDenied
