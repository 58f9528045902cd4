"""Medicines as EHRs send them to the CDS service: product codes, ATC, SNOMED CT, contained
and included Medications, MedicationStatements; and what is said when one is not known."""

from __future__ import annotations

import copy
import json
from typing import Any

from backpath.interop import cds_hooks
from backpath.interop.cds_prefetch import PREFETCH
from backpath.knowledge import load_knowledge
from tests.interop.cds_requests import TODAY, cards, example, request, searchset

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
LOCAL = "https://ehr.example/fhir/CodeSystem/local-drug"


def concept(system: str, code: str, text: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}], "text": text}


def request_for(
    concept_or_reference: dict[str, Any], kind: str = "MedicationRequest", **extra: Any
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": kind,
        "status": "active",
        "subject": {"reference": "Patient/1288992"},
        **extra,
    }
    if kind == "MedicationRequest":
        resource["intent"] = "order"
    if "reference" in concept_or_reference:
        resource["medicationReference"] = concept_or_reference
    else:
        resource["medicationCodeableConcept"] = concept_or_reference
    return resource


def medication(ident: str, code: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    found: dict[str, Any] = {"resourceType": "Medication", "id": ident, **extra}
    if code is not None:
        found["code"] = code
    return found


def of(found: list[dict[str, Any]], indicator: str) -> list[dict[str, Any]]:
    return [card for card in found if card["indicator"] == indicator]


IBUPROFEN_SCD = concept(RXNORM, "197806", "Ibuprofen 600 mg tablet")
ELIQUIS_SBD = concept(RXNORM, "1364447", "Eliquis 5 mg tablet")


# --- product codes --------------------------------------------------------------------------


def test_an_ibuprofen_tablet_with_branded_eliquis_gives_the_nsaid_anticoagulant_warning() -> None:
    found = cards(
        request(medications=searchset(request_for(IBUPROFEN_SCD), request_for(ELIQUIS_SBD)))
    )
    (warning,) = of(found, "warning")
    assert warning["summary"].startswith("Ibuprofen 600 mg tablet: interaction with 'Takes an")
    assert "RxNorm 197806" in warning["detail"]
    assert "Eliquis 5 mg tablet (RxNorm 1364447)" in warning["detail"]


def test_the_ehr_shaped_example_reads_products_contained_included_and_statements() -> None:
    found = cards(example("request_ehr_medicines"))
    warnings = of(found, "warning")
    summaries = [w["summary"] for w in warnings]
    assert any(
        s.startswith("Ibuprofen 600 mg tablet: interaction with 'Takes an anticoag")
        for s in summaries
    )
    (info,) = of(found, "info")
    assert info["summary"].startswith("1 medicine not recognised")
    assert "Metformin 500 mg tablet (MedicationRequest," in info["detail"]
    assert f"{LOCAL} 77001" in info["detail"]
    # the contained sertraline (known only by its ingredient) and the SNOMED paracetamol
    # product are recognised, so they are not listed as unknown
    assert "Sertraline" not in info["detail"].split("did not recognise")[1].split("\n")[0]
    assert "Paracetamol as needed" not in info["detail"]


def test_a_combination_product_checks_each_ingredient_against_the_person() -> None:
    vicoprofen = concept(RXNORM, "858778", "Hydrocodone 5 mg / ibuprofen 200 mg tablet")
    warfarin = concept(RXNORM, "855332", "Warfarin 5 mg tablet")
    (warning,) = of(
        cards(request(medications=searchset(request_for(vicoprofen), request_for(warfarin)))),
        "warning",
    )
    nsaids = load_knowledge().treatment("nsaids").name
    assert f"contains ibuprofen, one of BackPath's *{nsaids}*" in warning["detail"]


def test_atc_and_snomed_product_codes_are_matched_like_rxnorm() -> None:
    atc = searchset(
        request_for(concept(ATC, "m01ae01", "Ibuprofen")),
        request_for(concept(ATC, "B01AF01", "Rivaroxaban")),
    )
    snomed = searchset(
        request_for(concept(SNOMED, "779527000", "Ibuprofen oral")),
        request_for(concept(SNOMED, "444216007", "Apixaban")),
    )
    for medications in (atc, snomed):
        (warning,) = of(cards(request(medications=medications)), "warning")
        assert "interaction with 'Takes an anticoagulant'" in warning["summary"]


def test_rxnorm_sent_as_its_hl7_oid_is_matched() -> None:
    oid = concept("urn:oid:2.16.840.1.113883.6.88", "1364445", "Apixaban 5 mg")
    (warning,) = of(
        cards(request(medications=searchset(request_for(IBUPROFEN_SCD), request_for(oid)))),
        "warning",
    )
    assert "Apixaban 5 mg (RxNorm 1364445)" in warning["detail"]


# --- Medications referenced, contained and included -------------------------------------


def test_a_contained_medication_is_followed() -> None:
    contained = request_for(
        {"reference": "#apx"}, contained=[medication("apx", concept(RXNORM, "1364445", "Apixaban"))]
    )
    (warning,) = of(
        cards(request(medications=searchset(request_for(IBUPROFEN_SCD), contained))), "warning"
    )
    assert "Apixaban (RxNorm 1364445)" in warning["detail"]


def test_an_included_medication_is_followed_by_relative_and_absolute_reference() -> None:
    for reference in ("Medication/m-9", "https://ehr.example/fhir/Medication/m-9/_history/2"):
        bundle = searchset(
            request_for(IBUPROFEN_SCD),
            request_for({"reference": reference}),
            medication("m-9", ELIQUIS_SBD),
        )
        (warning,) = of(cards(request(medications=bundle)), "warning")
        assert "Eliquis 5 mg tablet (RxNorm 1364447)" in warning["detail"]


def test_an_unknown_product_is_matched_by_its_medications_ingredient_codes() -> None:
    local = medication(
        "x",
        concept(LOCAL, "99123", "Warfarin 3 mg (local)"),
        ingredient=[{"itemCodeableConcept": concept(RXNORM, "11289", "warfarin")}],
    )
    bundle = searchset(
        request_for(IBUPROFEN_SCD), request_for({"reference": "#x"}, contained=[local])
    )
    (warning,) = of(cards(request(medications=bundle)), "warning")
    assert "Takes an anticoagulant" in warning["summary"]


def test_a_medication_statement_counts_like_a_request() -> None:
    statement = request_for(ELIQUIS_SBD, "MedicationStatement")
    found = cards(
        request(medications=searchset(request_for(IBUPROFEN_SCD)),
             medicationStatements=searchset(statement))
    )  # fmt: skip
    (warning,) = of(found, "warning")
    assert "MedicationStatement: Eliquis 5 mg tablet (RxNorm 1364447)" in warning["detail"]


def test_a_stopped_medication_statement_is_not_read() -> None:
    statement = request_for(ELIQUIS_SBD, "MedicationStatement")
    statement["status"] = "stopped"
    found = cards(
        request(medications=searchset(request_for(IBUPROFEN_SCD)),
             medicationStatements=searchset(statement))
    )  # fmt: skip
    assert of(found, "warning") == []


def test_tramadol_counts_as_serotonergic_for_duloxetine() -> None:
    bundle = searchset(
        request_for(concept(RXNORM, "596930", "Duloxetine 30 mg")),
        request_for(concept(RXNORM, "835603", "Tramadol 50 mg")),
    )
    summaries = [c["summary"] for c in of(cards(request(medications=bundle)), "warning")]
    assert any(
        s.startswith("Duloxetine 30 mg: interaction with 'Takes serotonergic") for s in summaries
    )


def test_a_systemic_corticosteroid_prompts_the_long_term_steroid_question() -> None:
    prednisone = request_for(concept(RXNORM, "312615", "Prednisone 20 mg tablet"))
    (info,) = cards(request(medications=searchset(prednisone)))
    assert "**Ask: has taken steroid tablets for a long time?** Prednisone 20 mg" in info["detail"]
    assert "systemic corticosteroid" in info["detail"]
    assert "finucane2020" in info["detail"]


# --- what is not known is said --------------------------------------------------------------


def test_an_unrecognised_medicine_is_named_with_its_codes_on_the_card() -> None:
    unknown = request_for(concept(LOCAL, "55501", "Zolpidem 10 mg"))
    (info,) = cards(request(medications=searchset(request_for(IBUPROFEN_SCD), unknown)))
    assert info["summary"].startswith("1 medicine not recognised; STarT Back")
    assert "**Medicines BackPath did not recognise (1)**" in info["detail"]
    assert f"Zolpidem 10 mg (MedicationRequest, {LOCAL} 55501)" in info["detail"]


def test_a_medicine_without_any_code_is_unrecognised_not_dropped() -> None:
    uncoded = request_for({"text": "Herbal sleep remedy"}, "MedicationStatement")
    (info,) = cards(request(medicationStatements=searchset(uncoded)))
    assert "Herbal sleep remedy (MedicationStatement, no code)" in info["detail"]


def test_a_reference_to_a_medication_not_sent_is_said_on_the_card() -> None:
    missing = request_for({"reference": "Medication/gone", "display": "Unknown tablet"})
    (info,) = cards(request(medications=searchset(missing)))
    assert (
        "Unknown tablet (MedicationRequest, no code; its Medication Medication/gone was not found)"
        in info["detail"]
    )


def test_unrecognised_medicines_are_also_said_on_the_red_flag_card() -> None:
    data = example("request_red_flags")
    data["prefetch"]["medications"] = searchset(request_for(concept(LOCAL, "1", "Mystery pill")))
    found = cards(data)
    assert found[0]["indicator"] == "critical"
    assert "Mystery pill" in found[0]["detail"]


def test_an_operation_outcome_for_medications_is_unknown_and_said_not_read_as_none() -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "timeout", "diagnostics": "Query timed out"}],
    }
    (info,) = cards(request(medications=outcome))
    assert info["summary"].startswith("EHR data unreadable: medications;")
    assert (
        "**Not checked: medicines (MedicationRequest) could not be read from the EHR: "
        "interaction checks were not done** (the EHR said: Query timed out)."
    ) in info["detail"]


