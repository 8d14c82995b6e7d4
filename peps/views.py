"""Thin views over PEPs: authorise with peps.policies, write with peps.services.*, redirect."""

from __future__ import annotations

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods

from accounts import signed_in_browser
from accounts.http import AuthenticatedRequest
from children.models import Phase
from children.services import child_record_viewed
from core.forms import show_rule_errors
from core.refusals import Refused, show_refusal

from . import care_record, record_link
from .forms import DocumentChangeForm, DocumentForm, PepStartForm, ReopenForm, ReturnForm, SectionConfigForm
from .models import Pep, Section
from .policies import (
    PepAction,
    can_manage_document,
    get_child_for_pep_start,
    get_document_for,
    get_document_for_manage,
    get_pep_for,
    get_pep_for_young_person,
    get_section_for_edit,
    get_section_for_view,
    require_section_configurer,
    require_young_person,
    visible_documents,
)
from .sections import form_class_for
from .services import config, documents, workflow
from .services import sections as section_services

STASH_COOKIE = "pep_stash"
STASH_SALT = "peps.section-stash"

# Pages other apps may add to section E; shown only when their app provides them.
MEETING_WHO_INCLUDE = "meetings/includes/pep_meeting_who.html"
SECTION_E_INCLUDES = ("meetings/includes/pep_meeting.html", "targets/includes/pep_targets.html")


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def _pep_context(access) -> dict:
    pep = access.pep
    return {"pep": pep, "child": pep.child, "access": access}


@login_required
@require_GET
def pep_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.VIEW)
    pep = access.pep
    child_record_viewed(actor=request.user, child=pep.child, what=f"pep:{pep.pk}")
    # Read once into the PEP's cache: the page's panels (the QA pre-check) use pep.sections.all().
    prefetch_related_objects([pep], Prefetch("sections", queryset=Section.objects.select_related("updated_by")))
    sections = list(pep.sections.all())
    return render(request, "peps/pep_detail.html", {
        **_pep_context(access),
        "rows": [(s, access.can_edit(s)) for s in sections],
        "documents": [(d, can_manage_document(access, request.user, d)) for d in visible_documents(access)],
        "can_submit": access.can(PepAction.SUBMIT),
        "can_qa": access.can(PepAction.QA),
        "can_reopen": access.can(PepAction.REOPEN),
        "superseded": list(pep.superseded_pdfs.select_related("reopened_by")) if access.is_professional else [],
        "can_upload": access.can(PepAction.UPLOAD_DOCUMENT),
        "can_download": access.can(PepAction.DOWNLOAD),
        "history": Pep.objects.filter(child=pep.child).exclude(pk=pep.pk).order_by("-created_at")[:10],
        # Who arranges the meeting, for a person who cannot (the meetings app's, when installed).
        "meeting_who_include": MEETING_WHO_INCLUDE if _template_exists(MEETING_WHO_INCLUDE) else None,
    })


@login_required
@require_GET
def section_detail(request: AuthenticatedRequest, pk: int, letter: str) -> HttpResponse:
    access, section = get_section_for_view(request.user, pk, letter)
    pep = access.pep
    form_cls = form_class_for(pep.phase, section.letter)
    includes = [name for name in SECTION_E_INCLUDES if _template_exists(name)] if section.letter == "E" else []
    facts = care_record.fact_rows(pep, section, relationship=access.relationship,
                                  professional=access.is_professional)
    rows = form_cls.display_rows(care_record.section_values(pep, section), professional=access.is_professional)
    if facts:
        # Section A: the record's facts are shown once, with where to change them.
        rows = [row for row in rows if row["name"] not in care_record.RECORD_FIELDS]
    return render(request, "peps/section_detail.html", {
        **_pep_context(access),
        "section": section,
        "rows": rows,
        "facts": facts,
        "record_note": record_link.record_note(pep, section),
        "can_edit": access.can_edit(section),
        "has_meeting_include": "meetings/includes/pep_meeting.html" in includes,
        "has_targets_include": "targets/includes/pep_targets.html" in includes,
    })


