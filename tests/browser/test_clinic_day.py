"""The clinic's day in Chromium: an overdue review questionnaire shows on the worklist, an
episode is discharged with a one-page discharge summary, a request moves through its states.

Saves artifacts/screenshots/discharge.png and requests.png.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.utils import timezone

from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from backpath.web.questionnaires.models import QuestionnaireRequest
from backpath.web.selfcheck.models import ConsultationRequest
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot
from tests.web.builders import complete_intake, logged_in, pdf_text


def test_an_overdue_questionnaire_shows_then_the_episode_is_discharged(
    page: Any, patient: Patient, clinician: User
) -> None:
    episode = patient.episodes.get()
    assert complete_intake(logged_in(clinician), episode).status_code == 302
    QuestionnaireRequest.objects.create(
        patient=episode.patient, episode=episode, purpose="review", instruments=["odi", "peg"],
        channel="link", due=timezone.localdate() - dt.timedelta(days=2),
        expires=timezone.now() + dt.timedelta(days=5),
    )  # fmt: skip
    sign_in(page, "clinician")
    page.goto("/patients/")
    row = page.locator("table.worklist tbody tr").first
    assert "Questionnaires overdue" in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_load_state()
    assert "Overdue since" in page.locator("#questionnaires-heading + p + table").inner_text()
    page.get_by_role("link", name="Discharge").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Goals met").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Close the episode").click()
    shot(page, "discharge")
    assert "read-only" in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="Discharge summary").click()
    text = pdf_text(Path(download.value.path()).read_bytes())
    assert "Discharge summary" in text and episode.patient.clinic.name in text


def test_a_request_moves_through_its_states(page: Any, clinician: User) -> None:
    ConsultationRequest.objects.create(
        clinic=clinician.clinic, name="Kim Lee", phone="0700 900 123", disposition="emergency",
        answers={"red_flags": {"saddle_anaesthesia": True}},
    )  # fmt: skip
    sign_in(page, "clinician")
    page.goto("/requests/")
    assert "Red flags: emergency" in page.content()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Mark contacted").click()
    assert "Contacted by" in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Decline").click()
    assert "Kim Lee" not in page.locator("table").inner_text()  # only open ones by default
    page.locator("#show").select_option("declined")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    shot(page, "requests")
    assert "Declined by" in page.locator("table").inner_text()
