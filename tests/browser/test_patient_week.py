"""The patient's week in Chromium, at desktop (1280 x 900) and phone (390 x 844) size: the
streak and weekly summary on Today, 'This week' first on My plan, and the reminders page
(time zone offered from the browser, the calendar link made, copied and stopped).

Saves artifacts/screenshots/week-<page>-<size>.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backpath.web.patients.models import Patient
from backpath.web.reminders.models import CalendarFeed, ReminderPreference
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TIMEOUT_MS, context_options, shot
from tests.web.builders import DAILY, home_program, log_exercise, with_program

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BROWSER_ZONE = "America/Chicago"


@pytest.fixture
def tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """A page whose browser says it is in Chicago and may use the clipboard."""
    options = context_options(live_server) | {"timezone_id": BROWSER_ZONE}
    context = browser.new_context(**options)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def fits(page: Any, size: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= SIZES[size]["width"], (page.url, size, width)


@pytest.fixture
def two_days_done(patient: Patient) -> Patient:
    episode = patient.episodes.get()
    with_program(episode, home_program(DAILY), weeks_ago=3)
    for days in (1, 2):
        for exercise in DAILY:
            log_exercise(episode, exercise, days, "done")
    return patient


@pytest.mark.parametrize("size", SIZES)
def test_today_shows_the_streak_and_the_week_so_far(
    page: Any, two_days_done: Patient, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in(page, "patient")
    page.goto("/me/today/")
    cheer = page.locator("section.cheer")
    assert cheer.get_by_role("heading", name="Your week so far").is_visible()
    assert "2 days in a row with your exercises done." in cheer.inner_text()
    assert "diary entries this week" in cheer.inner_text()
    fits(page, size)
    shot(page, f"week-today-{size}")
    assert_accessible(page)
    # Finishing today's exercises adds today to the streak.
    for exercise in DAILY:
        page.locator(f"article#ex-{exercise}").get_by_role("button", name="Done").click()
        page.wait_for_load_state()
    assert "3 days in a row with your exercises done, today included" in (
        page.locator("section.cheer").inner_text()
    )


@pytest.mark.parametrize("size", SIZES)
def test_my_plan_starts_with_this_week(page: Any, patient: Patient, size: str) -> None:
    with_program(patient.episodes.get())
    page.set_viewport_size(SIZES[size])
    sign_in(page, "patient")
    page.goto("/me/plan/")
    first = page.locator("main h2").first
    assert first.inner_text() == "This week"
    week = page.locator("section.this-week")
    assert week.get_by_role("heading", name="At home").is_visible()
    assert week.get_by_role("heading", name="Walking").is_visible()
    assert week.bounding_box()["y"] < SIZES[size]["height"]  # on the first screen
    assert page.locator("table.week tr.home-row").count() == len(DAILY) + 1
    fits(page, size)
    shot(page, f"week-my-plan-{size}")
    assert_accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_reminders_offer_the_browser_zone_and_a_calendar_link(
    tab: Any, patient: Patient, size: str
) -> None:
    with_program(patient.episodes.get())
    tab.set_viewport_size(SIZES[size])
    sign_in(tab, "patient")
    tab.goto("/me/reminders/")
    assert tab.get_by_label("Time zone").input_value() == BROWSER_ZONE
    note = tab.locator("#tz-note")
    assert note.is_visible() and "We picked America/Chicago from your browser" in note.inner_text()
    shot(tab, f"week-reminders-{size}")
    assert_accessible(tab)

    tab.get_by_role("button", name="Save").click()
    tab.wait_for_load_state()
    assert ReminderPreference.objects.get(patient=patient).timezone == BROWSER_ZONE
    assert not tab.locator("#tz-note").is_visible()  # chosen now: nothing is picked for them

    tab.get_by_role("button", name="Make a calendar link").click()
    tab.wait_for_load_state()
    link = tab.get_by_label("Your calendar link").input_value()
    assert "/me/calendar/" in link and link.endswith(".ics")
    assert (
        tab.get_by_role("link", name="Open in my calendar app")
        .get_attribute("href")
        .startswith("webcal://")
    )
    tab.get_by_role("button", name="Copy link").click()
    tab.locator("#copy-status", has_text="Link copied.").wait_for()
    assert tab.evaluate("navigator.clipboard.readText()") == link
    fits(tab, size)
    shot(tab, f"week-calendar-link-{size}")
    assert_accessible(tab)

    tab.get_by_role("button", name="Stop this link").click()
    tab.wait_for_load_state()
    assert tab.get_by_role("button", name="Make a calendar link").is_visible()
    assert not CalendarFeed.objects.filter(patient=patient, revoked__isnull=True).exists()
    assert tab.request.get(link).status == 404


def test_without_javascript_the_clinic_zone_stays(
    browser: Any, live_server: Any, patient: Patient
) -> None:
    options = context_options(live_server) | {
        "timezone_id": BROWSER_ZONE,
        "java_script_enabled": False,
    }
    context = browser.new_context(**options)
    page = context.new_page()
    sign_in(page, "patient")
    page.goto("/me/reminders/")
    assert page.get_by_label("Time zone").input_value() == ""
    assert not page.locator("#tz-note").is_visible()
    assert not page.get_by_role("button", name="Copy link").is_visible()
    context.close()
