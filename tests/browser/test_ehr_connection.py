"""A clinic connects its EHR, in Chromium: the lead registers the EHR's keys on the EHRs page
(a bad key set first, named on its field), the EHR (played by the test with its own keys) calls
the CDS service with a signed JWT and sends feedback on a card, and the lead reads it.

Saves artifacts/screenshots/ehrs-error.png, ehrs.png and ehr-feedback.png.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import requests

from backpath.web.accounts.models import User
from backpath.web.cds.models import CardFeedback
from backpath.web.ehrs.models import EhrRegistration
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot
from tests.web.ehr_double import BASE, FEEDBACK, ISS, SERVICE, Ehr, rsa_key

EXAMPLE = Path(__file__).parents[1] / "interop" / "cds_examples" / "request_full.json"


def test_a_lead_connects_the_clinics_ehr_and_reads_its_feedback(
    page: Any, live_server: Any, lead: User, settings: Any
) -> None:
    settings.CDS_BASE_URL = BASE
    ehr = Ehr()
    sign_in(page, "lead")
    page.get_by_role("link", name="EHRs").click()
    page.wait_for_load_state()
    page.get_by_label("Name").fill("Epic at Harbour")
    page.get_by_label("Issuer (iss)").fill(ISS)
    page.get_by_label("Or the JWK Set itself").fill(
        json.dumps({"keys": [rsa_key().as_dict(private=True)]})
    )
    page.get_by_role("button", name="Register the EHR").click()
    page.wait_for_load_state()
    assert "private key material" in page.locator(".field.has-error").inner_text()
    assert_accessible(page)
    shot(page, "ehrs-error")
    page.get_by_label("Or the JWK Set itself").fill(json.dumps(ehr.jwks()))
    page.get_by_role("button", name="Register the EHR").click()
    page.wait_for_load_state()
    assert page.get_by_text("Epic at Harbour is registered").is_visible()
    assert EhrRegistration.objects.get().iss == ISS
    assert_accessible(page)
    shot(page, "ehrs")

    cards = requests.post(
        live_server.url + SERVICE, data=EXAMPLE.read_bytes(), timeout=30,
        headers={"Authorization": f"Bearer {ehr.jwt()}", "Content-Type": "application/json"},
    ).json()["cards"]  # fmt: skip
    feedback = {"feedback": [{
        "card": cards[0]["uuid"], "outcome": "overridden",
        "overrideReason": {"userComment": "Already discussed with the patient."},
        "outcomeTimestamp": "2026-03-02T10:15:00Z",
    }]}  # fmt: skip
    answer = requests.post(
        live_server.url + FEEDBACK, json=feedback, timeout=30,
        headers={"Authorization": f"Bearer {ehr.jwt(FEEDBACK)}"},
    )  # fmt: skip
    assert answer.status_code == 200 and CardFeedback.objects.count() == 1

    page.get_by_role("link", name="Feedback from EHRs on BackPath's cards").click()
    page.wait_for_load_state()
    row = page.locator("tbody tr").first
    assert "Already discussed with the patient." in row.inner_text()
    assert "Epic at Harbour" in row.inner_text() and "Overridden" in row.inner_text()
    assert_accessible(page)
    shot(page, "ehr-feedback")
