"""In Chromium: the designated teacher schedules a PEP meeting, records it with three targets
(one academic) and asks for Pupil Premium Plus; the Virtual School approves part of it and the
ledger shows the figures. Every page is checked with axe and the Nu HTML checker."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from core import calendar as school_calendar
from deadlines.selectors import calendar_for
from meetings.models import Meeting
from peps.models import Pep
from targets.models import PpPlusAllocation, PpPlusRequest, Target, TargetReview, financial_year_for
from tests.browser.conftest import sign_in, sign_out, submit_and_wait
from tests.conftest import build_world
from tests.factories import PASSWORD
from tests.meetings.factories import LONDON, make_pep
from tests.targets.factories import make_target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    cache.clear()
    yield build_world()
    cache.clear()


def heading(browser) -> str:
    return browser.find_element(By.TAG_NAME, "h1").text


def fill(browser, name: str, value: str) -> None:
    element = browser.find_element(By.NAME, name)
    element.clear()
    element.send_keys(value)


def choose(browser, name: str, value: str) -> None:
    browser.find_element(By.CSS_SELECTOR, f"input[name='{name}'][value='{value}']").click()


def ddmmyyyy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def add_target(browser, pages, live_server, pep, area: str, what: str, criteria: str, label: str) -> None:
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/new/")
    choose(browser, "area", area)
    fill(browser, "what", what)
    fill(browser, "baseline", "Where they are now, from the autumn assessment")
    fill(browser, "success_criteria", criteria)
    fill(browser, "strategy_what", "Small-group sessions")
    fill(browser, "strategy_who", "Teaching assistant")
    fill(browser, "strategy_how_often", "Twice a week")
    fill(browser, "responsible", "Designated teacher")
    fill(browser, "by_when", ddmmyyyy(timezone.localdate() + dt.timedelta(days=120)))
    submit_and_wait(browser)
    assert heading(browser) == "Targets and Pupil Premium Plus", label
    assert what in browser.page_source


def test_a_meeting_is_scheduled_and_recorded_with_targets_and_pp_plus_part_approved(browser, pages, live_server,
                                                                                   world):
    pep = make_pep(world.child)
    dt_user, vs = world.people["designated_teacher"], world.people["vs_officer"]
    today = timezone.localdate()
    year = financial_year_for(today)

    # The Virtual School sets this year's allocation.
    sign_in(browser, live_server, vs.email, PASSWORD)
    browser.get(f"{live_server.url}/targets/pp-plus/allocations/")
    pages.check("PP+ allocation")
    fill(browser, "financial_year", year)
    fill(browser, "amount_per_child", "2570")
    submit_and_wait(browser)
    assert PpPlusAllocation.objects.get().amount_per_child == Decimal("2570")
    pages.check("PP+ allocation saved", raw=False)
    sign_out(browser)

    # The designated teacher schedules the meeting.
    sign_in(browser, live_server, dt_user.email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/pep/{pep.pk}/schedule/")
    assert heading(browser) == "Schedule the PEP meeting"
    pages.check("schedule a meeting")
    meeting_day = today + dt.timedelta(days=7)
    fill(browser, "date", ddmmyyyy(meeting_day))
    fill(browser, "time", "")  # an empty time is refused with a GOV.UK message
    choose(browser, "format", "in_school")
    fill(browser, "location", "Meeting room 2")
    submit_and_wait(browser)
    assert "Enter the time of the meeting" in browser.find_element(By.CLASS_NAME, "govuk-error-summary").text
    pages.check("schedule a meeting with errors", raw=False)
    fill(browser, "time", "10:00")
    fill(browser, "other_1_name", "Pat Parent")
    Select(browser.find_element(By.NAME, "other_1_role")).select_by_value("Parent")
    fill(browser, "other_1_email", "pat@example.test")
    submit_and_wait(browser)
    assert heading(browser) == "PEP meeting"
    assert "Pat Parent" in browser.page_source
    pages.check("meeting scheduled", raw=False)
    meeting = Meeting.objects.get()

    # ... and records it, with the next meeting next term.
    browser.find_element(By.LINK_TEXT, "Record the meeting").click()
    assert heading(browser) == "Record the PEP meeting"
    pages.check("record the meeting")
    for invitee in meeting.invitees.all():
        choose(browser, f"attendance_{invitee.pk}", "attended" if invitee.name != "Pat Parent" else "apologies")
    fill(browser, "held_on", ddmmyyyy(today))
    choose(browser, "child_participation", "attended")
    fill(browser, "going_well", "Settled well and enjoying science")
    fill(browser, "difficulties", "Homework is often late")
    fill(browser, "support_in_place", "Homework club twice a week")
    next_term = school_calendar.next_term(today, calendar_for(world.la))
    fill(browser, "next_meeting_on", ddmmyyyy(next_term.starts_on + dt.timedelta(days=20)))
    submit_and_wait(browser)
    assert "The meeting has been recorded" in browser.page_source
    pages.check("meeting recorded", raw=False)
    pep.refresh_from_db()
    assert pep.meeting_held_on == today

    # Three targets, one of them academic. A vague one is refused first.
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/new/")
    pages.check("add a target")
    choose(browser, "area", "english")
    fill(browser, "what", "Read more")
    fill(browser, "success_criteria", "Gets better at reading")
    submit_and_wait(browser)
    assert "Enter success criteria that can be measured" in browser.page_source
    pages.check("add a target with errors", raw=False)
    add_target(browser, pages, live_server, pep, "english", "Read a chapter book each fortnight",
               "Reads 90 words a minute in the spring reading test", "english")
    add_target(browser, pages, live_server, pep, "attendance", "Be in school every day",
               "Attendance of 96% or more this term", "attendance")
    add_target(browser, pages, live_server, pep, "wellbeing", "Join an after-school club",
               "Goes to a club every week", "wellbeing")
    assert Target.objects.filter(pep=pep).count() == 3
    pages.check("targets")

    # PP+ for the academic target.
    english = Target.objects.get(pep=pep, area="english")
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/pp-plus/new/")
    pages.check("request PP+")
    Select(browser.find_element(By.NAME, "target")).select_by_value(str(english.pk))
    fill(browser, "amount", "480")
    fill(browser, "what_it_buys", "Twelve one-to-one reading sessions")
    Select(browser.find_element(By.NAME, "category")).select_by_value("literacy")
    submit_and_wait(browser)
    assert "sent to the Virtual School" in browser.page_source
    pages.check("PP+ requested", raw=False)
    sign_out(browser)

    # The Virtual School approves part of it.
    sign_in(browser, live_server, vs.email, PASSWORD)
    assert "1 request waiting for a decision" in browser.page_source
    browser.find_element(By.PARTIAL_LINK_TEXT, "waiting for a decision").click()
    pages.check("PP+ queue")
    request = PpPlusRequest.objects.get()
    browser.get(f"{live_server.url}/targets/pp-plus/{request.pk}/decide/")
    assert heading(browser) == f"Pupil Premium Plus request {request.pk}"
    pages.check("decide on PP+")
    choose(browser, "decision", "part_approve")
    fill(browser, "approved_amount", "300")
    fill(browser, "reason", "Eight sessions this term; ask again with the spring results")
    submit_and_wait(browser)
    request.refresh_from_db()
    assert (request.status, request.approved_amount) == ("part_approved", Decimal("300"))

    # The ledger shows the figures; nothing is payable until the PEP is approved.
    assert heading(browser) == f"Pupil Premium Plus in {year}"
    figures = {key: browser.find_element(By.ID, f"ledger-{key}").text
               for key in ("allocation", "requested", "waiting", "approved", "payable", "remaining")}
    assert figures == {"allocation": "£2,570", "requested": "£480", "waiting": "£0", "approved": "£300",
                       "payable": "£0", "remaining": "£2,270"}
    assert "When the PEP is approved" in browser.page_source
    pages.check("PP+ ledger", raw=False)

    # The PEP's targets page as the Virtual School sees it, and the finance export page.
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/")
    assert "Part approved" in browser.page_source
    pages.check("targets seen by the Virtual School")
    browser.get(f"{live_server.url}/targets/pp-plus/export/")
    pages.check("PP+ export")
    sign_out(browser)

    # The carer sees the targets but not the amounts.
    sign_in(browser, live_server, world.people["carer"].email, PASSWORD)
    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/")
    assert "Read a chapter book each fortnight" in browser.page_source
    assert "£" not in browser.find_element(By.TAG_NAME, "main").text
    pages.check("targets seen by the carer")
    browser.get(f"{live_server.url}/meetings/{meeting.pk}/")
    pages.check("meeting seen by the carer")


def test_moving_cancelling_reviewing_and_deleting_pass_the_checks(browser, pages, live_server, world):
    previous = make_pep(world.child, status=Pep.Status.APPROVED, term="summer", academic_year="2025/26",
                        created_at=timezone.now() - dt.timedelta(days=150))
    old = make_target(previous, area="maths", what="Times tables to 12", by_when=dt.date(2026, 10, 1))
    pep = make_pep(world.child, previous=previous)
    TargetReview.objects.create(pep=pep, target=old)
    extra = make_target(pep, area="social", what="Talk to a new classmate each week")
    first_day, moved_to = (timezone.localdate() + dt.timedelta(days=n) for n in (10, 20))
    meeting = Meeting.objects.create(pep=pep, starts_at=dt.datetime.combine(first_day, dt.time(10), tzinfo=LONDON),
                                     format="online", location="https://meet.example/pep",
                                     chair=world.people["designated_teacher"])

    sign_in(browser, live_server, world.people["designated_teacher"].email, PASSWORD)
    browser.get(f"{live_server.url}/meetings/{meeting.pk}/reschedule/")
    pages.check("move the meeting")
    fill(browser, "date", ddmmyyyy(moved_to))
    submit_and_wait(browser)
    assert "has been moved" in browser.page_source
    browser.get(f"{live_server.url}/meetings/{meeting.pk}/cancel/")
    pages.check("cancel the meeting")
    submit_and_wait(browser)
    assert "Enter why the meeting is cancelled" in browser.page_source
    pages.check("cancel the meeting with errors", raw=False)
    fill(browser, "reason", "The young person is on a school trip")
    submit_and_wait(browser)
    assert "has been cancelled" in browser.page_source
    pages.check("meeting cancelled", raw=False)

    browser.get(f"{live_server.url}/targets/pep/{pep.pk}/review/{old.pk}/")
    pages.check("review a previous target")
    choose(browser, "outcome", "carried_forward")
    fill(browser, "comment", "Knows up to 8; keep going")
    fill(browser, "new_by_when", ddmmyyyy(timezone.localdate() + dt.timedelta(days=90)))
    submit_and_wait(browser)
    assert "(carried forward)" in browser.page_source
    pages.check("targets after the review", raw=False)
    browser.get(f"{live_server.url}/targets/{extra.pk}/edit/")
    pages.check("change a target")
    browser.get(f"{live_server.url}/targets/{extra.pk}/delete/")
    pages.check("delete a target")
    submit_and_wait(browser)
    assert not Target.objects.filter(pk=extra.pk).exists()
    sign_out(browser)

    sign_in(browser, live_server, world.people["admin_user"].email, PASSWORD)
    browser.find_element(By.LINK_TEXT, "Who chairs PEP meetings").click()
    pages.check("meeting settings")
    choose(browser, "chair_role", "virtual_school")
    submit_and_wait(browser)
    assert world.la.meeting_settings.chair_role == "virtual_school"
