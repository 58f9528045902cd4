"""In Chromium, at desktop (1280x900) and phone (390x844) sizes: the intake's questionnaires
one per sub-step with progress, Back and Save and continue; the red-flag screen's "None of
these"; pregnancy asked once; the review as a summary that names contradictions. Each page
passes axe-core and is saved as artifacts/screenshots/intake-steps-<page>-<size>.png."""

from __future__ import annotations

from typing import Any

import pytest

from backpath.web.accounts.models import User
from backpath.web.patients.models import Intake, Patient
from tests.browser.actions import START_BACK, sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def check(page: Any, name: str, size: str) -> None:
    """No serious or critical axe violation, no sideways scrolling, and a screenshot."""
    assert_accessible(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES[size]["width"]
    shot(page, f"intake-steps-{name}-{size}")


@pytest.mark.parametrize("size", SIZES)
def test_a_clinician_walks_the_questionnaires_one_at_a_time(
    page: Any, patient: Patient, clinician: User, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    episode = patient.episodes.get()
    sign_in(page, "clinician")
    page.goto(f"/patients/episodes/{episode.pk}/intake/person/")
    assert page.get_by_role("group", name="Is the patient pregnant?").is_visible()
    page.get_by_label("Yes").first.check()
    check(page, "person", size)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/episode/")
    page.goto(f"/patients/episodes/{episode.pk}/intake/conditions/")
    assert page.locator('input[value="pregnancy"]').count() == 0  # asked once only
    check(page, "conditions", size)

    page.goto(f"/patients/episodes/{episode.pk}/intake/red_flags/")
    page.get_by_label("None of these").check()
    check(page, "red-flags", size)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/questionnaires/startback/")
    assert page.get_by_role("heading", name="Questionnaire 1 of 4: STarT Back").is_visible()
    assert page.locator("progress").get_attribute("value") == "1"
    current = page.locator('nav[aria-label="Questionnaires"] [aria-current="step"]')
    assert current.inner_text().startswith("STarT Back")
    for i, answer in enumerate(START_BACK):
        page.locator(f"input[name=startback_{i}][value='{answer}']").check()
    check(page, "startback", size)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/questionnaires/odi/")
    assert page.get_by_role("heading", name="Questionnaire 2 of 4: Oswestry").is_visible()
    for i in range(10):
        page.locator(f"input[name=odi_{i}][value='3']").check()
    check(page, "odi", size)
    page.get_by_role("link", name="Back", exact=True).click()  # back without saving the ODI
    page.wait_for_url("**/intake/questionnaires/startback/")
    assert page.locator("input[name=startback_8][value='3']").is_checked()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/questionnaires/odi/")
    page.locator("input[name=odi_0][value='2']").check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/questionnaires/rmdq/")
    page.locator("input[name=rmdq_0][value='1']").check()  # started, not finished
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    assert "/intake/questionnaires/rmdq/" in page.url
    summary = page.locator("div.error[role=alert]")
    assert "Some answers need attention" in summary.inner_text()
    assert summary.get_by_role("link").count() == 23  # every unanswered item, linked
    assert page.locator("input[name=rmdq_0][value='1']").is_checked()  # nothing lost
    check(page, "rmdq-errors", size)
    page.locator("input[name=rmdq_0][value='']").check()  # "Not answered": skipped after all
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/questionnaires/peg/")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/intake/conditions/")
    answers = Intake.objects.get(episode=episode).data["questionnaires"]
    assert sorted(answers) == ["odi", "startback"] and answers["odi"][0] == 2


@pytest.mark.parametrize("size", SIZES)
def test_the_review_reads_as_a_summary_and_links_each_contradiction_to_its_step(
    page: Any, patient: Patient, clinician: User, size: str
) -> None:
    page.set_viewport_size(SIZES[size])
    episode = patient.episodes.get()
    Intake.objects.filter(episode=episode).update(data={
        "pain": {"nrs_now": 0, "nrs_week_average": 0},
        "questionnaires": {"odi": [3] * 10}, "conditions": ["diabetes"]})  # fmt: skip
    sign_in(page, "clinician")
    page.goto(f"/patients/episodes/{episode.pk}/intake/review/")
    assert page.get_by_role("heading", name="Answers that contradict each other (1)").is_visible()
    assert page.locator("dd", has_text="ODI 60% (severe)").is_visible()
    assert page.locator("dd.not-answered").count() > 5
    assert "{" not in page.locator("main").inner_text()  # no data dump
    check(page, "review", size)
    page.get_by_role("link", name="Correct it in Pain").click()
    page.wait_for_url("**/intake/pain/")
    assert page.locator("#id_nrs_now").input_value() == "0"