def test_an_operation_outcome_for_medications_still_gives_the_red_flag_card() -> None:
    data = example("request_red_flags")
    data["prefetch"]["medications"] = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "fatal", "code": "exception"}],
    }
    found = cards(data)
    assert found[0]["indicator"] == "critical"
    assert "interaction checks were not done" in found[0]["detail"]


def test_an_operation_outcome_for_conditions_says_red_flags_were_not_checked() -> None:
    issue = {
        "severity": "error",
        "code": "forbidden",
        "details": {"text": "Access denied to problem list"},
    }
    outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
    (info,) = cards(request(conditions=outcome))
    assert "red flags and conditions on record were not checked" in info["detail"]
    assert "Access denied to problem list" in info["detail"]


def test_an_error_outcome_inside_a_searchset_makes_the_key_unknown_a_warning_does_not() -> None:
    def bundle(severity: str) -> dict[str, Any]:
        found = searchset(
            request_for(IBUPROFEN_SCD),
            {
                "resourceType": "OperationOutcome",
                "issue": [
                    {"severity": severity, "code": "incomplete", "diagnostics": "Partial list"}
                ],
            },
        )
        return found

    (info,) = cards(request(medications=bundle("error")))
    assert "Partial list" in info["detail"]
    (info,) = cards(request(medications=bundle("information")))
    assert "Partial list" not in info["detail"]