def _stash_and_sign_in(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    """A POST from a browser whose session has ended: keep what was typed, then sign in.

    It is kept only for the person who last signed in on this browser (a signed cookie set
    at sign-in, accounts.signed_in_browser), only for a section that person may edit, only
    within the form's own limits, once per person and section, and at most
    ACCOUNT_RATE_LIMITS["section_stash"] times. Otherwise nothing is written; the answer is
    the same redirect to the sign-in page either way, so it says nothing about the PEP.
    """
    if request.method != "POST":
        return redirect_to_login(request.get_full_path())
    token = None
    person = signed_in_browser.person(request)
    if person is not None:
        try:
            access, section = get_section_for_edit(person, pk, letter)
        except (Http404, PermissionDenied):
            access, section = None, None
        if (access is not None and section is not None
                and ratelimit.consume(request, action="section_stash", user=person)):
            token = section_services.section_post_stash(person=person, section=section,
                                                        professional=access.is_professional, data=request.POST)
    if token is None:
        messages.info(request, "You were signed out, so your changes have not been saved. "
                               "Sign in and enter them again.")
        return redirect_to_login(request.path)
    response = redirect_to_login(f"{request.path}?{urlencode({'restore': token})}")
    response.set_signed_cookie(STASH_COOKIE, token, salt=STASH_SALT,
                               max_age=int(section_services.STASH_LIFETIME.total_seconds()),
                               httponly=True, samesite="Lax", secure=request.is_secure())
    messages.info(request, "You were signed out, so your changes have not been saved yet. "
                           "Sign in again and we will put back what you typed.")
    return response


def _restored(request: HttpRequest, section) -> dict | None:
    token = request.GET.get("restore")
    if not token or not request.user.is_authenticated:  # section_edit signs anonymous people in first.
        return None
    cookie = request.get_signed_cookie(STASH_COOKIE, default=None, salt=STASH_SALT,
                                       max_age=int(section_services.STASH_LIFETIME.total_seconds()))
    # The cookie proves the stash was made in this browser (a link alone cannot pre-fill a
    # form), and only the person it was kept for gets it back.
    if cookie != token:
        return None
    return section_services.section_post_unstash(token=token, user=request.user, section=section)


@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, pk: int, letter: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return _stash_and_sign_in(request, pk, letter)
    access, section = get_section_for_edit(request.user, pk, letter)
    pep = access.pep
    professional = access.is_professional
    record_editable = care_record.can_edit_record(access.relationship, pep.child)
    context = {**_pep_context(access), "section": section, "version": section.version,
               "facts": care_record.fact_rows(pep, section, relationship=access.relationship,
                                              professional=professional),
               "record_note": record_link.record_note(pep, section)}
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        mark_complete = request.POST.get("action") == "complete"
        if version != section.version:
            # Someone saved meanwhile: whatever was typed, show their text and keep it.
            return _section_conflict(request, context, section, professional=professional)
        form = section_services.section_form(pep=pep, section=section, data=request.POST,
                                             professional=professional, mark_complete=mark_complete,
                                             record_editable=record_editable)
        if form.is_valid():
            try:
                saved = section_services.section_save(actor=request.user, section=section,
                                                      data=form.cleaned_data, version=version,
                                                      mark_complete=mark_complete)
            except ValidationError as exc:
                # Section B against the education record: on the fields it names.
                show_rule_errors(form, exc)
            except section_services.SectionConflict as exc:
                return _section_conflict(request, context, exc.theirs, professional=professional)
            except Refused as exc:
                return show_refusal(request, exc, "pep_detail", pk=pep.pk)
            else:
                done = ("marked as complete" if saved.state == saved.State.COMPLETE
                        else "saved. You can come back to it later")
                messages.success(request, f"Section {saved.letter} {done}.")
                return redirect("pep_detail", pk=pep.pk)
        context.update(form=form, version=version, mark_complete=mark_complete)
        return render(request, "peps/section_edit.html", context)
    stashed = _restored(request, section)
    if stashed is not None:
        form = section_services.section_form(pep=pep, section=section, data=stashed, professional=professional,
                                             record_editable=record_editable)
        context["version"] = _int(stashed.get("version"), section.version)
        context["restored"] = True
    else:
        form = section_services.section_form(pep=pep, section=section, professional=professional,
                                             record_editable=record_editable)
    context["form"] = form
    return render(request, "peps/section_edit.html", context)


def _section_conflict(request: HttpRequest, context: dict, theirs, *, professional: bool) -> HttpResponse:
    """The conflict page: the section as the other person saved it, and the form with what
    this person typed (nothing is overwritten, nothing typed is lost)."""
    pep = context["pep"]
    form = section_services.section_form(pep=pep, section=theirs, data=request.POST, professional=professional)
    context.update(
        form=form, version=theirs.version, theirs=theirs,
        their_rows=form_class_for(pep.phase, theirs.letter).display_rows(theirs.data, professional=professional),
    )
    return render(request, "peps/section_conflict.html", context, status=409)


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
@require_http_methods(["GET", "POST"])
def pep_start(request: AuthenticatedRequest, child_pk: int) -> HttpResponse:
    access = get_child_for_pep_start(request.user, child_pk)
    child = access.child
    open_pep = workflow.open_pep_of(child)
    previous = workflow.last_approved_pep(child)
    form = PepStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pep = workflow.pep_start(actor=request.user, child=child, kind=form.cleaned_data["kind"],
                                     concern_reason=form.cleaned_data.get("concern_reason") or "")
        except Refused as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "The PEP has been started. Its sections are ready to fill in.")
            return redirect("pep_detail", pk=pep.pk)
    return render(request, "peps/pep_start.html", {"child": child, "form": form, "open_pep": open_pep,
                                                   "previous": previous})


