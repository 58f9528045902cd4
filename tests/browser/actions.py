"""What a person does in the browser, written once: sign in, add a patient, walk the intake.

Each action uses the real pages and forms (labels and field names of
backpath.web.patients.intake_forms), so a change to a form shows up here first.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from backpath import contract
from tests.web.builders import PASSWORD

START_BACK = "101011013"


def sign_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/login/" not in page.url, f"sign-in as {username} failed"


def add_patient(page: Any, given: str, family: str, birth_year: int, sex: str) -> None:
    page.goto("/patients/")
    page.get_by_role("link", name="Add a patient").click()
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Birth year").fill(str(birth_year))
    page.get_by_label("Sex").select_option(sex)
    page.get_by_role("button", name="Add and start the intake").click()
    page.wait_for_url("**/intake/person/")


def _save_and_continue(page: Any, next_step: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"**/{next_step}/")


def complete_intake(page: Any, red_flags: Iterable[str] = (), screenshots: bool = False) -> None:
    """From the first intake step to the plan page, answering every step like a clinician.

    ``red_flags`` are answered yes, all others no. With ``screenshots`` each step is saved.
    """
    from tests.browser.conftest import shot

    def done(step: str, next_step: str) -> None:
        if screenshots:
            shot(page, f"intake-{step}")
        _save_and_continue(page, next_step)

    page.locator("#id_weight_kg").fill("70")
    page.locator("#id_height_cm").fill("170")
    done("person", "episode")

    page.locator("#id_duration_weeks").fill("20")
    page.locator("#id_region").select_option("low_back")
    page.locator("#id_leg_pain").select_option("none")
    page.locator("#id_suspected_cause").select_option("nonspecific")
    page.locator("#id_prior_episodes").fill("1")
    done("episode", "pain")

    page.locator("#id_nrs_now").fill("6")
    page.locator("#id_nrs_week_average").fill("5")
    done("pain", "red_flags")

    yes = set(red_flags)
    for flag in contract.red_flag_ids():
        page.locator(f'input[name="{flag}"][value="{"yes" if flag in yes else "no"}"]').check()
    done("red_flags", "questionnaires/startback")

    for i, answer in enumerate(START_BACK):
        page.locator(f"input[name=startback_{i}][value='{answer}']").check()
    done("questionnaires", "questionnaires/odi")
    for next_step in ("questionnaires/rmdq", "questionnaires/peg", "conditions"):
        _save_and_continue(page, next_step)  # the other questionnaires left blank

    page.locator('input[name="conditions"][value="anticoagulant_therapy"]').check()
    done("conditions", "preferences")

    page.locator('input[name="avoid"][value="needles"]').check()
    page.locator("#id_max_sessions_per_week").fill("2")
    page.locator("#id_budget").select_option("medium")
    done("preferences", "prior_treatments")

    done("prior_treatments", "review")
    if screenshots:
        shot(page, "intake-review")
    page.get_by_role("button", name="Assess and build the plan").click()
    page.wait_for_url("**/plans/episode/*/")
