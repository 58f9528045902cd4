"""The medicines table (data/medicines.yaml): its checks, its coverage and its users."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from backpath.errors import KnowledgeBaseError
from backpath.interop import intake_from_bundle
from backpath.interop.medicines import FILE, medicine_table, parse_medicines

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
REQUIRED_CLASSES = (
    "anticoagulant", "antiplatelet", "ssri", "snri", "opioid", "gabapentinoid",
    "corticosteroid", "nsaid",
)  # fmt: skip


def raw() -> dict[str, Any]:
    from importlib import resources

    text = (resources.files("backpath.interop") / "data" / FILE).read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_the_packaged_table_loads_and_covers_the_classes_the_issue_names() -> None:
    table = medicine_table()
    for name in REQUIRED_CLASSES:
        members = [i for i in table.ingredients.values() if name in i.classes]
        assert len(members) >= 2, name


def test_every_code_says_where_it_was_checked_or_that_it_is_to_confirm() -> None:
    data = raw()
    rows = [
        *data["systems"].values(),
        *(code for ingredient in data["ingredients"] for code in ingredient["codes"]),
        *data["products"],
    ]
    for row in rows:
        assert row["verified"] == "to confirm" or len(row["verified"]) > 12, row


def test_each_ingredient_has_an_atc_code_and_products_name_real_ingredients() -> None:
    table = medicine_table()
    for row in table.data.ingredients:
        assert any(c.system == "atc" for c in row.codes), row.id
    combination = table.lookup((RXNORM, "836395"))
    assert {i.id for i in combination} == {"acetaminophen", "tramadol"}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d["classes"]["nsaid"].update(treatment="no_such"), "classes.nsaid.treatment",
         "unknown treatment"),
        (lambda d: d["classes"]["anticoagulant"].update(tags=["no_tag"]),
         "classes.anticoagulant.tags", "unknown condition tag"),
        (lambda d: d["classes"]["corticosteroid"].update(ask_about="nope"),
         "classes.corticosteroid.ask_about", "unknown red-flag question"),
        (lambda d: d["ingredients"][0].update(classes=["no_class"]), "ingredients.0.classes",
         "unknown class"),
        (lambda d: d["ingredients"][1].update(id=d["ingredients"][0]["id"]), "ingredients.1.id",
         "duplicate ingredient"),
        (lambda d: d["ingredients"][0]["codes"][0].update(system="ndc"),
         "ingredients.0.codes.0.system", "unknown system"),
        (lambda d: d["products"][0].update(code=d["ingredients"][0]["codes"][0]["code"],
                                           system=d["ingredients"][0]["codes"][0]["system"]),
         "products.0.code", "duplicate code"),
        (lambda d: d["products"][0].update(ingredients=["unobtainium"]),
         "products.0.ingredients", "unknown ingredient"),
        (lambda d: d["products"][0].pop("verified"), "products.0.verified", "required"),
    ],
)  # fmt: skip
def test_a_bad_table_is_refused_naming_the_field(
    change: Callable[[dict[str, Any]], Any], field: str, words: str
) -> None:
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_medicines(data)
    assert caught.value.field == field
    assert words in caught.value.message.casefold() or words in caught.value.message


def test_atc_codes_match_whatever_their_case_and_the_oid_forms_match_their_system() -> None:
    table = medicine_table()
    assert [i.id for i in table.lookup((ATC, "m01ae01 "))] == ["ibuprofen"]
    assert [i.id for i in table.lookup(("urn:oid:2.16.840.1.113883.6.88", "1364447"))] == [
        "apixaban"
    ]
    assert [i.id for i in table.lookup(("urn:oid:2.16.840.1.113883.6.96", "777067000"))] == [
        "acetaminophen"
    ]
    assert table.lookup(("http://example.org/other", "5640")) == ()


def test_duloxetine_keeps_its_own_treatment_and_tramadol_adds_a_tag() -> None:
    table = medicine_table()
    assert table.ingredients["duloxetine"].treatments == ("duloxetine",)
    assert table.ingredients["venlafaxine"].treatments == ()
    assert table.ingredients["tramadol"].tags == ("serotonergic_medication",)
    assert table.ingredients["tramadol"].treatments == ("opioids",)
    assert table.ingredients["prednisone"].ask_about == ("long_term_corticosteroids",)


# --- the FHIR import reads the same table ---------------------------------------------------


def bundle(*resources: dict[str, Any]) -> dict[str, Any]:
    patient = {"resourceType": "Patient", "id": "p", "birthDate": "1970-01-01"}
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-01-05T10:00:00Z",
        "entry": [{"resource": r} for r in (patient, *resources)],
    }


def statement(**medicine: Any) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": {"reference": "Patient/p"},
        **medicine,
    }


def test_the_import_tags_branded_products_and_contained_medications() -> None:
    branded = statement(
        medicationCodeableConcept={"coding": [{"system": RXNORM, "code": "1364447"}]}
    )
    contained = statement(
        contained=[{"resourceType": "Medication", "id": "c",
                    "code": {"coding": [{"system": RXNORM, "code": "312941"}]}}],
        medicationReference={"reference": "#c"},
    )  # fmt: skip
    assert intake_from_bundle(bundle(branded))["conditions"] == ["anticoagulant_therapy"]
    assert intake_from_bundle(bundle(contained))["conditions"] == ["serotonergic_medication"]
