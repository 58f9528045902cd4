"""Code systems and codes shared by the FHIR export and import.

Standard codes (checked against ``instruments/data/*.yaml`` and section 6 of the evidence
notes):

- SNOMED CT 279039007 low back pain, 161891005 backache (other regions), 23056005 sciatica.
- ICD-10-CM M54.50 low back pain, unspecified (only for a non-specific low-back episode).
- LOINC scores are read from the instrument data files, never repeated here.

Where no standard code was found, BackPath's own code systems under
``https://backpath.example/fhir/`` are used: treatments, not-recommended reasons,
condition tags, intake-detail items and the Roland-Morris total score.
"""

from __future__ import annotations

import re

BASE = "https://backpath.example/fhir"
SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

INSTRUMENT_SCORES = f"{BASE}/CodeSystem/instrument-scores"
TREATMENTS = f"{BASE}/CodeSystem/treatment"
NOT_RECOMMENDED_REASONS = f"{BASE}/CodeSystem/not-recommended-reason"
CONDITION_TAGS = f"{BASE}/CodeSystem/condition-tag"
LINE_EXTENSION = f"{BASE}/StructureDefinition/treatment-line"


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
