"""Staff add and remove a patient's identifiers in other systems on the patient record page;
EHRs then find the patient by them (CDS Hooks, SMART, FHIR Patient?identifier)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients import identity
from backpath.web.patients.models import Patient, PatientIdentifier
from tests.web.builders import logged_in, second_patient

EHR = "http://hospital.example/mrn"


def add(client: Any, patient: Patient, system: str = EHR, value: str = "884") -> Any:
    url = reverse("patients:identifier_add", args=[patient.pk])
    return client.post(url, {"system": system, "value": value}, follow=True)


def test_staff_add_an_identifier_that_ehrs_then_match(clinician: User, patient: Patient) -> None:
    page = add(logged_in(clinician), patient, value=" 884 ")
    assert "Identifier 884 (http://hospital.example/mrn) added." in page.content.decode()
    stored = PatientIdentifier.objects.get()
    assert (stored.system, stored.value, stored.source) == (EHR, "884", "added by clinician")
    assert identity.match(patient.clinic, [(EHR, "884")]).patient == patient
    event = AuditEvent.objects.get(action="create", object_type="PatientIdentifier")
    assert event.patient_id == patient.pk and "884" in event.detail
    shown = logged_in(clinician).get(reverse("patients:detail", args=[patient.pk])).content.decode()
    assert "Identifiers in other systems" in shown and f"<td>{EHR}</td>" in shown


@pytest.mark.parametrize(
    ("system", "value", "expected"),
    [
        ("hospital mrn", "1", "System: Give the system as a URI"),
        ("http://x.example/a|b", "1", "System: Give the system as a URI"),
        ("urn:oid", "1", "System: Give the system as a URI"),
        (EHR, "   ", "Identifier: This field is required."),
        ("", "1", "System: This field is required."),
        (EHR, "x" * 256, "Identifier: Ensure this value has at most 255 characters"),
    ],
)
def test_a_bad_identifier_is_refused_naming_the_field(
    system: str, value: str, expected: str, clinician: User, patient: Patient
) -> None:
    page = add(logged_in(clinician), patient, system, value).content.decode()
    assert "The identifier was not added. " + expected in page.replace("&#x27;", "'")
    assert not PatientIdentifier.objects.exists()


def test_the_clinics_own_record_system_is_refused(clinician: User, patient: Patient) -> None:
    own = identity.record_number_system(patient.clinic)
    page = add(logged_in(clinician), patient, own, "7").content.decode()
    assert "clinic&#x27;s own record-number system" in page
    assert not PatientIdentifier.objects.exists()


def test_one_identifier_names_one_patient_of_the_clinic(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    add(client, patient)
    again = add(client, patient).content.decode()
    assert "The patient already has this identifier." in again
    other = second_patient(patient.clinic)
    taken = add(client, other).content.decode()
    assert "Another patient of this clinic already has this identifier." in taken
    assert PatientIdentifier.objects.count() == 1


def test_another_clinic_may_give_the_same_identifier(
    clinician: User, outsider: User, patient: Patient, other_clinic: Any
) -> None:
    add(logged_in(clinician), patient)
    theirs = Patient.objects.create(clinic=other_clinic, given_name="Ann", family_name="Other",
                                    birth_year=1980)  # fmt: skip
    add(logged_in(outsider), theirs)
    assert PatientIdentifier.objects.count() == 2


def test_staff_remove_an_identifier(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    add(client, patient)
    stored = PatientIdentifier.objects.get()
    url = reverse("patients:identifier_remove", args=[patient.pk, stored.pk])
    assert client.get(url).status_code == 302 and PatientIdentifier.objects.exists()
    page = client.post(url, follow=True).content.decode()
    assert "Identifier 884 (http://hospital.example/mrn) removed." in page
    assert not PatientIdentifier.objects.exists()
    assert identity.match(patient.clinic, [(EHR, "884")]).patient is None
    assert AuditEvent.objects.filter(action="delete", object_type="PatientIdentifier").count() == 1


def test_only_the_patients_own_identifier_is_removed_there(
    clinician: User, patient: Patient
) -> None:
    other = second_patient(patient.clinic)
    client = logged_in(clinician)
    add(client, other)
    stored = PatientIdentifier.objects.get()
    url = reverse("patients:identifier_remove", args=[patient.pk, stored.pk])
    assert client.post(url).status_code == 404 and PatientIdentifier.objects.exists()


def test_outsiders_and_patients_cannot_touch_identifiers(
    outsider: User, clinician: User, patient: Patient
) -> None:
    add(logged_in(clinician), patient)
    stored = PatientIdentifier.objects.get()
    remove = reverse("patients:identifier_remove", args=[patient.pk, stored.pk])
    assert logged_in(outsider).post(remove).status_code == 404
    assert add(logged_in(outsider), patient).status_code == 404
    assert logged_in(patient.user).post(remove).status_code == 403
    assert PatientIdentifier.objects.count() == 1
