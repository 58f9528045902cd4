"""Properties of the CDS service over EHR-shaped prefetch: whatever shape the medicines come
in (product codes, contained, included or missing Medications, ingredient lists, no code,
unknown elements, an OperationOutcome in place of the list), a red-flag condition always
gives the critical card, and no medicine BackPath did not recognise goes unmentioned; and
whichever resources other than the Patient are corrupted (a malformed date, a wrong type, a bad
code, a missing element, an unknown type), exactly those are left out, each is said on the
critical card where it was, and the red flag still comes first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.interop import cds_hooks
from backpath.interop.cds_values import MAX_SAID
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


# --- corrupted resources -------------------------------------------------------------------

SNOMED = "http://snomed.info/sct"
COMORBIDITIES = [
    (SNOMED, "84114007", "Heart failure"),
    ("http://hl7.org/fhir/sid/icd-10-cm", "N18.3", "Chronic kidney disease, stage 3"),
    (LOCAL, "c-17", "Local diagnosis"),
]
DATES = {
    "Condition": ("onsetDateTime", "soon"),
    "Observation": ("effectiveDateTime", "2026-13-40"),
    "MedicationRequest": ("authoredOn", "last Tuesday"),
    "MedicationStatement": ("effectiveDateTime", "05/01/2026"),
    "Medication": ("batch", {"expirationDate": "never"}),
}
REQUIRED = {
    "Condition": "subject",
    "Observation": "status",
    "MedicationRequest": "intent",
    "MedicationStatement": "subject",
}
CORRUPTIONS = ("date", "type", "code", "missing", "status", "resourceType")


def corrupt(resource: dict[str, Any], how: str) -> dict[str, Any]:
    """A copy of ``resource`` that is not valid FHIR R4, in the way ``how`` says."""
    kind = resource["resourceType"]
    out = dict(resource)
    if how == "type":
        out["text"] = "a narrative given as a string"
    elif how == "code":
        out["language"] = "en  GB"  # a code may not hold two spaces in a row
    elif how == "missing" and kind in REQUIRED:
        del out[REQUIRED[kind]]
    elif how == "status" and kind in ("MedicationRequest", "MedicationStatement"):
        out["status"] = "ended"  # an R5 status, not one of R4's
    elif how == "resourceType":
        out["resourceType"] = f"{kind}Usage"
    else:
        name, value = DATES[kind]
        out[name] = value
    return out


@dataclass(frozen=True)
class Placed:
    """A drawn medicine and where its resources are in the prefetch."""

    drawn: Drawn
    locations: list[str]
    """Its MedicationRequest or MedicationStatement, then its Medication when sent apart."""


Corrupted = tuple[dict[str, Any], list[Placed], set[str]]


@st.composite
def corrupted_prefetch(draw: Any) -> Corrupted:
    """EHR-shaped prefetch with a red-flag Condition, and some other resources corrupted."""
    data, medicines, _ = draw(prefetch())
    given = data["prefetch"]
    for index, (system, code, name) in enumerate(draw(st.lists(st.sampled_from(COMORBIDITIES),
                                                               max_size=3))):  # fmt: skip
        given["conditions"]["entry"].append({"resource": {
            "resourceType": "Condition", "id": f"c{index}",
            "clinicalStatus": {"coding": [{"system": CLINICAL, "code": "active"}]},
            "code": {"coding": [{"system": system, "code": code}], "text": name},
            "subject": {"reference": "Patient/1288992"}}})  # fmt: skip
    pain = [{"resource": {
        "resourceType": "Observation", "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "72514-3"}]},
        "subject": {"reference": "Patient/1288992"},
        "effectiveDateTime": f"2026-01-0{day}T10:00:00Z", "valueInteger": day}}
        for day in range(1, draw(st.integers(1, 4)))]  # fmt: skip
    given["observations"] = {"resourceType": "Bundle", "type": "searchset", "entry": pain}
    where: dict[int, str] = {}
    spoiled: set[str] = set()
    for key in ("conditions", "observations", "medications", "medicationStatements"):
        if given[key]["resourceType"] != "Bundle":
            continue
        entries = given[key]["entry"]
        for index, item in enumerate(entries):
            where[id(item["resource"])] = f"prefetch.{key}.entry[{index}].resource"
        candidates = [i for i in range(len(entries)) if (key, i) != ("conditions", 0)]
        if not candidates:
            continue
        for index in draw(st.lists(st.sampled_from(candidates), unique=True, max_size=MAX_SAID)):
            resource = entries[index]["resource"]
            entries[index] = {"resource": corrupt(resource, draw(st.sampled_from(CORRUPTIONS)))}
            spoiled.add(f"prefetch.{key}.entry[{index}].resource")
    placed = [Placed(d, [where[id(r)] for r in d.resources]) for d in medicines]
    return data, placed, spoiled


def _said(location: str) -> str:
    """A location as a card's Markdown shows it."""
    return location.replace("[", "\\[").replace("]", "\\]")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=corrupted_prefetch())
def test_corrupting_resources_never_loses_the_red_flag_nor_drops_them_unsaid(
    case: Corrupted,
) -> None:
    data, medicines, spoiled = case
    gathered = cds_hooks.gather(cds_hooks.parse_request(json.dumps(data)))
    assert {u.location for u in gathered.unreadable} == spoiled  # exactly those, no others
    response = cds_hooks.build_cards(gathered, today=date(2026, 1, 5)).to_json()
    first = response["cards"][0]
    assert first["indicator"] == "critical"
    assert "Red flag on record" in first["detail"]
    detail = first["detail"]
    for location in spoiled:  # each said where it was, with what is wrong
        assert f"{_said(location)}." in detail or f"{_said(location)}:" in detail
    for entry in gathered.entries:  # and nothing that was read is said to be unreadable
        said = _said(entry.location)
        assert f"{said}." not in detail and f"{said}:" not in detail
    unknown_line = next((line for line in detail.split("\n\n") if "did not recognise" in line), "")
    for medicine in medicines:
        main, *medication = medicine.locations
        if main in spoiled:
            continue  # said as unreadable above
        resource = next(e.raw for e in gathered.entries if e.location == main)
        if medication and medication[0] in spoiled:  # its Medication could not be read
            assert resource["medicationReference"]["reference"] in unknown_line
        elif medicine.drawn.recognised:
            assert medicine.drawn.name not in unknown_line
        else:
            assert medicine.drawn.name in unknown_line
