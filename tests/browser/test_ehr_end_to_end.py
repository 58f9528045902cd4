"""An EHR's clinician goes from BackPath's CDS card into BackPath, in Chromium.

The mock EHR (tests/mock_ehr.py, on loopback) is registered at the clinic twice: for SMART
launch (its FHIR base, client id and secret) and for CDS Hooks (its issuer and the JWK Set it
publishes, on the allow-list). Its CDS client signs a JWT and calls ``patient-view`` for a
patient the clinic knows by record number, with the chart of tests/web/ehrs/ehr_chart.py;
the info card links with ``type: "smart"`` to BackPath's launch URL. The browser then follows
the link as the EHR does (the launch URL with ``iss`` and ``launch``), signs in, passes the
EHR's consent page and lands on that patient's record.

Saves artifacts/screenshots/ehr-e2e-*.png at 1280 x 900, axe-core on each BackPath page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.ehrs import jwks_fetch
from backpath.web.ehrs.registration import register as register_cds
from backpath.web.launch.addresses import launch_url
from backpath.web.logins.lifecycle import Actor
from backpath.web.patients.models import Patient
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot
from tests.mock_ehr import MRN_SYSTEM, MockEhr, running
from tests.web.ehr_double import SERVICE
from tests.web.ehrs import ehr_chart
from tests.web.launch.builders import register as register_smart

SIZE = {"width": 1280, "height": 900}


@pytest.fixture
def mock(live_server: Any, settings: Any) -> Iterator[MockEhr]:
    """The mock EHR, whose clinician's "open in BackPath" lands on this live server."""
    settings.BACKPATH_BASE_URL = live_server.url
    jwks_fetch.forget()
    with running(f"{live_server.url}/launch/smart", f"{live_server.url}/launch/smart/callback",
                 auto_approve=False) as ehr:  # fmt: skip
        numbers = [(MRN_SYSTEM, ehr_chart.MRN), (ehr_chart.INSURANCE, "INS-9921")]
        ehr.add_patient(ehr_chart.PID, "Ada Maria", "Byrne", "1975-04-02", "female", numbers)
        settings.JWKS_ALLOWED_URLS = [f"{ehr.issuer}/jwks"]
        yield ehr
    jwks_fetch.forget()


@pytest.fixture
def connected(mock: MockEhr, clinic: Clinic, patient: Patient) -> Patient:
    """The clinic knows Ada by the record number the EHR writes, and registered the EHR for
    SMART launch and for signed CDS calls."""
    clinic.record_number_system = MRN_SYSTEM
    clinic.save(update_fields=["record_number_system"])
    patient.clinic_identifier = ehr_chart.MRN
    patient.save(update_fields=["clinic_identifier"])
    register_smart(clinic, mock)
    register_cds(Actor(path="test", method="TEST"), clinic, name="Mock EHR CDS",
                 iss=mock.issuer, jwks_url=f"{mock.issuer}/jwks")  # fmt: skip
    return patient


def sign_in_here(page: Any, username: str) -> None:
    from tests.web.builders import PASSWORD

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def check(page: Any, name: str) -> None:
    shot(page, f"ehr-e2e-{name}")
    assert_accessible(page)


def test_the_cds_cards_smart_link_opens_the_matched_patient_in_backpath(
    page: Any, live_server: Any, mock: MockEhr, connected: Patient, clinician: User
) -> None:
    page.set_viewport_size(SIZE)
    aud = live_server.url + SERVICE
    call = ehr_chart.patient_view(fhir_server=mock.fhir)
    answer = requests.post(
        aud, json=call, timeout=30,
        headers={"Authorization": f"Bearer {mock.cds_jwt(aud)}"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    warning, info = answer.json()["cards"]
    assert warning["summary"].startswith("Ibuprofen 600 mg tablet: interaction with 'Takes an")
    (link,) = info["links"]
    assert link == {"label": "Open in BackPath", "url": launch_url(), "type": "smart"}
    assert link["url"] == f"{live_server.url}/launch/smart"
    assert ("GET", "/auth/jwks") in mock.seen  # the CDS JWT was checked with the EHR's keys

    # The clinician clicks the card's link: the EHR opens it with iss and a launch id.
    page.goto(mock.new_launch(ehr_chart.PID, app_url=link["url"]))
    page.wait_for_url("**/login/**")
    assert "Sign in to BackPath to open the patient the EHR sent" in page.content()
    check(page, "sign-in")
    sign_in_here(page, "clinician")
    page.wait_for_url("**/launch/smart/continue/")
    check(page, "continue")
    page.get_by_role("link", name="Continue to Mock EHR").click()
    page.wait_for_url(f"{mock.issuer}/authorize?*")
    shot(page, "ehr-e2e-ehr-consent")  # the EHR's page, not BackPath's: no axe here
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(f"**/patients/{connected.pk}/")
    assert "Opened from Mock EHR: Ada Byrne." in page.content()
    check(page, "record")

    assert Patient.objects.count() == 1  # matched by record number, never added again
    (opened,) = AuditEvent.objects.filter(
        action="read", patient=connected, detail__startswith="SMART launch:"
    )
    assert opened.user == clinician
    by = f"EHR user {mock.fhir}/Practitioner/dr-lee"
    assert opened.detail == f"SMART launch: opened from Mock EHR; {by}"
    assert AuditEvent.objects.filter(action="smart_launch", user=clinician).exists()
    seen = AuditEvent.objects.get(action="cds.patient-view")
    assert (seen.username, seen.patient) == ("ehr:Mock EHR CDS", connected)
    assert "match=identifier cards=warning,info" in seen.detail
