"""One patient's chart as an EHR's FHIR server answers BackPath's prefetch queries, in the shapes
EHRs really send (shared by tests/web/ehrs/test_ehr_end_to_end.py and the browser test):

- the Patient with identifiers: the clinic's record number (``MRN_SYSTEM``) and an insurance
  number, as a record the clinic keeps in BackPath too;
- ibuprofen as a clinical drug (RxNorm SCD) on a MedicationRequest;
- apixaban as a branded drug (RxNorm SBD, Eliquis) on a *contained* Medication of a
  MedicationStatement;
- sertraline (SCD) on a Medication the MedicationRequest references and the searchset
  ``_include``s;
- a compounded cream on an ``_include``d Medication whose only code is the EHR's own;
- a Condition carrying ``participant`` (an R5 element R4 does not define);
- an OperationOutcome where the observations searchset should be (the EHR's query failed).

Every code is one of BackPath's data tables (medicines.yaml, cds_codes.yaml), where each is
recorded with where it was checked.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.mock_ehr import MRN_SYSTEM

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
LOCAL_DRUGS = "https://ehr.example/fhir/CodeSystem/local-drug"
INSURANCE = "http://ehr.example/sid/insurance-number"
MRN = "MRN-40711"
PID = "pat-1"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
SERVER = "https://ehr.example/fhir"

IBUPROFEN_SCD = ("197806", "ibuprofen 600 MG Oral Tablet")
ELIQUIS_SBD = ("1364447", "apixaban 5 MG Oral Tablet [Eliquis]")
SERTRALINE_SCD = ("312941", "sertraline 50 MG Oral Tablet")
CREAM = ("CMP-88213", "Compounded back cream (pharmacy formula)")
LOW_BACK_PAIN = ("279039007", "Low back pain")
CAUDA_EQUINA = ("192970008", "Cauda equina syndrome")


def patient(pid: str = PID, mrn: str = MRN) -> dict[str, Any]:
    return {
        "resourceType": "Patient", "id": pid,
        "meta": {"versionId": "7", "lastUpdated": "2026-02-27T08:00:00Z"},
        "identifier": [
            {"use": "usual", "type": {"text": "Medical record number"}, "system": MRN_SYSTEM,
             "value": mrn},
            {"type": {"text": "Member"}, "system": INSURANCE, "value": "INS-9921"},
        ],
        "name": [{"use": "official", "family": "Byrne", "given": ["Ada", "Maria"]}],
        "gender": "female", "birthDate": "1975-04-02",
    }  # fmt: skip


def _concept(system: str, code_display: tuple[str, str], text: str = "") -> dict[str, Any]:
    code, display = code_display
    return {"coding": [{"system": system, "code": code, "display": display}],
            "text": text or display}  # fmt: skip


def condition(rid: str, code: tuple[str, str], onset: str, pid: str = PID) -> dict[str, Any]:
    """An active Condition with ``participant``, which FHIR R5 added and R4 lacks."""
    return {
        "resourceType": "Condition", "id": rid,
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": "active"}]},
        "code": _concept(SNOMED, code),
        "subject": {"reference": f"Patient/{pid}"}, "onsetDateTime": onset,
        "participant": [{"actor": {"reference": "Practitioner/dr-lee"}}],
    }  # fmt: skip


def ibuprofen_request(pid: str = PID) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest", "id": "rx-ibuprofen", "status": "active",
        "intent": "order", "medicationCodeableConcept": _concept(RXNORM, IBUPROFEN_SCD,
                                                                 "Ibuprofen 600 mg tablet"),
        "subject": {"reference": f"Patient/{pid}"}, "authoredOn": "2026-02-20",
    }  # fmt: skip


def referencing_request(rid: str, medication: str, pid: str = PID) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest", "id": rid, "status": "active", "intent": "order",
        "medicationReference": {"reference": f"Medication/{medication}"},
        "subject": {"reference": f"Patient/{pid}"}, "authoredOn": "2025-11-02",
    }  # fmt: skip


def medication(mid: str, system: str, code: tuple[str, str]) -> dict[str, Any]:
    return {"resourceType": "Medication", "id": mid, "code": _concept(system, code)}


def eliquis_statement(pid: str = PID) -> dict[str, Any]:
    """An anticoagulant the patient takes, told as a MedicationStatement whose Medication is
    contained and coded with the branded drug (SBD)."""
    return {
        "resourceType": "MedicationStatement", "id": "ms-eliquis", "status": "active",
        "contained": [medication("eliquis", RXNORM, ELIQUIS_SBD)],
        "medicationReference": {"reference": "#eliquis"},
        "subject": {"reference": f"Patient/{pid}"}, "dateAsserted": "2026-01-15",
    }  # fmt: skip


def searchset(*resources: dict[str, Any], included: tuple[dict[str, Any], ...] = ()) -> Any:
    entries = [{"fullUrl": f"{SERVER}/{r['resourceType']}/{r['id']}", "resource": r,
                "search": {"mode": "match"}} for r in resources]  # fmt: skip
    entries += [{"fullUrl": f"{SERVER}/{r['resourceType']}/{r['id']}", "resource": r,
                 "search": {"mode": "include"}} for r in included]  # fmt: skip
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": entries}  # fmt: skip


def failed_query(what: str) -> dict[str, Any]:
    """What an EHR sends in place of a prefetch whose query failed."""
    return {"resourceType": "OperationOutcome",
            "issue": [{"severity": "error", "code": "timeout", "diagnostics": what}]}  # fmt: skip


OBSERVATIONS_FAILED = "Observation search timed out after 2000 ms"


def prefetch(pid: str = PID, *, red_flag: bool = False, mrn: str = MRN) -> dict[str, Any]:
    """Every prefetch key of BackPath's service, answered as described in the module."""
    conditions = [condition("lbp-1", LOW_BACK_PAIN, "2025-09-01", pid)]
    if red_flag:
        conditions.append(condition("ces-1", CAUDA_EQUINA, "2026-02-27", pid))
    return {
        "patient": patient(pid, mrn),
        "conditions": searchset(*conditions),
        "observations": failed_query(OBSERVATIONS_FAILED),
        "medications": searchset(
            ibuprofen_request(pid), referencing_request("rx-sertraline", "med-sertraline", pid),
            referencing_request("rx-cream", "med-cream", pid),
            included=(medication("med-sertraline", RXNORM, SERTRALINE_SCD),
                      medication("med-cream", LOCAL_DRUGS, CREAM)),
        ),
        "medicationStatements": searchset(eliquis_statement(pid)),
        "questionnaireResponses": None,
    }  # fmt: skip


def patient_view(
    pid: str = PID, *, fhir_server: str | None = None, red_flag: bool = False, mrn: str = MRN
) -> dict[str, Any]:
    """A ``patient-view`` call as the EHR makes it when its clinician opens the chart."""
    call: dict[str, Any] = {
        "hookInstance": str(uuid.uuid4()), "hook": "patient-view",
        "context": {"userId": "Practitioner/dr-lee", "patientId": pid},
        "prefetch": prefetch(pid, red_flag=red_flag, mrn=mrn),
    }  # fmt: skip
    if fhir_server:
        call["fhirServer"] = fhir_server
    return call
