"""PP+ past the allocation and withdrawing a request, as the designated teacher (issue 14, point 7)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from targets.models import PpPlusAllocation, PpPlusRequest, financial_year_for
from tests.browser.conftest import sign_in, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.meetings.factories import make_pep
from tests.targets.factories import make_request

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    return build_world()


def test_a_request_past_the_allocation_and_a_withdrawal(browser, pages, live_server, world):
    from django.utils import timezone

    pep = make_pep(world.child)
    PpPlusAllocation.objects.create(local_authority=world.la, financial_year=financial_year_for(timezone.localdate()),
                                    amount_per_child=Decimal("1000"))
    make_request(pep, amount="900", status="approved", approved_amount="900")
    sign_in(browser, live_server, world.people["designated_teacher"].email, PASSWORD)
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/pp-plus/new/")
    browser.find_element(By.NAME, "amount").send_keys("250")
    browser.find_element(By.NAME, "what_it_buys").send_keys("Ten tuition sessions before the mocks")
    Select(browser.find_element(By.NAME, "category")).select_by_value("tuition")
    submit_and_wait(browser)
    assert "past its allocation" in browser.page_source and "£150 over" in browser.page_source
    pages.check("7 request past the allocation needs a reason", raw=False)
    browser.find_element(By.NAME, "over_allocation_reason").send_keys("The school pays the rest.")
    submit_and_wait(browser)
    request = PpPlusRequest.objects.get(pep=pep, status="requested")
    assert request.over_allocation_reason == "The school pays the rest."
    pages.check("7 targets page with the request and Withdraw")
    browser.find_element(By.CSS_SELECTOR, f"a[href='/targets/pp-plus/{request.pk}/withdraw/']").click()
    pages.check("7 withdraw a request, are you sure")
    submit_and_wait(browser)
    request.refresh_from_db()
    assert request.status == PpPlusRequest.Status.WITHDRAWN
    pages.check("7 targets page after withdrawing")
