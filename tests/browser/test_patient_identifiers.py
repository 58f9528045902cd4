"""Staff give a patient an EHR's identifier on the patient record page, see it listed, and
remove it; the section passes axe with and without identifiers."""

from __future__ import annotations

from typing import Any

from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient, PatientIdentifier
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot


def test_staff_add_and_remove_an_identifier(page: Any, clinician: User, patient: Patient) -> None:
    sign_in(page, "clinician")
    page.goto(f"/patients/{patient.pk}/")
    section = page.get_by_role("region", name="Identifiers in other systems")
    assert "None yet." in section.inner_text()
    assert_accessible(page)
    section.get_by_label("System", exact=True).fill("http://hospital.example/mrn")
    section.get_by_label("Identifier", exact=True).fill("884")
    section.get_by_role("button", name="Add the identifier").click()
    page.wait_for_load_state()
    assert "Identifier 884 (http://hospital.example/mrn) added." in page.content()
    row = section.get_by_role("row").filter(has_text="884")
    assert "http://hospital.example/mrn" in row.inner_text()
    shot(page, "patient-identifiers")
    assert_accessible(page)
    section.get_by_role(
        "button", name="Remove identifier 884 of http://hospital.example/mrn"
    ).click()
    page.wait_for_load_state()
    assert "removed" in page.content() and not PatientIdentifier.objects.exists()
