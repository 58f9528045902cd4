"""The knowledge base loads, is complete, and fails loudly, naming file and field, when broken."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from backpath import contract
from backpath.errors import KnowledgeBaseError
from backpath.knowledge import load_from, load_knowledge
from tests.conftest import ROOT, SHARED

DATA = ROOT / "src" / "backpath" / "knowledge" / "data"


def test_every_contract_treatment_has_a_validated_card_in_contract_order() -> None:
    kb = load_knowledge()
    assert tuple(kb.treatments) == contract.treatment_ids()
    assert len(kb.treatments) == 40


def test_every_condition_tag_of_the_intake_is_described() -> None:
    assert set(contract.condition_tags()) <= set(load_knowledge().conditions)


def test_there_are_at_least_fifteen_sources_and_published_ones_say_where() -> None:
    sources = load_knowledge().sources
    assert len(sources) >= 15
    published = [
        s for s in sources.values() if s.kind in ("guideline", "systematic_review", "trial")
    ]
    assert all(s.doi or s.url or s.published_in for s in published)


def test_every_treatment_cites_sources_that_exist() -> None:
    kb = load_knowledge()
    for t in kb.treatments.values():
        assert t.source_ids() and t.source_ids() <= set(kb.sources), t.id


def test_the_knowledge_base_is_loaded_once_and_is_read_only() -> None:
    kb = load_knowledge()
    assert load_knowledge() is kb
    with pytest.raises(TypeError):
        kb.treatments["x"] = kb.treatment("massage")  # type: ignore[index]
    with pytest.raises(ValueError, match="frozen"):
        kb.treatment("massage").name = "changed"


def test_seed_claims_name_seed_files_that_exist() -> None:
    if not (SHARED / "seeds").exists():
        pytest.skip("shared/ is not beside this checkout")
    seeds = {p.name for p in (SHARED / "seeds").iterdir()}
    claims = [(t.id, s.seed) for t in load_knowledge().treatments.values() for s in t.seed_claims]
    assert claims, "the seeds' claims are recorded"
    assert [c for c in claims if c[1] not in seeds] == []


def test_interventional_cards_are_line_three_only_and_investigational_is_never_recommended() -> (
    None
):
    for t in load_knowledge().treatments.values():
        for phase in ("acute", "subacute", "chronic"):
            entry = t.consensus.for_phase(phase)  # type: ignore[arg-type]
            if t.category == "interventional" and entry.line is not None:
                assert entry.line == 3, t.id
            if t.category == "investigational":
                assert entry.verdict == "investigational", t.id


def broken_copy(tmp_path: Path, file: str, edit: Callable[[dict], None] | None = None) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    if edit is not None:
        path = target / file
        data = yaml.safe_load(path.read_text())
        edit(data)
        path.write_text(yaml.safe_dump(data))
    return target


def test_a_clean_copy_loads(tmp_path: Path) -> None:
    assert len(load_from(broken_copy(tmp_path, "")).treatments) == 40


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (
            "treatments/massage.yaml",
            lambda d: d.update(category="spa"),
            "treatments/massage.yaml: category",
        ),
        (
            "treatments/massage.yaml",
            lambda d: d.update(colour="blue"),
            "treatments/massage.yaml: colour",
        ),
        (
            "treatments/massage.yaml",
            lambda d: d["consensus"]["acute"].update(sources=["nobody2099"]),
            "unknown source id 'nobody2099'",
        ),
        (
            "treatments/massage.yaml",
            lambda d: d["contraindications"][0].update(condition="gout"),
            "unknown condition tag 'gout'",
        ),
        ("treatments/massage.yaml", lambda d: d.update(id="massages"), "expected 'massage'"),
        ("treatments/massage.yaml", lambda d: d["guidelines"].pop("who2023"), "guidelines.who2023"),
        ("sources.yaml", lambda d: d["sources"].append(d["sources"][0]), "duplicate id 'acp2017'"),
        ("conditions.yaml", lambda d: d["conditions"].pop(0), "anticoagulant_therapy"),
    ],
)
def test_a_broken_file_fails_naming_file_and_field(
    tmp_path: Path, file: str, edit: Callable[[dict], None], expected: str
) -> None:
    with pytest.raises(KnowledgeBaseError, match=expected.replace("[", r"\[").replace(".", r"\.")):
        load_from(broken_copy(tmp_path, file, edit))


def test_a_missing_treatment_file_fails(tmp_path: Path) -> None:
    target = broken_copy(tmp_path, "")
    (target / "treatments" / "yoga.yaml").unlink()
    with pytest.raises(KnowledgeBaseError, match=r"treatments/yoga\.yaml"):
        load_from(target)


def test_invalid_yaml_fails_with_the_file_name(tmp_path: Path) -> None:
    target = broken_copy(tmp_path, "")
    (target / "policy.yaml").write_text("review_in_weeks: [unclosed")
    with pytest.raises(KnowledgeBaseError, match=r"policy\.yaml: not valid YAML"):
        load_from(target)


def test_a_source_links_to_its_doi_first_then_its_url() -> None:
    sources = load_knowledge().sources
    assert sources["acp2017"].href == "https://doi.org/10.7326/M16-2367"  # has both
    assert sources["nice_ng59"].href == "https://www.nice.org.uk/guidance/ng59"
    assert sources["product_labelling"].href == ""