@login_required
@require_http_methods(["GET", "POST"])
def pep_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.SUBMIT)
    pep = access.pep
    problems = None
    if request.method == "POST":
        try:
            workflow.pep_submit(actor=request.user, pep=pep)
        except workflow.SubmitProblems as exc:
            problems = exc.problems
        except Refused as exc:
            messages.error(request, exc.message)
            return redirect("pep_detail", pk=pep.pk)
        else:
            messages.success(request, "The PEP has been submitted to the Virtual School. The team has been told.")
            return redirect("pep_detail", pk=pep.pk)
    return render(request, "peps/pep_submit.html", {
        **_pep_context(access), "problems": problems,
        "checklist": workflow.submit_problems(pep) if problems is None else problems,
        "sections": list(pep.sections.all()),
    })


@login_required
@require_http_methods(["GET", "POST"])
def pep_return(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.QA)
    pep = access.pep
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.pep_return(actor=request.user, pep=pep, reason=form.cleaned_data["reason"])
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The PEP has been returned to the team with your reason.")
        return redirect("pep_detail", pk=pep.pk)
    return render(request, "peps/pep_return.html", {**_pep_context(access), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def pep_reopen(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.REOPEN)
    pep = access.pep
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.pep_reopen(actor=request.user, pep=pep, reason=form.cleaned_data["reason"])
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "The PEP has been reopened and returned to the team. "
                                      "The approved PDF is kept as a superseded copy.")
        return redirect("pep_detail", pk=pep.pk)
    return render(request, "peps/pep_reopen.html", {**_pep_context(access), "form": form})


@login_required
@require_GET
def superseded_pdf_download(request: AuthenticatedRequest, pk: int, copy_pk: int) -> FileResponse:
    access = get_pep_for(request.user, pk, PepAction.DOWNLOAD)
    if not access.is_professional:
        raise Http404("No such copy")
    copy = access.pep.superseded_pdfs.filter(pk=copy_pk).first()
    if copy is None:
        raise Http404("No such copy")
    try:
        handle = documents.superseded_pdf_open(
            actor=request.user, copy=copy, with_pp_plus_amounts=access.can(PepAction.VIEW_PP_PLUS_AMOUNTS))
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(handle, as_attachment=True, content_type="application/pdf",
                            filename=f"PEP-{access.pep.pk}-superseded-{copy.reopened_at:%Y-%m-%d}.pdf")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = get_pep_for(request.user, pk, PepAction.UPLOAD_DOCUMENT)
    pep = access.pep
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = documents.document_upload(actor=request.user, pep=pep, upload=form.cleaned_data["file"],
                                                 description=form.cleaned_data.get("description") or "",
                                                 visibility=form.cleaned_data["visibility"])
        except Refused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"‘{document.original_name}’ has been added to the PEP.")
            return redirect("pep_detail", pk=pep.pk)
    return render(request, "peps/document_upload.html", {**_pep_context(access), "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def document_change(request: AuthenticatedRequest, pk: int, document_pk: int) -> HttpResponse:
    access, document = get_document_for_manage(request.user, pk, document_pk)
    form = DocumentChangeForm(request.POST or None, request.FILES or None,
                              initial={"visibility": document.visibility})
    if request.method == "POST" and form.is_valid():
        try:
            document = documents.document_change(actor=request.user, document=document,
                                                 visibility=form.cleaned_data["visibility"],
                                                 upload=form.cleaned_data.get("file"))
        except Refused as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, f"‘{document.original_name}’ has been changed.")
            return redirect(f"{reverse('pep_detail', args=[pk])}#documents")
    return render(request, "peps/document_change.html", {**_pep_context(access), "form": form,
                                                         "document": document})


@login_required
@require_http_methods(["GET", "POST"])
def document_remove(request: AuthenticatedRequest, pk: int, document_pk: int) -> HttpResponse:
    access, document = get_document_for_manage(request.user, pk, document_pk)
    if request.method == "POST":
        name = document.original_name
        documents.document_remove(actor=request.user, document=document)
        messages.success(request, f"‘{name}’ has been removed from the PEP and deleted.")
        return redirect(f"{reverse('pep_detail', args=[pk])}#documents")
    return render(request, "peps/document_remove.html", {**_pep_context(access), "document": document})


@login_required
@require_GET
def document_download(request: AuthenticatedRequest, pk: int, document_pk: int) -> FileResponse:
    _access, document = get_document_for(request.user, pk, document_pk)
    try:
        handle = documents.document_download(actor=request.user, document=document)
    except FileNotFoundError as exc:
        raise Http404("The file is missing") from exc
    response = FileResponse(handle, as_attachment=True, filename=documents.safe_download_name(document),
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    # Even if a browser were to open it, nothing in it may run.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_GET
def section_config(request: AuthenticatedRequest) -> HttpResponse:
    la = require_section_configurer(request.user)
    configs = config.section_config_defaults(la=la, actor=request.user)
    phases = [(value, label, configs[value]) for value, label in Phase.choices]
    return render(request, "peps/section_config.html", {"phases": phases})


@login_required
@require_http_methods(["GET", "POST"])
def section_config_edit(request: AuthenticatedRequest, phase: str) -> HttpResponse:
    la = require_section_configurer(request.user)
    if phase not in Phase.values:
        raise Http404("No such phase")
    configs = config.section_config_defaults(la=la, actor=request.user)[phase]
    form = SectionConfigForm(request.POST or None, configs=configs)
    if request.method == "POST" and form.is_valid():
        section_a = next((c for c in configs if c.letter == "A"), None)
        turning_off_a = section_a is not None and section_a.enabled and not form.cleaned_data.get("enabled_A", True)
        if turning_off_a and request.POST.get("confirm_section_a_off") != "yes":
            # Section A holds the child's details every PEP starts from: ask before turning it off.
            kept = [(k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken",
                                                                              "confirm_section_a_off")
                    for v in values]
            return render(request, "peps/section_config_confirm.html",
                          {"phase": Phase(phase), "kept": kept, "section_a": section_a})
        rows = [config.ConfigRow(letter=c.letter, enabled=form.cleaned_data[f"enabled_{c.letter}"],
                                 title=form.cleaned_data[f"title_{c.letter}"],
                                 editor_roles=form.cleaned_data[f"editors_{c.letter}"]) for c in configs]
        try:
            config.section_config_save(actor=request.user, la=la, phase=phase, rows=rows)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"The {Phase(phase).label.lower()} sections have been saved. "
                                      "PEPs already started keep their sections.")
            return redirect("pep_section_config")
    return render(request, "peps/section_config_edit.html", {"form": form, "phase": Phase(phase)})



@login_required
@require_GET
def my_pep_home(request: AuthenticatedRequest) -> HttpResponse:
    """The young person's own home for their plans."""
    from .young_person import next_meeting_of, peps_of_young_person

    require_young_person(request.user)
    peps = peps_of_young_person(request.user)
    return render(request, "peps/my_pep_home.html", {
        "peps": peps, "meeting": next_meeting_of(peps[0].child) if peps else None,
    })


@login_required
@require_GET
def my_pep(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    from .young_person import NOTHING_PLANNED
    from .young_person import my_pep as build

    access = get_pep_for_young_person(request.user, pk)
    section_c = access.pep.sections.filter(letter="C").first()
    child_record_viewed(actor=request.user, child=access.pep.child, what=f"my-pep:{access.pep.pk}")
    return render(request, "peps/my_pep.html", {
        **_pep_context(access),
        "mine": build(access.pep, can_edit_views=bool(section_c and access.can_edit(section_c))),
        "nothing_planned": NOTHING_PLANNED,
    })
