"""Properties of the CDS service over EHR-shaped prefetch: whatever shape the medicines come
in (product codes, contained, included or missing Medications, ingredient lists, no code,
unknown elements, an OperationOutcome in place of the list), a red-flag condition always
gives the critical card, and no medicine BackPath did not recognise goes unmentioned."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.interop import cds_hooks
from backpath.interop.medicines import medicine_table

LOCAL = "https://ehr.example/fhir/CodeSystem/local-drug"
BASE = "https://ehr.example/fhir"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
KNOWN = sorted(medicine_table().by_code)
RED_FLAGS = [
    ("http://snomed.info/sct", "192970008"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "S32.010A"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "C79.51"),
    ("http://snomed.info/sct", "109989006"),
]
SHAPES = ("concept", "contained", "included", "absolute", "ingredient", "dangling", "uncoded")
EXTRAS = st.dictionaries(
    st.sampled_from(["vendorField", "participant", "renderedDosageInstruction", "x-epic"]),
    st.integers(0, 9) | st.text("abc", max_size=3),
    max_size=2,
)


@dataclass(frozen=True)
class Drawn:
    resources: list[dict[str, Any]]
    name: str
    recognised: bool


def _coding(known: bool, index: int, draw: Any) -> dict[str, str]:
    if known:
        system, code = draw(st.sampled_from(KNOWN))
        return {"system": system, "code": code}
    return {"system": LOCAL, "code": str(900000 + index)}


@st.composite
def medicine(draw: Any, index: int, kind: str) -> Drawn:
    shape = draw(st.sampled_from(SHAPES))
    known = draw(st.booleans())
    name = f"Medicine {kind[10:13]}{index} {draw(st.sampled_from(['tablet', 'capsule', 'patch']))}"
    resource: dict[str, Any] = {
        "resourceType": kind,
        "id": f"{kind[10:]}-{index}",
        "status": "active",
        "subject": {"reference": "Patient/1288992"},
        **draw(EXTRAS),
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    ident = f"med-{kind[10:]}-{index}"
    medication: dict[str, Any] = {"resourceType": "Medication", "id": ident}
    code = {"coding": [_coding(known, index, draw)], "text": name}
    extra: list[dict[str, Any]] = []
    recognised = known
    if shape == "concept":
        resource["medicationCodeableConcept"] = code
    elif shape in ("contained", "ingredient"):
        medication["code"] = code if shape == "contained" else {
            "coding": [_coding(False, index, draw)], "text": name}  # fmt: skip
        if shape == "ingredient":
            item = {"coding": [_coding(known, index, draw)]}
            medication["ingredient"] = [{"itemCodeableConcept": item}]
        resource["contained"] = [medication]
        resource["medicationReference"] = {"reference": f"#{ident}"}
    elif shape in ("included", "absolute"):
        medication["code"] = code
        prefix = f"{BASE}/" if shape == "absolute" else ""
        resource["medicationReference"] = {"reference": f"{prefix}Medication/{ident}"}
        extra.append(medication)
    elif shape == "dangling":
        resource["medicationReference"] = {"reference": f"Medication/{ident}", "display": name}
        recognised = False
    else:
        resource["medicationCodeableConcept"] = {"text": name}
        recognised = False
    return Drawn([resource, *extra], name, recognised)


@st.composite
def medication_list(draw: Any, kind: str) -> tuple[Any, list[Drawn]]:
    if draw(st.integers(0, 5)) == 0:
        outcome = {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "timeout"}]}  # fmt: skip
        return outcome, []
    drawn = [draw(medicine(i, kind)) for i in range(draw(st.integers(0, 4)))]
    entries = [{"resource": r} for d in drawn for r in d.resources]
    return {"resourceType": "Bundle", "type": "searchset", "entry": entries}, drawn


@st.composite
def prefetch(draw: Any) -> tuple[dict[str, Any], list[Drawn], bool]:
    system, code = draw(st.sampled_from(RED_FLAGS))
    condition = {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CLINICAL, "code": "active"}]},
        "code": {"coding": [{"system": system, "code": code}], "text": "Red flag on record"},
        "subject": {"reference": "Patient/1288992"},
        **draw(EXTRAS),
    }  # fmt: skip
    requests, drawn = draw(medication_list("MedicationRequest"))
    statements, more = draw(medication_list("MedicationStatement"))
    data = {
        "hook": "patient-view",
        "hookInstance": "3f1e6a2b-8c4d-4e5f-9a0b-1c2d3e4f5a6b",
        "context": {"userId": "Practitioner/example", "patientId": "1288992"},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": "1288992", "birthDate": "1960-02-03"},
            "conditions": {"resourceType": "Bundle", "type": "searchset",
                           "entry": [{"resource": condition}]},
            "observations": None,
            "medications": requests,
            "medicationStatements": statements,
        },
    }  # fmt: skip
    unreadable = requests["resourceType"] == "OperationOutcome" or (
        statements["resourceType"] == "OperationOutcome"
    )
    return data, [*drawn, *more], unreadable


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=prefetch())
def test_red_flags_always_come_first_and_no_unknown_medicine_goes_unsaid(
    case: tuple[dict[str, Any], list[Drawn], bool],
) -> None:
    data, medicines, unreadable = case
    call = cds_hooks.parse_request(json.dumps(data))
    response = cds_hooks.build_cards(cds_hooks.gather(call), today=date(2026, 1, 5)).to_json()
    first = response["cards"][0]
    assert first["indicator"] == "critical"
    assert "Red flag on record" in first["detail"]
    unknown_line = next(
        (line for line in first["detail"].split("\n\n") if "did not recognise" in line), ""
    )
    for drawn in medicines:
        if drawn.recognised:
            assert drawn.name not in unknown_line
        else:
            assert drawn.name in unknown_line
    if unreadable:
        assert "could not be read from the EHR" in first["detail"]
