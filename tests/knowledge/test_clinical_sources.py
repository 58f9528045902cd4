"""Clinical statements cite guidelines, reviews, trials and the like, never a marketing page.

A clinical statement is anything BackPath advises or decides from: a treatment card (except
its ``seed_claims``, which compare the seed articles with the evidence), a condition's plan
note, the policy, an exercise (dose, steps, cautions), a stop rule, an instrument's actions and
the sources the engine adds to a home programme. The loaders refuse a non-evidence source;
these tests prove it on the packaged data and on broken copies.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from backpath.engine import exercise_progress, home_program
from backpath.engine.adapt import CHANGE_SOURCES, ESCALATION_SOURCES, SAFETY_SOURCES
from backpath.errors import KnowledgeBaseError
from backpath.exercises import load_exercises, load_exercises_from, load_stop_rules
from backpath.knowledge import load_from, load_knowledge
from backpath.knowledge.models import CLINICAL_SOURCE_KINDS, Source
from tests.conftest import ROOT

KNOWLEDGE = ROOT / "src" / "backpath" / "knowledge" / "data"
EXERCISES = ROOT / "src" / "backpath" / "exercises" / "data"
NOT_EVIDENCE = "not clinical evidence"
A_CLINIC_PAGE = {
    "id": "some_clinic_blog",
    "kind": "marketing",
    "authors": "A back clinic",
    "year": 2026,
    "title": "Why our adjustments fix back pain",
    "url": "https://clinic.invalid/blog",
    "verified": True,
}


def _not_evidence(ids: Iterator[str] | set[str] | tuple[str, ...] | list[str]) -> list[str]:
    """The ids among ``ids`` whose source is not clinical evidence (empty when all are)."""
    sources = load_knowledge().sources
    return [i for i in ids if not sources[i].clinical]


def _cited(node: Any) -> Iterator[str]:
    """Every id under any ``sources`` key, at any depth of a parsed YAML file."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                yield from value
            else:
                yield from _cited(value)
    elif isinstance(node, list):
        for value in node:
            yield from _cited(value)


# The packaged data --------------------------------------------------------------------------


def test_marketing_and_patient_leaflets_are_the_only_kinds_that_are_not_evidence() -> None:
    kinds = set(Source.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]
    assert kinds - CLINICAL_SOURCE_KINDS == {"marketing", "patient_information"}


def test_every_treatment_card_cites_only_clinical_evidence_outside_its_seed_claims() -> None:
    for treatment in load_knowledge().treatments.values():
        assert _not_evidence(treatment.clinical_source_ids()) == [], treatment.id


def test_condition_notes_and_the_policy_cite_only_clinical_evidence() -> None:
    kb = load_knowledge()
    assert _not_evidence({s for c in kb.conditions.values() for s in c.sources}) == []
    assert _not_evidence(kb.policy.source_ids()) == []


def test_every_exercise_cites_only_clinical_evidence_for_every_statement() -> None:
    for exercise in load_exercises().values():
        for field, ids in exercise.cited():
            assert _not_evidence(ids) == [], (exercise.id, field)


def test_instrument_actions_and_thresholds_cite_only_clinical_evidence() -> None:
    folder = resources.files("backpath.instruments").joinpath("data")
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            assert _not_evidence(list(_cited(yaml.safe_load(entry.read_text("utf-8"))))) == [], (
                entry.name
            )


def test_the_sources_the_engine_adds_to_programmes_and_reviews_are_clinical_evidence() -> None:
    engine_sources = [
        *(s for ids in home_program.PHASE_SOURCES.values() for s in ids),
        *home_program.PREVENTION_SOURCES,
        *home_program.DOSE_SOURCES,
        *exercise_progress.STOP_SOURCES,
        *exercise_progress.REVIEW_SOURCES,
        *CHANGE_SOURCES,
        *ESCALATION_SOURCES,
        *SAFETY_SOURCES,
    ]
    assert _not_evidence(engine_sources) == []


def test_no_marketing_page_or_leaflet_is_left_in_the_sources() -> None:
    assert [s.id for s in load_knowledge().sources.values() if not s.clinical] == []


def test_stop_rules_cite_only_clinical_evidence() -> None:
    for rule in load_stop_rules().values():
        assert _not_evidence(rule.sources) == [], rule.id


