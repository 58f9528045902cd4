"""The clinician's plan page in Chromium: a summary on the first screen, detail one click
away, and edits made in place that keep the item where it was on the screen; without
JavaScript the same edits work as ordinary pages. At 1280 x 900 and 390 x 844, axe-checked.

Saves artifacts/screenshots/plan-page-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from backpath.web.accounts.models import User
from backpath.web.patients.models import Episode
from backpath.web.plans.models import PlanVersion
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TIMEOUT_MS, context_options, shot
from tests.web.builders import give_program
from tests.web.conftest import episode

__all__ = ["episode"]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def fits(page: Any, size: str) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= SIZES[size]["width"], (page.url, width)


def item_top(page: Any, treatment: str) -> float:
    return float(page.locator(f"#item-{treatment}").evaluate("e => e.getBoundingClientRect().top"))


@pytest.mark.parametrize("size", SIZES)
def test_the_plan_page_opens_with_its_summary_and_each_tab_passes_axe(
    page: Any, clinician: User, episode: Episode, size: str
) -> None:
    give_program(episode)
    page.set_viewport_size(SIZES[size])
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/")
    summary = page.locator(".plan-summary")
    expect(summary).to_contain_text("Needs a decision")
    if size == "desktop":  # the whole summary, with the publish button, on the first screen
        box = summary.bounding_box()
        assert box["y"] + box["height"] <= SIZES[size]["height"], box
    expect(page.get_by_role("button", name="Publish version 1 to the patient")).to_be_visible()
    expect(page.locator("form.edit-form")).to_have_count(0)  # forms come on demand
    expect(page.locator("details.left-out-group[open]")).to_have_count(0)
    fits(page, size)
    shot(page, f"plan-page-{size}")
    assert_accessible(page)
    for tab in ("Home program", "Evidence", "History"):
        page.locator(".plan-tabs").get_by_role("link", name=tab, exact=True).click()
        expect(page.locator(".plan-tabs [aria-current=page]")).to_have_text(tab)
        fits(page, size)
        shot(page, f"plan-page-{tab.lower().replace(' ', '-')}-{size}")
        assert_accessible(page)


@pytest.mark.parametrize("size", SIZES)
def test_an_edit_in_place_keeps_the_item_on_screen_and_collects_in_one_draft(
    page: Any, clinician: User, episode: Episode, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/")
    page.evaluate("window.notReloaded = true")

    target = page.locator("#item-low_level_laser")
    target.locator("summary").click()
    target.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, -200)")  # somewhere down the page, not at the top
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 300
    link = target.get_by_role("link", name="Accept or drop Low-level laser therapy")
    link.scroll_into_view_if_needed()
    before = item_top(page, "low_level_laser")
    link.click()
    reason = page.locator("#accept-low_level_laser-reason")
    expect(reason).to_be_focused()  # the form opened in place, ready to type
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)
    expect(reason).to_be_in_viewport()  # at most scrolled by what shows the field
    moved = before - item_top(page, "low_level_laser")
    field = reason.bounding_box()
    assert 0 <= moved < 3 or abs(field["y"] + field["height"] - SIZES[size]["height"]) < 3
    assert_accessible(page)  # with the edit forms open
    reason.fill("Discussed: she wants to try it.")
    accept = page.get_by_role("button", name="Accept Low-level laser therapy")
    accept.scroll_into_view_if_needed()  # so the click does not scroll the page itself
    before = item_top(page, "low_level_laser")
    accept.click()
    expect(page.locator(".draft-state")).to_contain_text("v2 · Working draft", timeout=TIMEOUT_MS)
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)  # plan-edit.js has run
    expect(page.locator("#item-low_level_laser summary")).to_contain_text("Accepted")
    assert abs(item_top(page, "low_level_laser") - before) < 3  # where it was on the screen
    assert page.evaluate("window.notReloaded") is True  # no page load
    shot(page, f"plan-page-edited-{size}")

    # A drop takes the item out of the list: the item after it takes its place on the screen.
    page.locator("#item-yoga summary").click()
    page.locator("#item-yoga").get_by_role("link", name="Accept or drop Yoga").click()
    expect(page.locator("#accept-yoga-reason")).to_be_focused()  # htmx has bound the new forms
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)
    page.locator("#drop-yoga-why").select_option("not_offered")
    page.locator("#drop-yoga-reason").fill("No yoga teacher here.")
    drop = page.locator("#item-yoga").get_by_role("button", name="Drop Yoga", exact=True)
    drop.scroll_into_view_if_needed()
    yoga_top = item_top(page, "yoga")
    drop.click()
    expect(page.locator(".draft-state")).to_contain_text("2 changes so far", timeout=TIMEOUT_MS)
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)
    expect(page.locator(".plan-line #item-yoga")).to_have_count(0)
    assert abs(item_top(page, "tai_chi") - yoga_top) < 3
    expect(page.locator("#item-tai_chi summary")).to_be_focused()
    assert page.evaluate("window.notReloaded") is True
    versions = list(PlanVersion.objects.filter(episode=episode).order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[1].changes.count() == 2
    assert versions[1].in_progress

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".draft-state")).to_contain_text("Version 2 is saved as a draft.")
    fits(page, size)


@pytest.fixture
def no_js(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(**context_options(live_server), java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_without_javascript_an_edit_is_a_page_and_a_redirect_back_to_the_item(
    no_js: Any, clinician: User, episode: Episode
) -> None:
    page = no_js
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/")
    page.locator("#item-yoga summary").click()
    page.locator("#item-yoga").get_by_role("link", name="Accept or drop Yoga").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Yoga")
    page.locator("#drop-yoga-why").select_option("clinical_judgement")
    page.locator("#drop-yoga-reason").fill("Hypermobile: classes push end range.")
    page.get_by_role("button", name="Drop Yoga", exact=True).click()
    assert page.url.endswith("?changed=yoga#item-yoga")
    expect(page.get_by_text("Dropped Yoga (clinical judgement)").first).to_be_visible()
    expect(page.locator("details.left-out-group.reason-clinical_judgement")).to_have_attribute(
        "open", ""
    )
    shot(page, "plan-page-no-js-after-drop")
