"""The lead gives the clinic's record numbers the identifier system its EHR writes them
under, so CDS Hooks calls and SMART launches match the EHR's patients by record number."""

from __future__ import annotations

import pytest
from django.test import Client

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients import identity
from backpath.web.patients.models import Patient
from tests.web.builders import logged_in

URL = "/ehrs/record-numbers/"
OID = "urn:oid:2.16.840.1.113883.19.5"


def test_the_lead_sets_the_system_and_the_record_number_then_matches(
    lead: User, patient: Patient
) -> None:
    patient.clinic_identifier = "R-77"
    patient.save()
    response = logged_in(lead).post(URL, {"record_number_system": f"  {OID} "})
    assert response.status_code == 302 and response["Location"] == "/ehrs/"
    patient.clinic.refresh_from_db()
    assert patient.clinic.record_number_system == OID
    assert identity.match(patient.clinic, [(OID, "R-77")]).patient == patient
    assert AuditEvent.objects.filter(action="update", detail__contains=OID).exists()
    page = logged_in(lead).get("/ehrs/").content.decode()
    assert f"<code>{OID}</code>" in page


@pytest.mark.parametrize(
    "bad", ["not a uri", "mrn", "urn:oid:1.2.x", "https://a.example/x|y", "h" * 300]
)
def test_a_system_that_is_not_an_absolute_uri_is_refused_at_the_field(lead: User, bad: str) -> None:
    response = logged_in(lead).post(URL, {"record_number_system": bad})
    assert response.status_code == 400
    errors = response.context["numbers"].errors["record_number_system"]
    assert errors and ("absolute URI" in errors[0] or "at most 255" in errors[0])
    lead.clinic.refresh_from_db()
    assert lead.clinic.record_number_system == ""


def test_blank_goes_back_to_backpaths_own_system(lead: User) -> None:
    logged_in(lead).post(URL, {"record_number_system": OID})
    logged_in(lead).post(URL, {"record_number_system": ""})
    lead.clinic.refresh_from_db()
    assert identity.record_number_system(lead.clinic).endswith(f"clinic-{lead.clinic.pk}-record")


def test_only_the_lead_sets_it(clinician: User, lead: User) -> None:
    assert logged_in(clinician).post(URL, {"record_number_system": OID}).status_code == 403
    assert Client().post(URL, {"record_number_system": OID}).status_code == 302  # to sign in
    lead.clinic.refresh_from_db()
    assert lead.clinic.record_number_system == ""
