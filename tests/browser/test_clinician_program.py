"""A clinician in real Chromium: the plan's home program with its pictures, one exercise
swapped with a reason, and the change recorded in a new draft version."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from backpath.web.accounts.models import User
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Episode
from backpath.web.plans.models import PlanChange
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS
from tests.web.builders import give_program, latest
from tests.web.conftest import episode

__all__ = ["episode"]


def screenshot(name: str) -> Path:
    """Where to save a picture of one part of the page (the plan page is very long)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def test_a_clinician_swaps_an_exercise_and_sees_the_change_recorded(
    page: Any, clinician: User, episode: Episode
) -> None:
    give_program(episode)
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/program/")
    program = page.locator("#program")
    expect(program.get_by_role("heading", name="Home program")).to_be_visible()
    picture = program.locator("#exercise-bird_dog img")
    picture.scroll_into_view_if_needed()
    assert picture.get_attribute("alt").startswith("Bird-dog. Start: on hands and knees")
    page.wait_for_function(
        "() => document.querySelector('#exercise-bird_dog img').naturalWidth > 0"
    )
    assert picture.evaluate("img => img.currentSrc").endswith("/bird_dog/animated.svg")

    program.get_by_role("link", name="Change Bird-dog", exact=True).click()
    page.locator("#swap-bird_dog-new").select_option("dead_bug")
    page.locator("#swap-bird_dog-reason").fill("Kneeling hurts her knees.")
    assert_accessible(page)  # with the edit forms open
    page.get_by_role("button", name="Swap Bird-dog", exact=True).click()

    expect(page.get_by_text("Kept in version 2, your working draft.")).to_be_visible()
    expect(page.locator("#exercise-dead_bug h3")).to_contain_text("Dead bug")
    expect(page.locator("#exercise-bird_dog")).to_have_count(0)
    page.locator("#program").screenshot(path=str(screenshot("clinician-program")))
    new = latest(episode)
    assert [e.exercise for e in new.home_program.exercises] == [  # type: ignore[union-attr]
        "walking",
        "dead_bug",
        "glute_bridge",
    ]
    change = PlanChange.objects.get(version=new)
    assert (change.action, change.reason) == ("swap_exercise", "Kneeling hurts her knees.")

    page.get_by_role("link", name="History", exact=True).click()
    expect(page.locator("table.history")).to_contain_text("Exercise swapped: Bird-dog")
    expect(page.locator("table.history")).to_contain_text("Kneeling hurts her knees.")


def test_readers_who_ask_for_reduced_motion_get_the_two_frame_picture(
    page: Any, clinician: User, episode: Episode
) -> None:
    give_program(episode)
    page.emulate_media(reduced_motion="reduce")
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/program/")
    picture = page.locator("#exercise-glute_bridge img")
    picture.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => document.querySelector('#exercise-glute_bridge img').naturalWidth > 0"
    )
    assert picture.evaluate("img => img.currentSrc").endswith("/glute_bridge/frames.svg")


def test_a_clinician_accepts_a_progression_on_the_review_page(
    page: Any, clinician: User, episode: Episode
) -> None:
    version = give_program(episode)
    version.status, version.published = "published", timezone.now() - dt.timedelta(days=7)
    version.save()
    for back in (5, 4, 3):
        ExerciseLog.objects.create(patient=episode.patient, episode=episode, exercise="bird_dog",
                                   on=timezone.localdate() - dt.timedelta(days=back),
                                   outcome="done")  # fmt: skip
    sign_in(page, "clinician")
    page.goto(f"/plans/episode/{episode.pk}/review/")
    card = page.locator("#exercise-bird_dog")
    expect(card.get_by_role("heading")).to_have_text("Bird-dog: Progress to the next step")
    assert_accessible(page)
    card.get_by_label("Your reason").fill("Three comfortable days; she wants more.")
    card.screenshot(path=str(screenshot("clinician-review-program")))
    card.get_by_role("button", name="Accept: progress to the next step, Bird-dog").click()
    expect(page.get_by_text("is kept in version 2, your working draft")).to_be_visible()
    expect(page.locator("#exercise-bird_dog h3")).to_contain_text("Progressed: step 1 of 1")
    expect(page.locator("#exercise-bird_dog")).to_contain_text("Hold each reach for 10 seconds.")
