"""Reading an EHR's FHIR leniently: unknown elements are dropped and logged, never a 400; an
invalid resource other than the Patient is left out and said."""

from __future__ import annotations

import copy
import json
import logging
from datetime import date
from typing import Any

import pytest
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from pydantic import ValidationError

from backpath.errors import InvalidInput
from backpath.interop import cds_hooks
from backpath.interop.lenient_fhir import MAX_ROUNDS, validate_leniently
from tests.interop.cds_requests import cards, example, request, searchset

SNOMED = "http://snomed.info/sct"
CAUDA_EQUINA = {
    "resourceType": "Condition",
    "clinicalStatus": {
        "coding": [
            {"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}
        ]
    },
    "code": {"coding": [{"system": SNOMED, "code": "192970008", "display": "Cauda equina"}]},
    "subject": {"reference": "Patient/1288992"},
}


def cards_for(conditions: list[dict[str, Any]], **prefetch: Any) -> list[dict[str, Any]]:
    return cards(request(conditions=searchset(*conditions), **prefetch))


def test_an_unknown_element_on_a_red_flag_condition_still_gives_the_critical_card(
    caplog: pytest.LogCaptureFixture,
) -> None:
    odd = {**CAUDA_EQUINA, "participant": [{"actor": {"reference": "Practitioner/1"}}]}
    odd["code"] = {**odd["code"], "vendorRank": 1}
    with caplog.at_level(logging.WARNING, logger="backpath.interop.cds_prefetch"):
        found = cards_for([odd])
    assert found[0]["indicator"] == "critical"
    assert "Cauda equina" in found[0]["detail"]
    logged = caplog.text
    assert "prefetch.conditions.entry[0].resource.participant" in logged
    assert "prefetch.conditions.entry[0].resource.code.vendorRank" in logged


def test_unknown_elements_deep_in_contained_resources_and_lists_are_dropped() -> None:
    raw = {
        "resourceType": "MedicationRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/1"},
        "contained": [
            {
                "resourceType": "Medication",
                "id": "m",
                "vendorThing": 1,
                "ingredient": [{"itemCodeableConcept": {"text": "x", "oops": 2}}],
            }
        ],
        "medicationReference": {"reference": "#m"},
        "dosageInstruction": [{"text": "daily", "zzz": True}],
    }
    original = copy.deepcopy(raw)
    read = validate_leniently(MedicationRequest, raw, "here")
    assert set(read.dropped) == {
        "here.contained[0].vendorThing",
        "here.contained[0].ingredient[0].itemCodeableConcept.oops",
        "here.dosageInstruction[0].zzz",
    }
    assert raw == original  # the input is not changed; a copy is cleaned
    assert read.raw["dosageInstruction"] == [{"text": "daily"}]


def test_a_resource_without_unknown_elements_is_not_copied() -> None:
    read = validate_leniently(Condition, CAUDA_EQUINA, "c")
    assert read.raw is CAUDA_EQUINA and read.dropped == ()


def test_other_faults_stay_errors_even_next_to_unknown_elements() -> None:
    bad = {**CAUDA_EQUINA, "onsetDateTime": "soon", "newElement": 1}
    with pytest.raises(ValidationError) as caught:
        validate_leniently(Condition, bad, "c")
    assert [e["loc"] for e in caught.value.errors()] == [("onsetDateTime",)]


def test_an_invalid_value_leaves_that_resource_out_and_says_so_where_it_was(
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad = {**CAUDA_EQUINA, "onsetDateTime": "soon", "newElement": 1}
    with caplog.at_level(logging.WARNING, logger="backpath.interop.cds_prefetch"):
        found = cards_for([CAUDA_EQUINA, bad])
    assert found[0]["indicator"] == "critical"
    assert (
        "**1 of the EHR's conditions could not be read** "
        "(prefetch.conditions.entry\\[1\\].resource.onsetDateTime: "
    ) in found[0]["detail"]
    assert "prefetch.conditions.entry[1].resource.onsetDateTime" in caplog.text


def test_an_invalid_value_in_the_patient_is_still_a_400_naming_the_field() -> None:
    data = example("request_red_flags")
    data["prefetch"]["patient"]["gender"] = ["female"]
    call = cds_hooks.parse_request(json.dumps(data))
    with pytest.raises(InvalidInput) as caught:
        cds_hooks.gather(call)
    assert caught.value.field == "prefetch.patient.gender"


def test_the_rounds_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = Condition.model_validate

    def counting(data: Any) -> Any:
        calls.append(1)
        return real(data)

    monkeypatch.setattr(Condition, "model_validate", counting)
    validate_leniently(Condition, {**CAUDA_EQUINA, "a": 1, "b": {"c": 2}}, "c")
    assert len(calls) <= MAX_ROUNDS + 1


def test_unknown_elements_on_the_patient_and_the_bundle_are_ignored_too() -> None:
    data = example("request_red_flags")
    data["prefetch"]["patient"]["preferredPronoun"] = "they"
    data["prefetch"]["conditions"]["vendorPaging"] = {"next": "x"}
    call = cds_hooks.parse_request(json.dumps(data))
    gathered = cds_hooks.gather(call)
    assert "prefetch.patient.preferredPronoun" in gathered.ignored
    assert "prefetch.conditions.vendorPaging" in gathered.ignored
    response = cds_hooks.build_cards(gathered, today=date(2026, 1, 5)).to_json()
    assert response["cards"][0]["indicator"] == "critical"


def test_unknown_elements_from_the_fhir_server_are_ignored_as_well() -> None:
    odd = {**CAUDA_EQUINA, "participant": [{"actor": {"reference": "Practitioner/1"}}]}

    def fetch(url: str, token: str) -> object:
        if "/Condition?" in url:
            return {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": odd}]}
        return {"resourceType": "Bundle", "type": "searchset"}

    call = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    gathered = cds_hooks.gather(call, fetch=fetch)
    assert "conditions" in gathered.fetched
    response = cds_hooks.build_cards(gathered, today=date(2026, 1, 5)).to_json()
    assert response["cards"][0]["indicator"] == "critical"