def test_an_operation_outcome_for_the_patient_makes_the_call_unanswerable() -> None:
    import pytest

    from backpath.errors import PrefetchUnavailable

    data = request()
    issue = {"severity": "error", "code": "not-found"}
    data["prefetch"]["patient"] = {"resourceType": "OperationOutcome", "issue": [issue]}
    with pytest.raises(PrefetchUnavailable) as caught:
        cards(data)
    assert "could not give the Patient" in caught.value.missing["patient"]


# --- prefetch templates and fetching ----------------------------------------------------------


def test_the_medication_prefetch_templates_include_their_medications() -> None:
    (service,) = cds_hooks.discovery()["services"]
    assert service["prefetch"]["medications"] == (
        "MedicationRequest?patient={{context.patientId}}&status=active"
        "&_include=MedicationRequest:medication"
    )
    assert service["prefetch"]["medicationStatements"].endswith(
        "&_include=MedicationStatement:medication"
    )
    assert set(service["prefetch"]) == set(PREFETCH)


def test_fetched_medications_come_with_their_included_and_referenced_medications() -> None:
    asked: list[str] = []
    answers: dict[str, Any] = {
        "MedicationRequest": searchset(
            request_for(IBUPROFEN_SCD),
            request_for({"reference": "Medication/inc"}),
            request_for({"reference": "Medication/later"}),
            medication("inc", concept(RXNORM, "11289", "Warfarin")),
        ),
        "Medication": medication("later", concept(RXNORM, "310431", "Gabapentin 300 mg")),
    }

    def fetch(url: str, token: str) -> object:
        asked.append(url)
        kind = url.split("/")[3].split("?")[0]
        return copy.deepcopy(answers.get(kind, searchset()))

    parsed = cds_hooks.parse_request(json.dumps(example("request_patient_only")))
    data = cds_hooks.gather(parsed, fetch=fetch)
    assert any("_include=MedicationRequest:medication" in url for url in asked)
    assert "http://hooks.smarthealthit.org:9080/Medication/later" in asked
    assert "http://hooks.smarthealthit.org:9080/Medication/inc" not in asked

    response = cds_hooks.build_cards(data, today=TODAY).to_json()
    details = [card["detail"] for card in of(response["cards"], "warning")]
    assert any("Warfarin (RxNorm 11289)" in detail for detail in details)
    assert any(detail.startswith("**Gabapentin 300 mg**") for detail in details)
    assert "not recognise" not in json.dumps(response)


