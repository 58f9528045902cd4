"""Standard codes in the export: LOINC's own display names, SNOMED CT for comorbidities, and
medicines as MedicationStatements that the import reads back to the same plan."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from backpath import contract
from backpath.cli.main import app
from backpath.engine import assess_and_plan
from backpath.errors import KnowledgeBaseError
from backpath.instruments import INSTRUMENTS
from backpath.interop import PatientInfo, codes, export_bundle, intake_from_bundle
from backpath.interop.condition_codes import (
    FILE,
    condition_codes,
    is_allergy,
    is_medicine,
    parse,
)
from backpath.knowledge import load_knowledge
from tests.conftest import ROOT, make_intake
from tests.fhir_schema import assert_valid_r4

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TAGS = contract.condition_tags()
MEDICINES = [tag for tag in TAGS if is_medicine(tag)]
ALLERGIES = [tag for tag in TAGS if is_allergy(tag)]
CONDITIONS = [tag for tag in TAGS if not is_medicine(tag) and not is_allergy(tag)]
runner = CliRunner()


def _export(intake: dict[str, Any]) -> dict[str, Any]:
    patient = PatientInfo(
        id="p1",
        given="Alex",
        family="Example",
        birth_year=WHEN.year - intake["patient"]["age"],
        sex=intake["patient"]["sex"],
    )
    plan = assess_and_plan(intake)
    return export_bundle(patient, intake, plan, base_id="ep1", timestamp=WHEN)


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


ICD = {"system": "icd10cm", "code": "E11", "match": "prefix", "display": "Type 2 diabetes",
       "verified": "a test row"}  # fmt: skip


def _raw_table() -> dict[str, Any]:
    path = ROOT / "src" / "backpath" / "interop" / "data" / FILE
    data: dict[str, Any] = yaml.safe_load(path.read_text("utf-8"))
    return data


# --- LOINC ----------------------------------------------------------------------------------


def test_every_loinc_coding_carries_loincs_name_from_the_instrument_data() -> None:
    names = {
        code: definition.loinc_name(code)
        for definition in (module.definition() for module in INSTRUMENTS.values())
        for code in definition.loinc_codes()
    }
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
    found = [coding for coding in _codings(_export(intake)) if coding["system"] == codes.LOINC]
    assert {c["code"] for c in found} >= {"72514-3", "91351-7", "91352-5", "LA9193-9", "97909-6"}
    for coding in found:
        assert coding.get("display") == names[coding["code"]], coding


def test_loinc_names_are_loincs_rather_than_backpaths_labels() -> None:
    startback = INSTRUMENTS["startback"].definition()
    assert startback.loinc_name("91352-5") == "STarT Back Screening risk level"
    assert startback.loinc_name("LA9193-9") == "High"
    # An item's LOINC name is the question's own (licensed) wording: its coding has no display.
    assert [startback.loinc_name(str(item.loinc)) for item in startback.items] == [None] * 9
    assert INSTRUMENTS["nrs"].definition().loinc_name("72514-3") == (
        "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
    )


def _codings(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "system" in node and "code" in node else []
        return own + [c for value in node.values() for c in _codings(value)]
    if isinstance(node, list):
        return [c for value in node for c in _codings(value)]
    return []


# --- comorbidities and medicines ------------------------------------------------------------


def test_the_table_sorts_every_contract_tag_into_conditions_allergies_or_medicines() -> None:
    table = condition_codes()
    assert sorted([*table.conditions, *table.allergies, *table.medicines]) == sorted(TAGS)
    assert ALLERGIES == ["shellfish_allergy"]
    assert set(MEDICINES) == {
        "anticoagulant_therapy",
        "antiplatelet_therapy",
        "sedative_use",
        "serotonergic_medication",
        "photosensitising_medication",
        "long_term_opioid_use",
        "long_term_gabapentinoid_use",
    }


@pytest.mark.parametrize("tag", CONDITIONS)
def test_a_comorbidity_is_a_condition_with_snomed_ct_where_a_code_exists(tag: str) -> None:
    bundle = _export(make_intake(conditions=[tag]))
    (condition,) = [
        c for c in _resources(bundle, "Condition") if c["id"].endswith(tag.replace("_", "-"))
    ]
    codings = condition["code"]["coding"]
    label = load_knowledge().conditions[tag].label
    assert codings[0] == {"system": codes.CONDITION_TAGS, "code": tag, "display": label}
    assert condition["code"]["text"] == label
    snomed = condition_codes().conditions[tag].snomed
    standard = [
        {"system": codes.SNOMED, "code": s.code, "display": s.display} for s in [snomed] if s
    ]
    assert codings[1:] == standard
    assert _resources(bundle, "MedicationStatement") == []


@pytest.mark.parametrize("tag", MEDICINES)
def test_a_medicine_is_a_medication_statement_not_a_condition(tag: str) -> None:
    bundle = _export(make_intake(conditions=[tag]))
    assert_valid_r4(bundle)
    assert [c["id"] for c in _resources(bundle, "Condition")] == ["ep1-condition-back-pain"]
    (statement,) = _resources(bundle, "MedicationStatement")
    row = condition_codes().medicines[tag]
    medication = statement["medicationCodeableConcept"]
    assert medication["text"] == row.medicine
    assert medication["coding"][0]["system"] == codes.CONDITION_TAGS
    assert medication["coding"][0]["code"] == tag
    atc = [c for c in medication["coding"] if c["system"] == codes.ATC]
    assert atc == ([{"system": codes.ATC, "code": row.atc.code, "display": row.atc.display}]
                   if row.atc else [])  # fmt: skip
    assert statement["status"] == "active"
    assert (
        statement["subject"]
        == statement["informationSource"]
        == {"reference": "Patient/ep1-patient"}
    )
    assert statement["dateAsserted"] == "2026-01-05T09:00:00Z"
    assert row.medicine in statement["text"]["div"]


def test_a_shellfish_allergy_is_an_allergy_intolerance_not_a_condition() -> None:
    bundle = _export(make_intake(conditions=["shellfish_allergy"]))
    assert_valid_r4(bundle)
    assert [c["id"] for c in _resources(bundle, "Condition")] == ["ep1-condition-back-pain"]
    (allergy,) = _resources(bundle, "AllergyIntolerance")
    label = load_knowledge().conditions["shellfish_allergy"].label
    assert allergy["id"] == "ep1-allergy-shellfish-allergy"
    assert allergy["clinicalStatus"]["coding"] == [
        {"system": codes.ALLERGY_CLINICAL, "code": "active"}
    ]
    assert allergy["verificationStatus"]["coding"] == [
        {"system": codes.ALLERGY_VERIFICATION, "code": "unconfirmed"}
    ]
    assert (allergy["type"], allergy["category"]) == ("allergy", ["food"])
    assert allergy["code"] == {
        "coding": [
            {"system": codes.CONDITION_TAGS, "code": "shellfish_allergy", "display": label},
            {"system": codes.SNOMED, "code": "300913006", "display": "Shellfish allergy"},
        ],
        "text": label,
    }
    assert allergy["patient"] == allergy["asserter"] == {"reference": "Patient/ep1-patient"}
    assert allergy["recordedDate"] == "2026-01-05T09:00:00Z"
    assert (
        "Allergy: Shellfish allergy (active, unconfirmed; allergy, food)" in allergy["text"]["div"]
    )
    careplan = _resources(bundle, "CarePlan")[0]
    assert all("allergy" not in a["reference"] for a in careplan.get("addresses", []))


def _allergy(**changes: Any) -> dict[str, Any]:
    bundle = _export(make_intake(conditions=["shellfish_allergy"]))
    (allergy,) = _resources(bundle, "AllergyIntolerance")
    allergy.update(changes)
    return bundle


@pytest.mark.parametrize(
    "changes",
    [
        {"clinicalStatus": {"coding": [{"system": codes.ALLERGY_CLINICAL, "code": "resolved"}]}},
        {"clinicalStatus": {"coding": [{"system": codes.ALLERGY_CLINICAL, "code": "inactive"}]}},
        {"verificationStatus": {"coding": [{"system": codes.ALLERGY_VERIFICATION,
                                            "code": "refuted"}]}},
        {"code": {"coding": [{"system": codes.SNOMED, "code": "84114007"}]}},
        {"code": {"coding": [{"system": codes.CONDITION_TAGS, "code": "diabetes"}]}},
    ],
)  # fmt: skip
def test_an_allergy_that_is_not_current_or_not_an_allergy_tag_is_not_read(
    changes: dict[str, Any],
) -> None:
    assert "conditions" not in intake_from_bundle(_allergy(**changes))


@pytest.mark.parametrize(
    "code",
    [
        {"coding": [{"system": codes.SNOMED, "code": "300913006"}]},
        {"coding": [{"system": codes.CONDITION_TAGS, "code": "shellfish_allergy"}]},
    ],
)
def test_an_ehrs_allergy_or_an_older_exports_condition_gives_the_allergy_tag(
    code: dict[str, Any],
) -> None:
    assert intake_from_bundle(_allergy(code=code))["conditions"] == ["shellfish_allergy"]
    condition = _conditions(*((c["system"], c["code"]) for c in code["coding"]))
    assert intake_from_bundle(condition)["conditions"] == ["shellfish_allergy"]


def test_antiplatelets_and_long_term_opioids_carry_their_atc_class() -> None:
    medicines = condition_codes().medicines
    assert medicines["antiplatelet_therapy"].atc is not None
    assert medicines["antiplatelet_therapy"].atc.code == "B01AC"
    assert medicines["long_term_opioid_use"].atc is not None
    assert medicines["long_term_opioid_use"].atc.code == "N02A"
    assert medicines["anticoagulant_therapy"].atc is None


def test_every_tag_survives_export_and_import_with_the_same_plan() -> None:
    intake = make_intake(conditions=list(TAGS))
    again = intake_from_bundle(_export(intake))
    assert sorted(again["conditions"]) == sorted(TAGS)
    original = assess_and_plan(intake).to_json_dict()
    assert assess_and_plan(again).to_json_dict() == original


@pytest.mark.parametrize(
    "tags",
    [
        MEDICINES,
        ["antiplatelet_therapy", "serotonergic_medication", "diabetes"],
        ["shellfish_allergy", "anticoagulant_therapy"],
    ],
)
def test_backpath_import_fhir_assess_gives_the_same_plan(tmp_path: Path, tags: list[str]) -> None:
    intake = make_intake(conditions=tags, preferences={"avoid": ["needles"]})
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(_export(intake)))
    result = runner.invoke(app, ["import", "fhir", str(path), "--assess"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == assess_and_plan(intake).to_json_dict()


def test_a_stopped_medicine_and_a_medicine_code_on_a_condition() -> None:
    bundle = _export(make_intake(conditions=["antiplatelet_therapy"]))
    stopped = copy.deepcopy(bundle)
    _resources(stopped, "MedicationStatement")[0]["status"] = "stopped"
    assert "conditions" not in intake_from_bundle(stopped)
    # A non-medicine tag in a MedicationStatement means nothing; a Condition of an older
    # export that carries a medicine tag is still read.
    odd = copy.deepcopy(bundle)
    _resources(odd, "MedicationStatement")[0]["medicationCodeableConcept"]["coding"][0]["code"] = (
        "diabetes"
    )
    assert "conditions" not in intake_from_bundle(odd)


def _conditions(*codings: tuple[str, str]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Condition", "subject": {"reference": "Patient/x"},
                          "code": {"coding": [{"system": system, "code": code}]}}}
            for system, code in codings
        ],
    }  # fmt: skip


def test_an_ehrs_snomed_coded_comorbidity_becomes_its_tag() -> None:
    bundle = _conditions(
        (codes.SNOMED, "84114007"), (codes.SNOMED, "73211009"), (codes.SNOMED, "235595009")
    )
    assert intake_from_bundle(bundle)["conditions"] == ["heart_failure", "diabetes"]
    resolved = copy.deepcopy(bundle)
    resolved["entry"][0]["resource"]["clinicalStatus"] = {
        "coding": [{"system": codes.CONDITION_CLINICAL, "code": "resolved"}]
    }
    assert intake_from_bundle(resolved)["conditions"] == ["diabetes"]


def test_the_import_reads_the_further_codes_of_the_table_as_the_cds_reader_does() -> None:
    """One table: a code only read (never exported) gives its tag on import too."""
    bundle = _conditions(
        (codes.ICD10CM, "I50.22"), (codes.ICD10CM, "n183"), (codes.SNOMED, "13200003")
    )
    assert intake_from_bundle(bundle)["conditions"] == [
        "heart_failure", "chronic_kidney_disease", "peptic_ulcer_or_gi_bleed"
    ]  # fmt: skip
    assert "conditions" not in intake_from_bundle(_conditions((codes.ICD10CM, "I5")))


@pytest.mark.parametrize(
    ("code", "tag"),
    [("E11.9", "diabetes"), ("E1022", "diabetes"), ("G40.909", "epilepsy"),
     ("I73.9", "peripheral_vascular_disease"), ("M81.0", "osteoporosis")],
)  # fmt: skip
def test_an_icd10cm_coded_comorbidity_becomes_its_tag(code: str, tag: str) -> None:
    assert intake_from_bundle(_conditions((codes.ICD10CM, code)))["conditions"] == [tag]


def test_an_icd10cm_code_near_a_tags_code_is_not_read_as_it() -> None:
    for code in ("I73.8", "E13.9", "G41.0", "N19"):
        assert "conditions" not in intake_from_bundle(_conditions((codes.ICD10CM, code)))


def test_the_table_gives_each_tag_with_the_coding_that_said_it() -> None:
    table = condition_codes()
    found = table.tags_of(
        [("urn:local", "I50"), (codes.ICD10CM, "M81.0"), (codes.SNOMED, "64859006")]
    )
    assert found == [("osteoporosis", (codes.SNOMED, "64859006"))]
    assert table.tags_of([(codes.SNOMED, "I50")]) == []  # the system counts


def test_every_code_of_the_table_says_where_it_was_checked() -> None:
    for tag, where, row in condition_codes().rows:
        assert row.verified.strip(), where
        assert tag in condition_codes().conditions or tag in condition_codes().allergies


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["conditions"].pop("diabetes"), "conditions", "'diabetes'"),
        (lambda d: d["conditions"].update(gout={"snomed": None, "verified": "x"}),
         "conditions.gout", "not a condition tag"),
        (lambda d: d["conditions"].update(sedative_use={"snomed": None, "verified": "x"}),
         "medicines.sedative_use", "listed under conditions too"),
        (lambda d: d["conditions"].update(shellfish_allergy={"snomed": None, "verified": "x"}),
         "allergies.shellfish_allergy", "listed under conditions too"),
        (lambda d: d["allergies"]["shellfish_allergy"].update(category="seafood"),
         "allergies.shellfish_allergy.category", "'food'"),
        (lambda d: d["allergies"]["shellfish_allergy"].update(read_from=[dict(ICD, code="N18")]),
         "allergies.shellfish_allergy.read_from.0.code", "two tags: 'chronic_kidney_disease'"),
        (lambda d: d["allergies"].update(gout={"snomed": None, "verified": "x",
                                               "category": "food"}),
         "allergies.gout", "not a condition tag"),
        (lambda d: d["conditions"]["diabetes"].update(snomed={"code": "84757009",
                                                              "display": "Epilepsy"}),
         "conditions.epilepsy.snomed.code", "two tags: 'diabetes'"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, code="N18.4")]),
         "conditions.diabetes.read_from.0.code",
         "'N18.4' (icd10cm) is given to two tags: 'chronic_kidney_disease' "
         "(conditions.chronic_kidney_disease.read_from.0) and 'diabetes'"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, code="E11"),
                                                                 dict(ICD, code="E11.9")]),
         "conditions.diabetes.read_from.1.code", "listed twice for 'diabetes'"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, system="snomed",
                                                                      code="73211009",
                                                                      match="exact")]),
         "conditions.diabetes.read_from.0.code", "listed twice"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, system="icd9")]),
         "conditions.diabetes.read_from.0.system", "unknown system 'icd9'"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, system="atc")]),
         "conditions.diabetes.read_from.0.system", "snomed or icd10cm"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, code="250.00")]),
         "conditions.diabetes.read_from.0.code", "not a code of"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, system="snomed",
                                                                      code="4467")]),
         "conditions.diabetes.read_from.0.code", "not a code of http://snomed.info/sct"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, system="snomed",
                                                                      code="44054006")]),
         "conditions.diabetes.read_from.0.code", "only for ICD-10-CM"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[{"system": "icd10cm",
                                                                  "code": "E11"}]),
         "conditions.diabetes.read_from.0.display", "required"),
        (lambda d: d["conditions"]["diabetes"].update(read_from=[dict(ICD, verified="")]),
         "conditions.diabetes.read_from.0.verified", "at least 1 character"),
        (lambda d: d["systems"].update(loinc="http://loinc.org"), "systems.loinc", "unknown"),
        (lambda d: d["systems"].update(snomed="http://snomed.info/sct/900000000000207008"),
         "systems.snomed", "must be http://snomed.info/sct"),
        (lambda d: d["systems"].pop("atc"), "systems", "must name atc"),
        (lambda d: d["medicines"]["sedative_use"].pop("verified"),
         "medicines.sedative_use.verified", "required"),
        (lambda d: d["conditions"]["diabetes"]["snomed"].update(code="7321 1009"),
         "conditions.diabetes.snomed.code", "pattern"),
    ],
)  # fmt: skip
def test_a_bad_table_names_the_field(change: Any, field: str, words: str) -> None:
    data = _raw_table()
    change(data)
    with pytest.raises(KnowledgeBaseError) as caught:
        parse(data)
    assert (caught.value.file, caught.value.field) == (FILE, field)
    assert words in caught.value.message


def test_no_licensed_question_wording_goes_out_as_a_loinc_display() -> None:
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
    items = {
        str(item.loinc)
        for name in ("startback", "peg")
        for item in INSTRUMENTS[name].definition().items
    }
    found = [c for c in _codings(_export(intake)) if c.get("code") in items]
    assert found and all("display" not in c for c in found)
