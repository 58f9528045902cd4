"""Code systems and codes shared by the FHIR export and import.

Standard codes (checked against ``instruments/data/*.yaml`` and section 6 of the evidence
notes):

- SNOMED CT 279039007 low back pain, 161891005 backache (other regions), 23056005 sciatica.
- ICD-10-CM M54.50 low back pain, unspecified (only for a non-specific low-back episode).
- LOINC codes and their LOINC display names are read from the instrument data files, SNOMED CT
  codes of comorbidities and ATC classes of medicines from ``data/condition_codes.yaml``;
  never repeated here.

Where no standard code was found, BackPath's own code systems are used: treatments,
not-recommended reasons, condition tags, instrument scores (the Roland-Morris total), each
instrument's answers and the CDS card topics. Their canonical URLs, and those of the
``treatment-line`` extension and the questionnaires, all start with ``BASE``:
``backpath.addresses.fhir_canonical_base()`` read once at import, by default the deployment's
own FHIR base (``BACKPATH_BASE_URL`` + ``/fhir``), where ``backpath.interop.conformance``
publishes a CodeSystem or StructureDefinition for each.
"""

from __future__ import annotations

import re

from backpath.addresses import fhir_canonical_base

BASE = fhir_canonical_base()
"""Base of every canonical URL BackPath defines (no trailing slash), fixed for the process."""
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
ATC = "http://www.whocc.no/atc"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"

INSTRUMENT_SCORES = f"{BASE}/CodeSystem/instrument-scores"
TREATMENTS = f"{BASE}/CodeSystem/treatment"
NOT_RECOMMENDED_REASONS = f"{BASE}/CodeSystem/not-recommended-reason"
CONDITION_TAGS = f"{BASE}/CodeSystem/condition-tag"
CDS_CARD_TOPICS = f"{BASE}/CodeSystem/cds-card-topic"
LINE_EXTENSION = f"{BASE}/StructureDefinition/treatment-line"

CARD_TOPICS: dict[str, str] = {
    "red-flags": "Red flags",
    "interaction": "Medicine interaction",
    "risk-and-plan": "Risk and plan",
}
"""The topics of BackPath's CDS cards (``source.topic``): code -> display."""


def questionnaire_url(instrument_id: str) -> str:
    """Canonical URL; its last part is the Questionnaire id (``red_flags`` -> ``red-flags``)."""
    return f"{BASE}/Questionnaire/{instrument_id.replace('_', '-')}"


def questionnaire_version(version: str) -> str:
    """The instrument edition as a Questionnaire.version that can follow ``|`` in a canonical
    reference (canonicals allow no whitespace): '3-item (2009)' -> '3-item-2009'."""
    return re.sub(r"[^a-z0-9.]+", "-", version.lower()).strip("-")


def answer_system(instrument_id: str) -> str:
    """Answer options of an instrument: code = the option's value as text."""
    return f"{BASE}/CodeSystem/{instrument_id}-answers"


LOW_BACK_PAIN = "279039007"
BACKACHE = "161891005"
SCIATICA = "23056005"
ICD10CM_LOW_BACK_PAIN = "M54.50"

RMDQ_SCORE = "rmdq-total"
"""No LOINC code for the Roland-Morris total was found, so BackPath's own code is used."""

INTAKE_DETAILS = "intake_details"
"""Id of BackPath's questionnaire for intake facts no standard instrument holds."""
