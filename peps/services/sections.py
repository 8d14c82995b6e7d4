"""Saving a section (optimistic locking by version), and keeping what someone typed when
their session had ended.

The view builds and validates the section's form (`section_form`); `section_save` takes the
form's cleaned data. A save on a stale version raises `SectionConflict` (the view shows the
other person's text and keeps yours); a closed PEP is refused with `core.refusals.Refused`;
section B's figures that contradict the education record are a `ValidationError` per field.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from children.policies import relationship
from core.audit import Verb, audit_record, diff
from core.refusals import Refused

from .. import care_record, record_link
from .. import sections as defs
from ..models import Pep, Section, StashedSectionPost
from ..policies import PROFESSIONAL_RELATIONSHIPS, can_edit_section


class SectionConflict(Refused):
    """A save on a stale version. `theirs` is the section as now saved (with its version)."""

    def __init__(self, theirs: Section):
        super().__init__("Someone else saved this section while you were editing it.")
        self.theirs = theirs


# --------------------------------------------------------------------------------------
# Saving a section (optimistic locking by version)
# --------------------------------------------------------------------------------------


def section_form(*, pep: Pep, section: Section, data=None, professional: bool, mark_complete: bool = False,
                 initial: dict | None = None, record_editable: bool = False) -> defs.SectionForm:
    """The section's form: bound to `data` (a POST) to validate it, or unbound with the
    stored values (section B of an open PEP: the education record as it is now).

    Section A has no fields for the child record's facts (peps.care_record), except legal
    status and the date entered care when `record_editable` (the person may edit the
    child's record): those start from the record, and saving them changes the record."""
    form_cls = defs.form_class_for(pep.phase, section.letter)
    if data is None:
        if initial is None:
            stored = section.data
            if record_link.applies(section):
                # The education record as it is now wins over what was stored (peps.record_link).
                stored = record_link.section_values(pep, section)
            elif care_record.applies(section):
                stored = care_record.section_values(pep, section)
            initial = form_cls.initial_from(stored)
        form = form_cls(initial=initial, professional=professional)
    else:
        form = form_cls(data, professional=professional, mark_complete=mark_complete)
    if care_record.applies(section):
        kept = care_record.RECORD_EDITABLE if record_editable else ()
        for name in care_record.RECORD_FIELDS:
            if name not in kept:
                form.fields.pop(name, None)
        for name in kept:
            if name in form.fields:
                form.fields[name].help_text = "Saving this changes the child's record"
        form.helper.layout = form._layout()
        child = pep.child
        form.record_check = lambda f, cleaned: care_record.check_record(child, f, cleaned)
    return form


@transaction.atomic
def section_save(*, actor: User | None, section: Section, data: dict[str, Any], version: int,
                 mark_complete: bool = False) -> Section:
    """Save a section's own fields from `data` (the cleaned data of its valid form, built
    with the same `mark_complete`), if `version` is current.

    Only the fields of the section's form are kept, so anything else in `data` is ignored,
    and a carer's save keeps the professional-only fields as stored. A stale `version`
    raises SectionConflict carrying the section as the other person saved it. `actor=None`
    is the system (demo data, imports) and skips the edit-right check.

    One read of the PEP (locked) and one of the section, one policy check, one filtered
    update and one audit event. Section B also writes to the education record
    (peps.record_link): what that changed is part of the same event, under
    "education_record:" names.
    """
    # Lock the PEP row: a save and a transition (submit, approve) never interleave.
    pep = Pep.objects.select_for_update().select_related("child").get(pk=section.pep_id)
    if not pep.is_open:
        raise Refused(f"This PEP is {pep.get_status_display().lower()}, so its sections cannot be changed.")
    current = Section.objects.select_related("updated_by").get(pk=section.pk)
    rel = None
    if actor is not None:
        rel = relationship(actor, pep.child)
        if not can_edit_section(rel, current, pep):
            raise PermissionDenied
    professional = actor is None or rel in PROFESSIONAL_RELATIONSHIPS
    if current.version != version:
        raise SectionConflict(current)
    form_cls = defs.form_class_for(pep.phase, current.letter)
    names = form_cls.field_names_for(professional=professional)
    # Section B and the education record: checked against it and written to it (its
    # changes go into this save's one audit event); a ValidationError names section B's fields.
    from_record = record_link.reconcile(actor=actor, pep=pep, section=current, data=data, names=set(names))
    new_data = {**current.data, **form_cls.data_from(data, professional=professional), **from_record.values}
    # An open PEP's section B reads these from the record; a reopened PEP's snapshot is dropped.
    for name in (record_link.AS_OF, record_link.EYFS_KEY) if record_link.applies(current) else ():
        new_data.pop(name, None)
    if care_record.applies(current):
        # Section A and the child's record: its facts are written to the record (by those
        # who may edit it, each its own audit event there) and never stored in an open PEP.
        care_record.record_write(actor=actor, relationship=rel, pep=pep, data=data)
        new_data = care_record.without_facts(new_data)
        if mark_complete and (missing := care_record.missing_to_complete(pep.child)):
            # The form says so first, with its links; this is for every other caller. The
            # transaction rolls back whatever record_write changed.
            raise ValidationError([care_record.missing_message(name) for name in missing])
    state = Section.State.COMPLETE if mark_complete else Section.State.IN_PROGRESS
    now = timezone.now()
    updated = Section.objects.filter(pk=current.pk, version=version).update(
        data=new_data, state=state, version=version + 1, updated_by=actor, updated_at=now,
    )
    if updated == 0:
        raise SectionConflict(Section.objects.select_related("updated_by").get(pk=current.pk))
    before = {**current.data, "state": current.state}
    after = {**new_data, "state": state}
    record_changes = {f"education_record:{k}": v for k, v in from_record.record_changes.items()}
    audit_record(actor=actor, verb=Verb.UPDATED, obj=current, child_id=pep.child_id,
                 changes={**diff(before, after), "version": [version, version + 1], **record_changes})
    # What the update wrote, without reading the row again.
    current.data, current.state, current.version = new_data, state, version + 1
    current.updated_by, current.updated_at = actor, now
    return current


# --------------------------------------------------------------------------------------
# What someone typed when their session had ended
# --------------------------------------------------------------------------------------

STASH_LIFETIME = dt.timedelta(hours=2)
# The longest value kept for a field that has no max_length of its own (a number, a date,
# a choice, a yes/no): what the form accepts there is far shorter.
STASH_SHORT_VALUE_MAX = 100
# Posted alongside the section's own fields.
STASH_EXTRA_FIELDS = {"version": 12, "action": 12}


def stash_fields(form: defs.SectionForm, data) -> dict[str, str] | None:
    """The section form's own fields from `data`, or None if any is beyond its limit.

    Only the fields of the form (and the version and button) are kept; a value longer than
    its field's max_length (or STASH_SHORT_VALUE_MAX for fields without one) means the
    POST did not come from the form, and nothing is kept.
    """
    limits = {form.add_prefix(name): getattr(field, "max_length", None) or STASH_SHORT_VALUE_MAX
              for name, field in form.fields.items()}
    limits.update(STASH_EXTRA_FIELDS)
    kept = {}
    for key, limit in limits.items():
        if key not in data:
            continue
        value = data.get(key)
        if not isinstance(value, str) or len(value) > limit:
            return None
        kept[key] = value
    return kept


@transaction.atomic
def section_post_stash(*, person: User, section: Section, professional: bool, data) -> str | None:
    """Keep what `person` typed into `section` after their session ended; return the token
    that finds it, or None if nothing was kept (the POST is beyond the form's limits).

    The caller has established that this browser held a session of `person`
    (accounts.signed_in_browser) and that `person` may edit `section` (peps.policies).
    One kept POST per person and section: a newer one replaces it, under a new token.
    Not audited: the person is not signed in, and the text is only kept to be put back into
    the form; the save that follows (after signing in) is audited as usual.
    """
    StashedSectionPost.objects.filter(created_at__lt=timezone.now() - STASH_LIFETIME).delete()
    kept = stash_fields(section_form(pep=section.pep, section=section, data=data, professional=professional),
                        data)
    if kept is None:
        return None
    token = secrets.token_urlsafe(24)
    StashedSectionPost.objects.update_or_create(
        user=person, section=section, defaults={"token": token, "data": kept, "created_at": timezone.now()},
    )
    return token


@transaction.atomic
def section_post_unstash(*, token: str, user: User, section: Section) -> dict[str, str] | None:
    """What `user` typed into this section, once; None if unknown, expired, or someone else's."""
    stash = StashedSectionPost.objects.filter(
        token=token, user=user, section=section, created_at__gte=timezone.now() - STASH_LIFETIME
    ).first()
    if stash is None:
        return None
    StashedSectionPost.objects.filter(pk=stash.pk).delete()
    return stash.data

