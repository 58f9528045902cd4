"""A patient reports an emergency sign in Chromium; the clinician sees the alert and
acknowledges it.

Saves artifacts/screenshots/today-emergency.png and patient-alert.png.
"""

from __future__ import annotations

from typing import Any

from backpath.exercises import load_stop_rules
from backpath.web.accounts.models import User
from backpath.web.alerts.models import Alert
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot
from tests.web.builders import DAILY, with_program

EXERCISE = DAILY[0]


def test_an_emergency_sign_gets_advice_at_once_and_reaches_the_clinician(
    page: Any, patient: Patient, clinician: User
) -> None:
    with_program(patient.episodes.get())
    sign_in(page, "patient")
    page.goto("/me/today/")
    card = page.locator(f"article#ex-{EXERCISE}")
    card.get_by_role("button", name="Too painful", exact=True).click()
    page.wait_for_load_state()
    card.get_by_label(" ".join(load_stop_rules()["red_flag_symptoms"].patient_text.split())).check()
    card.get_by_role("button", name="Save answer").click()
    page.wait_for_load_state()
    advice = card.locator(".banner.emergency")
    assert "Go to an emergency department now" in advice.inner_text()
    assert "Your clinic has been told" in advice.inner_text()
    assert_accessible(page)
    shot(page, "today-emergency")

    page.context.clear_cookies()
    sign_in(page, "clinician")
    page.goto("/patients/")
    assert page.get_by_role("heading", name="Open alerts (1)").is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Byrne, Ada").first.click()
    page.wait_for_load_state()
    shot(page, "patient-alert")
    assert_accessible(page)
    page.get_by_role("button", name="Acknowledge this emergency alert").click()
    page.wait_for_load_state()
    assert page.get_by_text("Emergency alert acknowledged.").is_visible()
    assert Alert.objects.get().acknowledged_by == clinician
