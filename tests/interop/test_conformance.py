"""BackPath's published CodeSystems and StructureDefinitions: valid R4, under the canonical
base, and complete: every code and extension BackPath emits is defined by one of them."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from backpath import DISCLAIMER, __version__, contract
from backpath.engine import assess_and_plan
from backpath.interop import cds_hooks, codes, conformance
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo, PlanRecord
from backpath.interop.fhir_export import everything_resources, export_bundle
from backpath.knowledge import load_knowledge
from backpath.web.test_settings import TEST_FHIR_CANONICAL
from tests.conftest import ROOT, make_intake
from tests.fhir_schema import assert_valid_r4

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
GOLDEN = Path(__file__).parent / "golden" / "conformance_bundle.json"
CDS_EXAMPLES = Path(__file__).parent / "cds_examples"
PUBLISHED = [*conformance.code_systems(), *conformance.structure_definitions()]


def _examples() -> list[dict[str, Any]]:
    return [json.loads(p.read_text("utf-8")) for p in sorted((ROOT / "examples").glob("*.json"))]


INTAKES = [
    *_examples(),
    make_intake(conditions=list(contract.condition_tags())),
    make_intake(questionnaires={"rmdq": [1, 0] * 12, "peg": [7, 7, 6]}),
    make_intake(episode={"duration_weeks": 2, "leg_pain": "below_knee"}),
]


def _bundle(intake: dict[str, Any]) -> dict[str, Any]:
    patient = PatientInfo(id="p1", given="Alex", family="Example", birth_year=1980)
    plan = assess_and_plan(intake)
    diary = [DiaryRecord(date=date(2026, 2, 1), kind=kind, value=4) for kind in ("nrs", "rmdq")]
    return export_bundle(patient, intake, plan, diary, base_id="ep1", timestamp=WHEN)


def _everything(intake: dict[str, Any]) -> list[dict[str, Any]]:
    stored = assess_and_plan(intake).to_json_dict()
    episode = EpisodeRecord(
        id="5",
        intake=intake,
        recorded=WHEN,
        plans=(PlanRecord(number=1, status="published", created=WHEN, plan=stored),),
    )
    patient = PatientInfo(id="12", given="Jane", family="Sample", birth_year=1979)
    return [r.model_dump(mode="json") for r in everything_resources(patient, [episode])]


def _codings(node: Any) -> Iterator[dict[str, Any]]:
    """Every Coding (an object with ``system`` and ``code``) anywhere in ``node``."""
    if isinstance(node, dict):
        if "system" in node and "code" in node:
            yield node
        for value in node.values():
            yield from _codings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _codings(value)


def _extension_urls(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for extension in node.get("extension", []):
            yield extension["url"]
        for value in node.values():
            yield from _extension_urls(value)
    elif isinstance(node, list):
        for value in node:
            yield from _extension_urls(value)


def _emitted() -> Iterator[Any]:
    for intake in INTAKES:
        yield _bundle(intake)
        yield _everything(intake)


def _cards() -> list[dict[str, Any]]:
    found = []
    for name in ("request_full", "request_red_flags"):
        data = json.loads((CDS_EXAMPLES / f"{name}.json").read_text("utf-8"))
        call = cds_hooks.parse_request(json.dumps(data))
        found += cds_hooks.build_cards(cds_hooks.gather(call), today=WHEN.date()).to_json()["cards"]
    return found


def _by_url() -> dict[str, dict[str, Any]]:
    return {resource["url"]: resource for resource in PUBLISHED}


def _displays(concept: dict[str, Any]) -> set[str]:
    return {concept["display"], *(d["value"] for d in concept.get("designation", []))}


# --- the published resources themselves -----------------------------------------------------


@pytest.mark.parametrize("resource", PUBLISHED, ids=lambda r: r["id"])
def test_each_published_resource_is_valid_r4_with_narrative_and_disclaimer(
    resource: dict[str, Any],
) -> None:
    assert_valid_r4(resource)
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    kind, rid = resource["resourceType"], resource["id"]
    assert resource["url"] == f"{codes.BASE}/{kind}/{rid}"
    assert (resource["version"], resource["status"]) == (__version__, "active")
    assert resource["publisher"] == "BackPath"
    assert resource["description"].endswith(DISCLAIMER)
    assert resource["text"]["status"] == "generated"
    assert resource["title"] in resource["text"]["div"]


def test_the_canonical_base_of_the_tests_is_the_fixed_one() -> None:
    assert codes.BASE == TEST_FHIR_CANONICAL == "http://testserver/fhir"
    assert codes.TREATMENTS == "http://testserver/fhir/CodeSystem/treatment"


def test_lookups_by_id_give_copies_and_none_for_unknown_ids() -> None:
    treatment = conformance.code_system("treatment")
    assert treatment is not None and treatment["count"] == len(contract.treatment_ids())
    treatment["concept"].clear()
    again = conformance.code_system("treatment")
    assert again is not None and len(again["concept"]) == len(contract.treatment_ids())
    assert conformance.code_system("no-such-system") is None
    line = conformance.structure_definition("treatment-line")
    assert line is not None and line["type"] == "Extension"
    assert conformance.structure_definition("treatment") is None
    ids = [r["id"] for r in PUBLISHED]
    assert len(ids) == len(set(ids))


def test_code_systems_are_built_from_the_data_they_code() -> None:
    kb = load_knowledge()
    treatments = conformance.code_system("treatment")
    tags = conformance.code_system("condition-tag")
    reasons = conformance.code_system("not-recommended-reason")
    assert treatments and tags and reasons
    assert [c["code"] for c in treatments["concept"]] == list(contract.treatment_ids())
    assert {c["code"]: c["display"] for c in treatments["concept"]} == {
        t.id: t.name for t in kb.treatments.values()
    }
    assert {c["code"]: c["display"] for c in tags["concept"]} == {
        c.id: c.label for c in kb.conditions.values()
    }
    assert [c["code"] for c in reasons["concept"]] == list(contract.not_recommended_reasons())


def test_answers_worded_differently_by_question_keep_every_wording() -> None:
    startback = conformance.code_system("startback-answers")
    assert startback is not None
    zero = next(c for c in startback["concept"] if c["code"] == "0")
    assert _displays(zero) == {"disagree / not at all", "disagree", "not at all"}
    assert "not at all" in zero["definition"]
    nrs = conformance.code_system("nrs-answers")
    assert nrs is not None and [c["code"] for c in nrs["concept"]] == [str(v) for v in range(11)]
    assert all("designation" not in c for c in nrs["concept"])


def test_the_treatment_line_extension_says_what_the_plan_contract_says() -> None:
    line = conformance.structure_definition("treatment-line")
    assert line is not None
    (context,) = line["context"]
    assert context == {"type": "element", "expression": "CarePlan.activity.detail"}
    value = next(e for e in line["differential"]["element"] if e["path"] == "Extension.value[x]")
    assert value["type"] == [{"code": "integer"}]
    assert (value["minValueInteger"], value["maxValueInteger"]) == (1, 3)
    assert "1 start now" in line["description"]
    url = next(e for e in line["differential"]["element"] if e["path"] == "Extension.url")
    assert url["fixedUri"] == codes.LINE_EXTENSION


def test_the_published_resources_are_the_committed_golden_file() -> None:
    """UPDATE_GOLDEN=1 rewrites it; review the diff (it changes with the data on purpose)."""
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": r["url"], "resource": r} for r in PUBLISHED],
    }
    assert_valid_r4(bundle)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert bundle == json.loads(GOLDEN.read_text("utf-8"))


# --- everything emitted is defined ----------------------------------------------------------


def test_every_backpath_code_emitted_is_a_concept_of_its_published_code_system() -> None:
    published = _by_url()
    seen: set[str] = set()
    for emitted in _emitted():
        for coding in _codings(emitted):
            system = coding["system"]
            if not system.startswith(codes.BASE + "/"):
                continue
            assert system in published, f"no CodeSystem published for {system}"
            concepts = {c["code"]: c for c in published[system]["concept"]}
            assert coding["code"] in concepts, f"{system}: {coding['code']} is not a concept"
            assert coding.get("display") in _displays(concepts[coding["code"]]), coding
            seen.add(system)
    expected = {
        codes.TREATMENTS,
        codes.NOT_RECOMMENDED_REASONS,
        codes.CONDITION_TAGS,
        codes.INSTRUMENT_SCORES,
        *(codes.answer_system(i) for i in ("nrs", "startback", "odi", "peg", "rmdq")),
    }
    assert seen == expected


def test_every_backpath_extension_emitted_has_its_structure_definition() -> None:
    published = _by_url()
    found = {url for emitted in _emitted() for url in _extension_urls(emitted)}
    own = {url for url in found if url.startswith(codes.BASE + "/")}
    assert own == {codes.LINE_EXTENSION}
    assert all(published[url]["resourceType"] == "StructureDefinition" for url in own)
    assert found - own == {"http://hl7.org/fhir/StructureDefinition/questionnaire-itemControl"}


def test_every_cds_card_topic_is_a_concept_of_the_card_topic_code_system() -> None:
    topics = conformance.code_system("cds-card-topic")
    assert topics is not None
    concepts = {c["code"]: c["display"] for c in topics["concept"]}
    found = [card["source"]["topic"] for card in _cards()]
    assert {t["code"] for t in found} == set(concepts)
    for topic in found:
        assert topic["system"] == codes.CDS_CARD_TOPICS
        assert concepts[topic["code"]] == topic["display"]
