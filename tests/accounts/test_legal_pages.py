"""The accessibility statement, privacy notice and cookies page, and the LA's details on them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import LegalDetails
from core.models import AuditEvent

pytestmark = pytest.mark.django_db

GOOD = {
    "contact_email": "virtual.school@testshire.example", "contact_phone": "01234 000111",
    "dpo_name": "Pat Privacy", "dpo_email": "dpo@testshire.example",
    "postal_address": "County Hall\nTesttown", "ico_registration": "Z1234567",
    "privacy_notice_url": "https://www.testshire.example/privacy",
}


def test_the_pages_are_public_and_name_each_council_with_its_contacts(client, world):
    services.legal_details_save(actor=None, local_authority=world.la, data=GOOD)
    accessibility = client.get(reverse("accessibility_statement")).content.decode()
    privacy = client.get(reverse("privacy_notice")).content.decode()
    assert world.la.name in accessibility and "virtual.school@testshire.example" in accessibility
    for heading in ("Compliance status", "How accessible this service is", "Reporting accessibility problems",
                    "Enforcement procedure", "Equality Advisory and Support Service"):
        assert heading in accessibility
    assert "Pat Privacy" in privacy and "dpo@testshire.example" in privacy and "Z1234567" in privacy
    for words in ("Article 6(1)(e)", "75th birthday", "subject access request"):
        assert words in privacy
    # An LA that has not filled in its details is not named with empty contacts.
    assert world.other_la.name not in accessibility


def test_every_page_links_the_three_pages_from_its_footer(client, social_worker):
    for response in (client.get(reverse("account_login")), client.get(reverse("cookies_page"))):
        page = response.content.decode()
        for name in ("accessibility_statement", "privacy_notice", "cookies_page"):
            assert f'class="govuk-footer__link" href="{reverse(name)}"' in page


def test_the_cookies_page_lists_every_cookie_the_service_sets(client, world, password):
    # A visit, a sign-in (allauth shows a message, so the messages cookie too) and a page.
    client.get(reverse("account_login"))
    response = client.post(reverse("account_login"), {"login": world.people["carer"].email, "password": password})
    assert response.status_code == 302
    client.get(response["Location"])
    set_by_the_service = set(client.cookies)
    assert {"sessionid", "csrftoken", "messages"} <= set_by_the_service
    page = client.get(reverse("cookies_page")).content.decode()
    listed = {name for name in set_by_the_service if f"<code>{name}</code>" in page}
    assert listed == set_by_the_service


def test_an_la_admin_saves_their_councils_details_with_one_audit_event(client, admin_user):
    client.force_login(admin_user)
    before = AuditEvent.objects.count()
    response = client.post(reverse("legal_details_edit"), GOOD)
    assert response.status_code == 302
    details = LegalDetails.objects.get()
    assert (details.local_authority, details.dpo_email) == (admin_user.local_authority, "dpo@testshire.example")
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.actor, event.changes["dpo_name"]) == ("created", admin_user, [None, "Pat Privacy"])

    response = client.post(reverse("legal_details_edit"), {**GOOD, "dpo_name": "Sam Secure"})
    assert response.status_code == 302
    assert LegalDetails.objects.get().dpo_name == "Sam Secure"
    event = AuditEvent.objects.latest("id")
    assert (event.verb, event.changes) == ("updated", {"dpo_name": ["Pat Privacy", "Sam Secure"]})


def test_another_las_admin_changes_only_their_own_councils_details(client, world):
    services.legal_details_save(actor=None, local_authority=world.la, data=GOOD)
    client.force_login(world.people["other_la_admin"])
    client.post(reverse("legal_details_edit"), {**GOOD, "dpo_name": "Other DPO"})
    assert LegalDetails.objects.get(local_authority=world.la).dpo_name == "Pat Privacy"
    assert LegalDetails.objects.get(local_authority=world.other_la).dpo_name == "Other DPO"


def test_bad_details_get_govuk_errors_and_nothing_is_written(client, admin_user):
    client.force_login(admin_user)
    before = AuditEvent.objects.count()
    response = client.post(reverse("legal_details_edit"), {**GOOD, "dpo_email": "not-an-email", "dpo_name": "",
                                                           "privacy_notice_url": "not a url"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter the name of the data protection officer" in page
    assert "Enter an email address in the correct format" in page
    assert "Enter a web address in the correct format" in page
    assert not LegalDetails.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.parametrize("persona", ["social_worker", "vs_officer", "designated_teacher", "carer"])
def test_nobody_but_an_la_admin_may_change_the_details(client, world, persona):
    client.force_login(world.people[persona])
    assert client.post(reverse("legal_details_edit"), GOOD).status_code == 403
    assert not LegalDetails.objects.exists()
