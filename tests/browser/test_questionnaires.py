"""In Chromium: a clinician sends questionnaires; the patient answers them on a phone-sized
screen without signing in; the answers reach the intake once the clinician confirms them.

Saves artifacts/screenshots/questionnaire-phone.png and questionnaire-record.png.
"""

from __future__ import annotations

import re
from typing import Any

from django.core import mail

from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot

PHONE = {"width": 390, "height": 844}


def test_questionnaires_answered_on_a_phone_reach_the_intake(
    page: Any, patient: Patient, clinician: User
) -> None:
    Patient.objects.filter(pk=patient.pk).update(email="ada@example.org")
    sign_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    page.get_by_role("link", name="Send questionnaires").click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_label("Email with a link").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Send").click()
    assert "Questionnaires sent" in page.locator(".messages").inner_text()
    [email] = mail.outbox
    link = re.search(r"/q/\S+/", email.body).group(0)  # type: ignore[union-attr]

    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(link)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert "Keele University" in page.content()
    assert_accessible(page)
    for group in page.locator("fieldset").all():
        group.locator("input[type=radio]").first.check()
    page.get_by_label("How many weeks ago").fill("12")
    page.get_by_label("How bad is the pain right now").fill("6")
    shot(page, "questionnaire-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="Thank you").is_visible()

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    assert "Returned" in page.locator("#questionnaires-heading + p + table").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm into the intake").click()
    shot(page, "questionnaire-record")
    episode = patient.episodes.get()
    page.goto(f"/patients/episodes/{episode.pk}/intake/questionnaires/")
    assert page.locator("input[name=startback_0][value='0']").is_checked()
    page.goto(f"/patients/episodes/{episode.pk}/intake/episode/")
    assert page.locator("#id_duration_weeks").input_value() in ("12", "12.0")
