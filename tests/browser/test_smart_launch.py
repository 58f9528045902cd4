"""A SMART on FHIR EHR launch in Chromium, against the mock EHR on loopback: the clinician
presses the EHR's "open in BackPath" button, signs in to BackPath, continues to the EHR's
consent page, allows, confirms the new patient and lands on their record; the next launch
opens the same record at once. Run once under the pages' real Content-Security-Policy, and
once per size (1280 x 900, 390 x 844) with axe-core on every new page and screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from backpath.web.accounts.models import User
from backpath.web.launch.models import SmartEhr
from backpath.web.patients import identity
from backpath.web.patients.models import Patient
from tests.browser.axe import assert_accessible
from tests.browser.conftest import TIMEOUT_MS, shot
from tests.mock_ehr import MRN_SYSTEM, MockEhr, running
from tests.web.builders import PASSWORD
from tests.web.launch.builders import INSURANCE, MRN, register

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def mock(live_server: Any, settings: Any) -> Iterator[MockEhr]:
    settings.BACKPATH_BASE_URL = live_server.url
    with running(f"{live_server.url}/launch/smart", f"{live_server.url}/launch/smart/callback",
                 auto_approve=False) as ehr:  # fmt: skip
        ehr.add_patient("pat-1", "Ada Maria", "Byrne", "1975-04-02", "female",
                        [(MRN_SYSTEM, MRN), (INSURANCE, "INS-9921")])  # fmt: skip
        yield ehr


def sign_in_here(page: Any, username: str) -> None:
    """Sign in on the sign-in page the launch led to."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def allow_at_the_ehr(page: Any, mock: MockEhr) -> None:
    page.wait_for_url(f"{mock.issuer}/authorize?*")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_load_state()


def test_a_launch_under_the_real_content_security_policy(
    browser: Any, live_server: Any, mock: MockEhr, clinician: User
) -> None:
    register(clinician.clinic, mock)  # type: ignore[arg-type]
    context = browser.new_context(base_url=live_server.url, viewport=SIZES["desktop"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    try:
        page.goto(mock.launch_link("pat-1"))
        page.wait_for_url("**/login/**")
        assert page.url.endswith("/login/?next=/launch/smart/continue/")
        assert "Sign in to BackPath to open the patient the EHR sent" in page.content()
        sign_in_here(page, "clinician")
        page.get_by_role("link", name="Continue to Mock EHR").click()
        allow_at_the_ehr(page, mock)
        page.wait_for_url("**/launch/smart/new/*/")
        page.get_by_role("button", name="Add the patient to BackPath").click()
        page.wait_for_url("**/patients/*/")
        assert "Ada Maria Byrne was added from Mock EHR" in page.content()
    finally:
        context.close()
    patient = Patient.objects.get()
    assert sorted(identity.identifiers_of(patient)) == sorted(
        [(MRN_SYSTEM, MRN), (INSURANCE, "INS-9921")]
    )
    assert blocked == []


@pytest.mark.parametrize("size", SIZES)
def test_the_launch_pages_are_accessible(
    page: Any, mock: MockEhr, clinician: User, lead: User, size: str
) -> None:
    page.set_viewport_size(SIZES[size])

    def check(name: str) -> None:
        shot(page, f"smart-{name}-{size}")
        assert_accessible(page)

    # The lead registers the mock EHR on the EHR launch page.
    page.goto("/login/")
    sign_in_here(page, "lead")
    page.goto("/launch/ehrs/")
    check("ehrs-empty")
    page.get_by_label("Name").fill("Mock EHR")
    page.get_by_label("FHIR base URL (iss)").fill("http://ehr.example/fhir")
    page.get_by_label("Client id").fill("backpath-test-client")
    page.get_by_label("Client secret").fill("mock-ehr-secret-7c1e0f")
    page.get_by_role("button", name="Register the EHR").click()
    assert "Must be an https URL" in page.content()
    check("ehrs-error")
    page.get_by_label("FHIR base URL (iss)").fill(mock.fhir)
    page.get_by_label("Client secret").fill("mock-ehr-secret-7c1e0f")
    page.get_by_role("button", name="Register the EHR").click()
    page.wait_for_load_state()
    assert "Mock EHR may now launch BackPath" in page.content()
    assert "mock-ehr-secret" not in page.content()
    check("ehrs")
    assert SmartEhr.objects.get().client_secret() == "mock-ehr-secret-7c1e0f"
    page.get_by_role("button", name="Sign out").click()

    # A clinician, not signed in, is launched from the EHR: sign in, continue, allow, confirm.
    page.goto(mock.launch_link("pat-1"))
    sign_in_here(page, "clinician")
    page.wait_for_url("**/launch/smart/continue/")
    check("continue")
    page.get_by_role("link", name="Continue to Mock EHR").click()
    allow_at_the_ehr(page, mock)
    page.wait_for_url("**/launch/smart/new/*/")
    check("confirm")
    page.get_by_role("button", name="Add the patient to BackPath").click()
    page.wait_for_url("**/patients/*/")
    patient = Patient.objects.get()
    assert page.url.endswith(f"/patients/{patient.pk}/")

    # Signed in, the next launch goes straight to the record.
    page.goto(mock.launch_link("pat-1"))
    allow_at_the_ehr(page, mock)
    page.wait_for_url(f"**/patients/{patient.pk}/")
    assert "Opened from Mock EHR" in page.content()
    check("opened")

    # A refusal: the EHR's consent page says no.
    page.goto(mock.launch_link("pat-1"))
    page.wait_for_url(f"{mock.issuer}/authorize?*")
    page.get_by_role("button", name="Deny").click()
    page.wait_for_url("**/launch/smart/callback?*")
    assert "The EHR did not give BackPath access" in page.content()
    check("refused")
