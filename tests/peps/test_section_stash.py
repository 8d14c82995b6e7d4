"""What was typed into a section after the session ended is kept only for the person who
signed in on that browser, for a section they may edit, within the form's limits, once per
person and section, and not without limit; an anonymous POST writes nothing."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from accounts import signed_in_browser
from peps.models import Pep, StashedSectionPost
from peps.services.sections import section_post_unstash
from tests.peps.factories import set_status, start_pep
from tests.security.helpers import sign_in, signed_in_then_timed_out

pytestmark = pytest.mark.django_db


def _edit(pep_pk, letter="A"):
    return reverse("pep_section_edit", args=[pep_pk, letter])


def _restore_url(response) -> str | None:
    location = unquote(response["Location"])
    return location.split("next=", 1)[1] if "?restore=" in location else None


def test_an_anonymous_post_without_the_browser_cookie_writes_nothing(pep):
    anonymous = Client()
    big = "x" * 100_000
    for url in (_edit(pep.pk), _edit(pep.pk, "B"), _edit(999_999)):
        response = anonymous.post(url, {"version": "0", "other_agencies": big, "anything": big})
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
        assert _restore_url(response) is None
    assert not StashedSectionPost.objects.exists()
    page = anonymous.get(response["Location"])
    assert "your changes have not been saved. Sign in and enter them again" in page.text


def test_a_forged_or_stale_browser_cookie_writes_nothing(pep, social_worker):
    forged = Client()
    forged.cookies[signed_in_browser.COOKIE] = f"{social_worker.pk}:whatever"
    forged.post(_edit(pep.pk), {"version": "0", "other_agencies": "Planted"})
    # A cookie signed before the person's password changed names them no more.
    browser = signed_in_then_timed_out(social_worker)
    social_worker.set_password("a-brand-new-password-2026")
    social_worker.save()
    browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "After the change"})
    assert not StashedSectionPost.objects.exists()


def test_the_cookie_is_set_at_sign_in_and_cleared_at_sign_out(pep, social_worker):
    browser = Client()
    sign_in(browser, social_worker.email)
    cookie = browser.cookies[signed_in_browser.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert str(social_worker.pk) in cookie.value and cookie.value.count(":") >= 2  # pk:hash:signature
    browser.post(reverse("account_logout"))
    assert browser.cookies[signed_in_browser.COOKIE].value == ""
    response = browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "After signing out"})
    assert _restore_url(response) is None
    assert not StashedSectionPost.objects.exists()


def test_a_post_after_the_session_ended_is_kept_and_put_back_for_the_same_person(pep, social_worker, password):
    browser = signed_in_then_timed_out(social_worker)
    response = browser.post(_edit(pep.pk), {"version": "0", "action": "save", "other_agencies": "Typed before timeout",
                                            "parental_responsibility": "Shared with mother",
                                            "not_a_field": "dropped", "csrfmiddlewaretoken": "x"})
    restore = _restore_url(response)
    assert restore is not None and restore.startswith(_edit(pep.pk) + "?restore=")
    stash = StashedSectionPost.objects.get()
    assert stash.user == social_worker and stash.section == pep.sections.get(letter="A")
    assert stash.data == {"version": "0", "action": "save", "other_agencies": "Typed before timeout",
                          "parental_responsibility": "Shared with mother"}
    assert pep.sections.get(letter="A").data == {}
    signed_in = browser.post(response["Location"], {"login": social_worker.email, "password": password})
    assert signed_in["Location"] == restore
    page = browser.get(restore)
    assert "Typed before timeout" in page.text and "We have put back what you typed" in page.text
    assert not StashedSectionPost.objects.exists()  # used once


def test_nothing_is_kept_for_a_section_the_person_cannot_edit(world, pep, social_worker):
    browser = signed_in_then_timed_out(social_worker)
    other_childs_pep = start_pep(world.other_child)
    urls = [_edit(pep.pk, "B"),  # the designated teacher's section
            _edit(other_childs_pep.pk),  # a child outside their team
            _edit(999_999)]  # no such PEP
    for url in urls:
        response = browser.post(url, {"version": "0", "other_agencies": "Not theirs"})
        assert response.status_code == 302 and _restore_url(response) is None, url
    set_status(pep, Pep.Status.APPROVED)  # locked: nobody edits it any more
    assert _restore_url(browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "Locked"})) is None
    assert not StashedSectionPost.objects.exists()


def test_nothing_is_kept_beyond_the_forms_own_limits(pep, social_worker):
    browser = signed_in_then_timed_out(social_worker)
    limit = 5000  # other_agencies's max_length in the form
    for data in ({"other_agencies": "x" * (limit + 1)}, {"parental_responsibility": "x" * 5001},
                 {"sdq_score": "1" * 101}, {"version": "9" * 50}):
        response = browser.post(_edit(pep.pk), {"version": "0", **data})
        assert _restore_url(response) is None, data
    assert not StashedSectionPost.objects.exists()
    response = browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "x" * limit, "junk": "y" * 100_000})
    assert _restore_url(response) is not None
    kept = StashedSectionPost.objects.get().data
    assert kept == {"version": "0", "other_agencies": "x" * limit}


def test_one_kept_post_per_person_per_section(pep, social_worker):
    browser = signed_in_then_timed_out(social_worker)
    first = _restore_url(browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "First"}))
    second = _restore_url(browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "Second"}))
    assert first and second and first != second
    stash = StashedSectionPost.objects.get()
    assert stash.data["other_agencies"] == "Second"
    section = pep.sections.get(letter="A")
    old_token = first.split("restore=", 1)[1]
    assert section_post_unstash(token=old_token, user=social_worker, section=section) is None


def test_kept_posts_are_rate_limited_per_person(pep, social_worker):
    browser = signed_in_then_timed_out(social_worker)
    for n in range(10):
        assert _restore_url(browser.post(_edit(pep.pk), {"version": "0", "other_agencies": f"Try {n}"})), n
    response = browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "One too many"})
    assert _restore_url(response) is None
    assert StashedSectionPost.objects.get().data["other_agencies"] == "Try 9"


def test_a_kept_post_is_given_back_only_to_the_person_it_was_kept_for(pep, social_worker, vs_officer):
    browser = signed_in_then_timed_out(social_worker)
    restore = _restore_url(browser.post(_edit(pep.pk), {"version": "0", "other_agencies": "Mine"}))
    token = restore.split("restore=", 1)[1]
    section = pep.sections.get(letter="A")
    assert section_post_unstash(token=token, user=vs_officer, section=section) is None
    assert section_post_unstash(token=token, user=social_worker, section=pep.sections.get(letter="B")) \
        is None
    assert section_post_unstash(token=token, user=social_worker, section=section) == {
        "version": "0", "other_agencies": "Mine"}
