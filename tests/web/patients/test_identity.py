"""Matching an EHR's patient on identifiers, never on BackPath's database key."""

from __future__ import annotations

from typing import Any

import pytest

from backpath.web.patients import identity
from backpath.web.patients.models import PatientIdentifier
from tests.web.builders import second_patient

pytestmark = pytest.mark.django_db

EHR = "urn:oid:2.16.840.1.113883.19.5"


def test_the_clinic_record_number_matches_under_the_clinics_system(patient: Any) -> None:
    patient.clinic_identifier = "R-1001"
    patient.save()
    system = identity.record_number_system(patient.clinic)
    assert identity.match(patient.clinic, [(system, "R-1001")]).patient == patient
    assert identity.match(patient.clinic, [("urn:other", "R-1001")]).patient is None
    patient.clinic.record_number_system = EHR
    patient.clinic.save()
    assert identity.match(patient.clinic, [(EHR, "R-1001")]).patient == patient
    assert identity.identifiers_of(patient) == [(EHR, "R-1001")]


def test_a_stored_identifier_matches_only_in_its_clinic(patient: Any, other_clinic: Any) -> None:
    assert identity.remember(patient, [(EHR, "77"), ("", "x"), (EHR, "77")], "test EHR") == 1
    assert identity.remember(patient, [(EHR, "77")], "test EHR") == 0
    assert identity.match(patient.clinic, [(EHR, " 77 ")]).patient == patient
    assert identity.match(other_clinic, [(EHR, "77")]).patient is None
    assert PatientIdentifier.objects.get().source == "test EHR"


def test_the_database_key_never_matches(patient: Any) -> None:
    assert identity.match(patient.clinic, [("", str(patient.pk))]).patient is None
    assert identity.match(patient.clinic, []).patient is None


def test_identifiers_naming_two_patients_match_nobody(patient: Any) -> None:
    other = second_patient(patient.clinic)
    identity.remember(patient, [(EHR, "1")], "EHR")
    identity.remember(other, [(EHR, "2")], "EHR")
    found = identity.match(patient.clinic, [(EHR, "1"), (EHR, "2")])
    assert found.patient is None and found.ambiguous
    assert identity.remember(other, [(EHR, "1")], "EHR") == 0