def test_an_operation_outcome_that_is_not_valid_fhir_still_makes_the_key_unknown() -> None:
    data = example("request_red_flags")
    data["prefetch"]["medications"] = {"resourceType": "OperationOutcome"}
    found = cards(data)
    assert found[0]["indicator"] == "critical"
    assert "interaction checks were not done" in found[0]["detail"]
    assert "not valid FHIR" in found[0]["detail"]


def test_a_prefetch_without_its_included_medication_has_it_fetched_from_the_server() -> None:
    data = example("request_full")
    data["prefetch"]["medications"] = searchset(
        request_for(IBUPROFEN_SCD), request_for({"reference": "Medication/not-included"})
    )
    asked: list[str] = []

    def fetch(url: str, token: str) -> object:
        asked.append(url)
        return medication("not-included", ELIQUIS_SBD)

    parsed = cds_hooks.parse_request(json.dumps(data))
    gathered = cds_hooks.gather(parsed, fetch=fetch)
    assert asked == ["http://hooks.smarthealthit.org:9080/Medication/not-included"]
    assert "referenced Medications" in gathered.fetched
    response = cds_hooks.build_cards(gathered).to_json()
    assert any("Eliquis 5 mg tablet" in c["detail"] for c in of(response["cards"], "warning"))


def test_a_held_or_unknown_status_medicine_still_counts_and_its_status_is_named() -> None:
    """An anticoagulant on hold for a procedure, or of unknown status, may still clash with an
    NSAID: read on the cautious side, and say the status."""
    for kind, status in [("MedicationRequest", "on-hold"), ("MedicationStatement", "unknown"),
                         ("MedicationRequest", "draft")]:  # fmt: skip
        held = request_for(ELIQUIS_SBD, kind)
        held["status"] = status
        key = "medications" if kind == "MedicationRequest" else "medicationStatements"
        prefetch = {"medications": searchset(request_for(IBUPROFEN_SCD)), key: searchset(held)}
        if key == "medications":
            prefetch["medications"] = searchset(request_for(IBUPROFEN_SCD), held)
        (warning,) = of(cards(request(**prefetch)), "warning")
        assert f"Eliquis 5 mg tablet (status: {status})" in warning["detail"], status
    for status in ("cancelled", "completed", "stopped", "entered-in-error"):
        gone = request_for(ELIQUIS_SBD)
        gone["status"] = status
        found = cards(request(medications=searchset(request_for(IBUPROFEN_SCD), gone)))
        assert of(found, "warning") == [], status


def test_a_searchset_with_more_pages_is_read_and_the_rest_said_not_checked() -> None:
    """A page of a longer result is not the whole: a red flag or an anticoagulant on page 2
    would otherwise vanish without notice."""
    paged = searchset(request_for(IBUPROFEN_SCD))
    paged["link"] = [{"relation": "next", "url": "https://ehr.example/fhir/MedicationRequest?p=2"}]
    found = cards(request(medications=paged))
    text = " ".join(card["detail"] for card in found)
    assert "Only part of the EHR's medicine orders (MedicationRequest) was sent" in text
    assert "the medicines in the rest were not checked" in text
    assert "partly sent: medications" in found[-1]["summary"]
    counted = searchset(request_for(IBUPROFEN_SCD), request_for(ELIQUIS_SBD))
    counted["total"] = 40
    found = cards(request(medications=counted))
    assert of(found, "warning"), "what was sent is still read"
    assert "2 of 40 matches were sent" in " ".join(card["detail"] for card in found)
    whole = searchset(request_for(IBUPROFEN_SCD))
    whole["total"] = 1
    assert "Only part" not in " ".join(card["detail"] for card in cards(request(medications=whole)))


def test_a_paged_conditions_searchset_keeps_the_red_flag_card_first_and_says_the_rest() -> None:
    data = example("request_red_flags")
    data["prefetch"]["conditions"]["link"] = [{"relation": "next", "url": "https://ehr/x?p=2"}]
    found = cards(data)
    assert found[0]["indicator"] == "critical"
    assert "red flags in the rest were not checked" in found[0]["detail"]
