"""Who a patient is to other systems: their identifiers, and matching an EHR's patient to one.

The one rule: an EHR's patient is BackPath's patient when one of its identifiers (system and
value, both exact) is the clinic's record number or an identifier stored for the patient, and
every identifier that matches points to the same patient. BackPath's database key is never
used to match: an EHR cannot know it, and a guessed one must not open a record.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from backpath.errors import InvalidInput
from backpath.interop import codes
from backpath.web.accounts.models import Clinic
from backpath.web.patients.models import Patient, PatientIdentifier

Identifier = tuple[str, str]
"""(system URI, value) as on a FHIR ``Identifier``."""


def record_number_system(clinic: Clinic) -> str:
    """The system of the clinic's record numbers: the one its EHR uses when the lead set it,
    else BackPath's own for this clinic."""
    return clinic.record_number_system or f"{codes.BASE}/NamingSystem/clinic-{clinic.pk}-record"


SYSTEM_URI = re.compile(
    r"https?://[^\s|]+"
    r"|urn:oid:[0-2](\.\d+)+"
    r"|urn:uuid:[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"
    r"|urn:(?!oid:|uuid:)[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s|]+"
)
"""An identifier system: an absolute http(s) URL or a URN (``urn:oid:1.2.36.1``), no spaces
and no ``|`` (the FHIR search token separator)."""


def set_record_number_system(clinic: Clinic, system: str) -> str:
    """Give the clinic's record numbers the system its EHR uses (blank: BackPath's own);
    ``InvalidInput`` naming ``record_number_system`` when it is not an absolute URI."""
    system = system.strip()
    if system and (len(system) > 255 or not SYSTEM_URI.fullmatch(system)):
        raise InvalidInput(
            "record_number_system",
            "must be an absolute URI of at most 255 characters, as the EHR writes it in "
            "Patient.identifier.system, e.g. urn:oid:2.16.840.1.113883.19.5 or "
            "https://hospital.example/mrn",
        )
    clinic.record_number_system = system
    clinic.save(update_fields=["record_number_system"])
    return record_number_system(clinic)


def identifiers_of(patient: Patient) -> list[Identifier]:
    """The clinic's record number first (when there is one), then the stored identifiers."""
    found: list[Identifier] = []
    if patient.clinic_identifier:
        found.append((record_number_system(patient.clinic), patient.clinic_identifier))
    found += [(i.system, i.value) for i in patient.identifiers.all()]
    return found


@dataclass(frozen=True)
class Match:
    patient: Patient | None
    ambiguous: bool = False
    """True when the identifiers point to more than one patient: nobody is matched."""


def match(clinic: Clinic, identifiers: Iterable[Identifier]) -> Match:
    """The clinic's one patient these identifiers name (see the module's rule)."""
    wanted = {(s.strip(), v.strip()) for s, v in identifiers if s and v and s.strip()}
    if not wanted:
        return Match(None)
    own = record_number_system(clinic)
    numbers = [value for system, value in wanted if system == own]
    stored = Q()
    for system, value in wanted:
        stored |= Q(system=system, value=value)
    ids = set(
        PatientIdentifier.objects.filter(stored, clinic=clinic).values_list("patient_id", flat=True)
    )
    if numbers:
        ids |= set(
            Patient.objects.filter(clinic=clinic, clinic_identifier__in=numbers).values_list(
                "pk", flat=True
            )
        )
    if len(ids) > 1:
        return Match(None, ambiguous=True)
    if not ids:
        return Match(None)
    return Match(Patient.objects.select_related("clinic").get(pk=ids.pop()))


def remember(patient: Patient, identifiers: Iterable[Identifier], source: str) -> int:
    """Store the identifiers the patient does not have yet (skipping the clinic's record
    number and any another patient holds); how many were added."""
    own = record_number_system(patient.clinic)
    wanted = {(s.strip(), v.strip()) for s, v in identifiers if s and v and s.strip()}
    wanted = {(s, v) for s, v in wanted if s != own}
    if not wanted:
        return 0
    query = Q()
    for system, value in wanted:
        query |= Q(system=system, value=value)
    taken = set(
        PatientIdentifier.objects.filter(query, clinic=patient.clinic_id).values_list(
            "system", "value"
        )
    )
    fresh = [
        PatientIdentifier(
            clinic_id=patient.clinic_id,
            patient=patient,
            system=system[:255],
            value=value[:255],
            source=source[:120],
        )
        for system, value in sorted(wanted - taken)
    ]
    PatientIdentifier.objects.bulk_create(fresh)
    added = len(fresh)
    return added


def fhir_identifiers(identifiers: Iterable[Identifier]) -> list[dict[str, Any]]:
    """As FHIR ``Identifier`` elements."""
    return [{"system": system, "value": value} for system, value in identifiers]