def test_the_four_corrected_citations_name_their_papers() -> None:
    sources = load_knowledge().sources
    expected = {
        "smt_best_practice": ("Hawk C", 2020, "10.1089/acm.2020.0181", "26(10):884-901"),
        "herb_anticoagulant_interactions": ("Tsai HH", 2013, "10.1371/journal.pone.0064255",
                                            "8(5):e64255"),
        "cmaj_acute_comparison": ("Traeger A", 2017, "10.1503/cmaj.170527", "189(45):E1386"),
    }  # fmt: skip
    for source_id, (author, year, doi, where) in expected.items():
        source = sources[source_id]
        assert source.authors.startswith(author), source_id
        assert (source.year, source.doi) == (year, doi), source_id
        assert where in (source.published_in or ""), source_id
    turmeric = sources["carm_turmeric"]
    assert turmeric.year == 2018 and turmeric.kind == "regulatory"
    assert turmeric.href.startswith("https://www.medsafe.govt.nz/")


# Broken copies fail to load -----------------------------------------------------------------


def _knowledge_copy(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    path = target / "sources.yaml"
    data = yaml.safe_load(path.read_text())
    data["sources"].append(A_CLINIC_PAGE)
    path.write_text(yaml.safe_dump(data))
    return target


def _edit(path: Path, edit: Any) -> None:
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data))


def test_a_known_marketing_page_is_not_itself_an_error(tmp_path: Path) -> None:
    assert "some_clinic_blog" in load_from(_knowledge_copy(tmp_path)).sources


def test_a_treatment_precaution_citing_a_marketing_page_fails_to_load(tmp_path: Path) -> None:
    target = _knowledge_copy(tmp_path)
    _edit(
        target / "treatments" / "massage.yaml",
        lambda d: d["contraindications"][0].update(sources=["some_clinic_blog"]),
    )
    with pytest.raises(KnowledgeBaseError, match=rf"treatments/massage\.yaml: .*{NOT_EVIDENCE}"):
        load_from(target)


def test_a_condition_note_citing_a_marketing_page_fails_to_load(tmp_path: Path) -> None:
    target = _knowledge_copy(tmp_path)

    def cite(data: dict[str, Any]) -> None:
        noted = next(c for c in data["conditions"] if c.get("plan_note"))
        noted["sources"] = ["some_clinic_blog"]

    _edit(target / "conditions.yaml", cite)
    with pytest.raises(KnowledgeBaseError, match=rf"conditions\.yaml: sources: .*{NOT_EVIDENCE}"):
        load_from(target)


def test_a_seed_claim_may_cite_any_known_source_because_it_is_not_advice(tmp_path: Path) -> None:
    target = _knowledge_copy(tmp_path)

    def cite(data: dict[str, Any]) -> None:
        data["seed_claims"][0]["sources"] = ["some_clinic_blog"]

    _edit(target / "treatments" / "spinal_decompression.yaml", cite)
    assert load_from(target).treatments["spinal_decompression"].seed_claims


def test_an_editorial_source_must_be_marked_unverified() -> None:
    with pytest.raises(ValidationError, match="verified must be false"):
        Source(id="our_view", kind="editorial", authors="BackPath", year=2026,
               title="Our own view", verified=True)  # fmt: skip


def _sources_with_a_clinic_page() -> dict[str, Source]:
    return {**load_knowledge().sources, "some_clinic_blog": Source(**A_CLINIC_PAGE)}


@pytest.mark.parametrize(
    ("file", "edit", "field"),
    [
        ("exercises/knee_rolls.yaml", lambda d: d.update(sources=["some_clinic_blog"]),
         "sources"),
        ("exercises/knee_rolls.yaml", lambda d: d.update(dose_sources=["some_clinic_blog"]),
         "dose_sources"),
        ("exercises/knee_rolls.yaml",
         lambda d: d["progression"][0].update(sources=["hayden2021", "some_clinic_blog"]),
         "progression.0.sources"),
        ("exercises/knee_rolls.yaml",
         lambda d: d["caution"][0].update(sources=["some_clinic_blog"]), "caution.0.sources"),
        ("stop_rules.yaml", lambda d: d["stop_rules"][0].update(sources=["some_clinic_blog"]),
         "stop_rules.0.sources"),
    ],
)  # fmt: skip
def test_an_exercise_or_stop_rule_citing_a_marketing_page_fails_to_load(
    tmp_path: Path, file: str, edit: Any, field: str
) -> None:
    target = tmp_path / "exercises"
    shutil.copytree(EXERCISES, target)
    _edit(target / file, edit)
    label = file.replace(".", r"\.")
    with pytest.raises(KnowledgeBaseError, match=rf"{label}: {field}: .*{NOT_EVIDENCE}"):
        load_exercises_from(target, _sources_with_a_clinic_page())
