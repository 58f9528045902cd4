"""A patient works through today's home exercises in Chromium and prints the handout.

Saves artifacts/screenshots/today.png (the today view after three answers) and
handout-page.png (page 1 of the handout PDF, rendered by pdftoppm).
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from backpath.exercises import load_exercises, load_stop_rules
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import SCREENSHOTS, shot
from tests.web.builders import DAILY, with_program

DONE, PAINFUL, SKIPPED = DAILY


def card(page: Any, exercise: str) -> Any:
    return page.locator(f"article#ex-{exercise}")


def tap(page: Any, exercise: str, answer: str) -> None:
    card(page, exercise).get_by_role("button", name=answer, exact=True).click()
    page.wait_for_load_state()


def test_a_patient_logs_today_s_exercises_and_sees_the_answers(page: Any, patient: Patient) -> None:
    with_program(patient.episodes.get())
    sign_in(page, "patient")
    page.get_by_role("link", name="Today", exact=True).first.click()
    page.wait_for_url("**/me/today/")
    assert page.get_by_role("heading", name="Today’s exercises").is_visible()
    for exercise in DAILY:
        figure = card(page, exercise).locator(".fig-animated svg[role=img]")
        assert figure.is_visible()
    assert_accessible(page)

    tap(page, DONE, "Done")
    page.get_by_text(f"Saved: {load_exercises()[DONE].name}, done.").wait_for()

    tap(page, PAINFUL, "Too painful")
    question = card(page, PAINFUL).get_by_role(
        "group", name="Sorry it hurt. Did one of these happen?"
    )
    question.wait_for()
    assert_accessible(page)
    question.get_by_label(load_stop_rules()["new_pain"].patient_text).check()
    card(page, PAINFUL).get_by_role("button", name="Save answer").click()
    page.wait_for_load_state()
    alert = card(page, PAINFUL).get_by_role("alert")
    assert " ".join(load_stop_rules()["new_pain"].advice.split()) in alert.inner_text()

    tap(page, SKIPPED, "Skipped")
    page.reload()
    answers = {e: card(page, e).locator(".answer").inner_text() for e in DAILY}
    assert answers == {
        DONE: "Your answer: Done",
        PAINFUL: "Your answer: Too painful",
        SKIPPED: "Your answer: Skipped",
    }
    assert page.get_by_role("heading", name="Warning signs: when to get help urgently").is_visible()
    stored = {(log.exercise, log.outcome, log.stop_rule) for log in ExerciseLog.objects.all()}
    assert stored == {
        (DONE, "done", ""),
        (PAINFUL, "too_painful", "new_pain"),
        (SKIPPED, "skipped", ""),
    }
    assert_accessible(page)
    shot(page, "today")

    # Readers who ask for less motion get the two still frames instead of the animation.
    page.emulate_media(reduced_motion="reduce")
    assert card(page, DONE).locator(".fig-frames svg").is_visible()
    assert not card(page, DONE).locator(".fig-animated svg").is_visible()

    page.goto("/me/progress/")
    assert page.get_by_role("heading", name="Home exercises done each week").is_visible()
    assert_accessible(page)

    page.emulate_media(reduced_motion="no-preference")
    page.goto("/me/plan/")
    assert page.get_by_role("heading", name="Your home exercises").is_visible()
    assert page.locator(".home-program .fig-animated svg[role=img]").count() == 4
    assert_accessible(page)


def test_the_handout_prints_the_program_with_pictures_and_the_disclaimer(
    page: Any, patient: Patient
) -> None:
    with_program(patient.episodes.get())
    sign_in(page, "patient")
    page.goto("/me/today/")
    page.get_by_role("link", name="Print your program").click()
    page.wait_for_url("**/me/program/")
    frames = page.locator("svg[role=img]")
    assert frames.count() == 4 and frames.first.is_visible()
    assert "does not replace" in page.locator("p.notice").inner_text()
    assert "does not replace" in page.locator("footer.disclaimer").inner_text()
    assert_accessible(page)
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Download as PDF").is_visible()
    shot(page, "handout-print")
    page.emulate_media(media="screen")

    with page.expect_download() as waiting:
        page.get_by_role("link", name="Download as PDF").click()
    download = waiting.value
    assert download.suggested_filename.startswith("backpath-home-program-v1-")
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF")
    if not (shutil.which("pdftotext") and shutil.which("pdftoppm")):
        pytest.skip("poppler-utils (pdftotext, pdftoppm) are not installed")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    words = " ".join(text.stdout.decode().split())
    assert "does not replace" in words and "Harbour Back Clinic" in words
    for exercise in (*DAILY, "hip_hinge"):
        assert load_exercises()[exercise].name in words
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = SCREENSHOTS / "handout-page"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],
        input=pdf,
        check=True,
    )
    assert stem.with_suffix(".png").stat().st_size > 10_000
