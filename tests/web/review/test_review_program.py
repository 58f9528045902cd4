"""The review page's home-exercise suggestions from the exercise log, each accepted on its
own into a new draft plan version with its recorded change."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backpath.exercises import load_exercises
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode
from backpath.web.plans.models import PlanChange
from tests.web.builders import give_program, latest, log_exercise, logged_in


@pytest.fixture
def client(clinician: User) -> Client:
    return logged_in(clinician)


@pytest.fixture
def reviewed(episode: Episode) -> Episode:
    """v1 published 10 days ago with walking, bird-dog and glute bridge; bird-dog done on 4
    days, glute bridge too painful on 2 of the last 3, walking stopped for dizziness."""
    version = give_program(episode)
    version.status, version.published = "published", timezone.now() - dt.timedelta(days=10)
    version.save()
    for n in (6, 5, 4, 3):
        log_exercise(episode, "bird_dog", n, "done")
    log_exercise(episode, "glute_bridge", 3, "done")
    log_exercise(episode, "glute_bridge", 2, "too_painful")
    log_exercise(episode, "glute_bridge", 1, "too_painful")
    log_exercise(episode, "walking", 2, "done")
    log_exercise(episode, "walking", 1, "too_painful", "dizziness_or_chest_pain")
    return episode


def accept(client: Client, episode: Episode, exercise: str, action: str, to_level: Any,
           reason: str = "Comfortable; ready for more.", **more: Any) -> Any:  # fmt: skip
    data = {"version": str(latest(episode).number), "exercise": exercise, "action": action,
            "to_level": "" if to_level is None else str(to_level), "reason": reason}  # fmt: skip
    return client.post(reverse("review:review", args=[episode.pk]), data | more)


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_review_shows_a_suggestion_per_exercise_from_the_log(
    client: Client, reviewed: Episode
) -> None:
    page = text(client.get(reverse("review:review", args=[reviewed.pk])))
    assert "Home exercises" in page
    assert "Bird-dog: Progress to the next step" in page
    assert "was done comfortably on 4 days (the step needs 3)" in page
    assert "Then: hold 10 s, 10 times per side, once a day." in page
    assert "Glute bridge: Make it easier" in page
    assert "Walking programme: Stop this exercise" in page
    assert "Days logged: done 4, too painful 0, skipped 0." in page
    assert page.count("Accept: ") == 3


def test_accepting_a_progression_makes_a_draft_with_the_next_step_recorded(
    client: Client, reviewed: Episode
) -> None:
    response = accept(client, reviewed, "bird_dog", "progress", 1)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/plans/episode/{reviewed.pk}/program/#home-program")
    new = latest(reviewed)
    assert (new.number, new.status) == (2, "draft")
    item = new.home_program.find("bird_dog")  # type: ignore[union-attr]
    assert item is not None and item.level == 1
    assert item.dose == load_exercises()["bird_dog"].progression[0].dose
    assert item.instruction == "Hold each reach for 10 seconds."
    assert item.changed_on == timezone.localdate()  # later progression counts later days
    change = PlanChange.objects.get(version=new)
    assert (change.action, change.treatment) == ("progress_exercise", "bird_dog")
    assert change.reason == "Comfortable; ready for more."
    assert "progress to the next step, Bird-dog" in new.change_summary
    assert AuditEvent.objects.filter(action="create", object_id=str(new.pk)).exists()


def test_accepting_a_stop_takes_the_exercise_out(client: Client, reviewed: Episode) -> None:
    assert accept(client, reviewed, "walking", "stop", None, "Dizzy: GP first.").status_code == 302
    assert latest(reviewed).home_program.find("walking") is None  # type: ignore[union-attr]


def test_accepting_needs_a_reason_and_keeps_the_page(client: Client, reviewed: Episode) -> None:
    response = accept(client, reviewed, "glute_bridge", "regress", -1, reason="  ")
    page = text(response)
    assert response.status_code == 200
    assert "Nothing was saved. Required. Say in a few words why" in page
    assert reviewed.plan_versions.count() == 1


def test_a_suggestion_that_no_longer_holds_is_refused(client: Client, reviewed: Episode) -> None:
    response = accept(client, reviewed, "bird_dog", "progress", 4)
    assert "The suggestions changed since this page was loaded" in text(response)
    response = accept(client, reviewed, "bird_dog", "upgrade", 1)
    assert "Only progress, regress or stop can be accepted." in text(response)
    assert reviewed.plan_versions.count() == 1


def test_a_newer_draft_that_already_changed_the_exercise_is_not_overwritten(
    client: Client, reviewed: Episode
) -> None:
    assert accept(client, reviewed, "bird_dog", "progress", 1).status_code == 302
    response = accept(client, reviewed, "bird_dog", "progress", 1)
    assert "Version 2 already changes Bird-dog" in text(response)
    assert accept(client, reviewed, "walking", "stop", None).status_code == 302  # others still can
    assert reviewed.plan_versions.count() == 2  # both kept in the one working draft
    assert latest(reviewed).changes.count() == 2


def test_another_clinic_cannot_accept(reviewed: Episode, outsider: User) -> None:
    assert accept(logged_in(outsider), reviewed, "bird_dog", "progress", 1).status_code == 404
    assert reviewed.plan_versions.count() == 1


def test_the_existing_plan_suggestions_still_work_beside_the_program(
    client: Client, reviewed: Episode
) -> None:
    response = client.post(reverse("review:review", args=[reviewed.pk]), {"reason": "x"})
    page = text(response)
    assert "Tick at least one suggestion to accept." in page or "suggestions changed" in page
    assert "Nothing was saved." not in page  # the program forms were not bound
