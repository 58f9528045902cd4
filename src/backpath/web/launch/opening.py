"""From the EHR's patient context to BackPath's patient: read the EHR's Patient with the
launch's access token, and create a BackPath patient from it once the clinician confirms.
Matching is ``backpath.web.patients.identity.match`` (identifiers only, never a database key)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backpath.web.accounts.models import User
from backpath.web.launch import outbound
from backpath.web.launch.ehr_patient import FHIR_ID, EhrPatient, read_patient
from backpath.web.launch.models import SmartEhr
from backpath.web.launch.refusals import Refused
from backpath.web.patients import identity
from backpath.web.patients.models import Episode, Intake, Patient


def patient_id(token: dict[str, Any]) -> str:
    """The token's patient context (a FHIR id, so safe in a URL path)."""
    value = token.get("patient")
    if not isinstance(value, str) or not value:
        raise Refused("no_patient", "the token response has no patient context")
    if not FHIR_ID.fullmatch(value):
        raise Refused("no_patient", "the token's patient is not a FHIR id")
    return value


def fetch_patient(ehr: SmartEhr, token: dict[str, Any]) -> EhrPatient:
    """``GET {iss}/Patient/{patient}`` with the access token (bounded, no redirects)."""
    pid = patient_id(token)
    resource = outbound.get_json(
        f"{ehr.iss.rstrip('/')}/Patient/{pid}", reason="patient_fetch", max_bytes=outbound.LARGE,
        headers={"Authorization": f"Bearer {token['access_token']}",
                 "Accept": "application/fhir+json"},
    )  # fmt: skip
    return read_patient(resource, pid)


def create_patient(ehr: SmartEhr, found: EhrPatient, by: User) -> Patient:
    """The clinic's new patient from the EHR's record, with an open episode and intake (as a
    patient added by hand has) and the EHR's identifiers stored for the next launch."""
    with transaction.atomic():
        patient = Patient.objects.create(
            clinic=ehr.clinic, given_name=found.given_name, family_name=found.family_name,
            birth_year=found.birth_year, date_of_birth=found.birth_date, sex=found.sex,
            created_by=by,
        )  # fmt: skip
        episode = Episode.objects.create(patient=patient, clinician=by)
        Intake.objects.create(episode=episode)
        identity.remember(patient, found.identifier_pairs(), f"{ehr.name} (SMART launch)")
    return patient
