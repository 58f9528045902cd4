"""Instrument data files: every one loads, cites known sources, and bad data fails loudly."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest
import yaml

from backpath.errors import KnowledgeBaseError
from backpath.instruments import INSTRUMENTS
from backpath.instruments.definition import Scoring, data_file_ids, parse_definition


def _raw(instrument_id: str) -> Any:
    folder = resources.files("backpath.instruments").joinpath("data")
    return yaml.safe_load(folder.joinpath(f"{instrument_id}.yaml").read_text("utf-8"))


def _known_source_ids() -> set[str]:
    folder = resources.files("backpath.knowledge").joinpath("data")
    data = yaml.safe_load(folder.joinpath("sources.yaml").read_text("utf-8"))
    return {source["id"] for source in data["sources"]}


def _cited(node: Any) -> Iterator[str]:
    """Every id under any ``sources`` key, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "sources":
                yield from value
            else:
                yield from _cited(value)
    elif isinstance(node, list):
        for value in node:
            yield from _cited(value)


def _minimal() -> dict[str, Any]:
    return {
        "id": "demo",
        "name": "Demo",
        "version": "1",
        "description": "A demo instrument.",
        "loinc": None,
        "licence": {"holder": "Nobody", "terms": "Free.", "notice": "A demo."},
        "sources": ["loinc"],
        "items": [{"id": "q1", "label": "Q1", "options": [{"value": 0, "label": "no"},
                                                          {"value": 1, "label": "yes"}]}],
        "scoring": {"rule": "Sum."},
    }  # fmt: skip


def test_every_data_file_belongs_to_a_registered_instrument() -> None:
    assert data_file_ids() == tuple(sorted(INSTRUMENTS))


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_every_data_file_loads_and_matches_its_id(instrument_id: str) -> None:
    definition = INSTRUMENTS[instrument_id].definition()
    assert definition.id == instrument_id
    assert definition.items


@pytest.mark.parametrize("instrument_id", sorted(INSTRUMENTS))
def test_every_cited_source_exists_in_the_knowledge_base(instrument_id: str) -> None:
    cited = set(_cited(_raw(instrument_id)))
    assert cited, f"{instrument_id} cites nothing"
    assert cited <= _known_source_ids(), cited - _known_source_ids()


@pytest.mark.parametrize(("instrument_id", "points", "percent"),
                         [("nrs", 2, 30), ("odi", 10, None), ("rmdq", 5, 30)])  # fmt: skip
def test_minimal_important_change_follows_ostelo_2008(
    instrument_id: str, points: float, percent: float | None
) -> None:
    threshold = INSTRUMENTS[instrument_id].definition().minimal_important_change
    assert threshold is not None
    assert (threshold.points, threshold.percent) == (points, percent)
    assert threshold.sources == ("ostelo2008",)


def test_rmdq_says_no_loinc_code_was_found() -> None:
    definition = INSTRUMENTS["rmdq"].definition()
    assert definition.loinc is None
    assert definition.note is not None and "LOINC" in definition.note


def test_panel_and_score_codes_follow_the_evidence_file() -> None:
    codes = {i: INSTRUMENTS[i].definition().loinc for i in ("nrs", "odi", "peg", "startback")}
    found = {i: (c.panel, c.score) if c else None for i, c in codes.items()}
    assert found == {
        "nrs": (None, "72514-3"),
        "odi": ("97908-8", "97909-6"),
        "peg": ("91148-7", "91147-9"),
        "startback": ("91349-1", "91351-7"),
    }


def test_peg_items_carry_their_loinc_codes() -> None:
    items = INSTRUMENTS["peg"].definition().items
    assert [i.loinc for i in items] == ["75893-8", "91145-3", "91146-1"]


def test_a_minimal_definition_parses() -> None:
    definition = parse_definition(_minimal(), "demo.yaml", "demo", Scoring)
    assert definition.item_ids() == ("q1",)


def test_an_unknown_key_names_file_and_field() -> None:
    data = _minimal()
    data["items"][0]["lable"] = "typo"
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(data, "demo.yaml", "demo", Scoring)
    assert (caught.value.file, caught.value.field) == ("demo.yaml", "items.0.lable")


def test_a_forgotten_loinc_key_is_an_error_rather_than_silently_none() -> None:
    data = _minimal()
    del data["loinc"]
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(data, "demo.yaml", "demo", Scoring)
    assert caught.value.field == "loinc"


def test_a_loinc_code_with_a_wrong_check_digit_is_rejected() -> None:
    data = _minimal()
    data["items"][0]["loinc"] = "72514-4"
    with pytest.raises(KnowledgeBaseError, match="check digit") as caught:
        parse_definition(data, "demo.yaml", "demo", Scoring)
    assert caught.value.field == "items.0.loinc"


def test_a_file_whose_id_differs_from_its_name_is_rejected() -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(_minimal(), "other.yaml", "other", Scoring)
    assert caught.value.field == "id"


def test_repeated_option_values_are_rejected() -> None:
    data = _minimal()
    data["items"][0]["options"][1]["value"] = 0
    with pytest.raises(KnowledgeBaseError, match="repeats an option value"):
        parse_definition(data, "demo.yaml", "demo", Scoring)


def test_repeated_item_ids_are_rejected() -> None:
    data = _minimal()
    data["items"].append(data["items"][0])
    with pytest.raises(KnowledgeBaseError, match="item ids must be unique"):
        parse_definition(data, "demo.yaml", "demo", Scoring)


def test_scoring_that_disagrees_with_the_items_names_the_scoring_field() -> None:
    from backpath.instruments.startback import StartBackScoring

    data = _raw("startback")
    data["scoring"]["psychosocial_items"] = ["no_such_item"]
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(data, "startback.yaml", "startback", StartBackScoring)
    assert caught.value.field == "scoring.psychosocial_items"


def test_a_red_flag_without_a_rule_is_rejected() -> None:
    from backpath.instruments.red_flags import RedFlagsScoring

    data = _raw("red_flags")
    del data["scoring"]["flags"]["iv_drug_use"]
    with pytest.raises(KnowledgeBaseError, match="no rule for: iv_drug_use") as caught:
        parse_definition(data, "red_flags.yaml", "red_flags", RedFlagsScoring)
    assert caught.value.field == "scoring.flags"


def test_every_instrument_states_its_licence_and_the_odi_needs_one_for_organisations() -> None:
    from backpath import instruments

    for instrument in ("nrs", "odi", "rmdq", "peg", "startback", "red_flags"):
        licence = instruments.definition(instrument).licence
        assert licence.holder and licence.terms and licence.notice
    assert instruments.definition("odi").licence.organisation_licence
    assert "Keele" in instruments.definition("startback").licence.notice
    assert not instruments.definition("rmdq").licence.organisation_licence


def test_an_instrument_turned_off_falls_back_to_its_free_alternative() -> None:
    from backpath import instruments

    assert instruments.usable("odi") == "odi"
    assert instruments.usable("odi", frozenset({"odi"})) == "rmdq"
    assert instruments.usable("odi", frozenset({"odi", "rmdq"})) is None
    assert instruments.usable("startback", frozenset({"startback"})) is None


def _with_loinc(**block: object) -> dict[str, Any]:
    data = _minimal()
    data["items"][0]["loinc"] = "72514-3"
    data["loinc"] = {"score": "72514-3", "verified": "loinc.org", **block}
    return data


def test_every_loinc_code_has_loincs_own_name_written_once() -> None:
    names = {"72514-3": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
    definition = parse_definition(_with_loinc(names=names), "demo.yaml", "demo", Scoring)
    assert definition.loinc_codes() == ("72514-3",)
    assert definition.loinc_name("72514-3") == names["72514-3"]


@pytest.mark.parametrize(
    ("names", "field", "words"),
    [
        ({"91351-7": "Total score [STarT Back]"}, "loinc.names", "name of 72514-3"),
        ({"72514-3": "Pain", "91351-7": "Total score [STarT Back]"}, "loinc.names",
         "91351-7 is not a code this file uses"),
        ({}, "loinc.names", "at least 1"),
    ],
)  # fmt: skip
def test_a_missing_or_stray_loinc_name_names_the_field(
    names: dict[str, str], field: str, words: str
) -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(_with_loinc(names=names), "demo.yaml", "demo", Scoring)
    assert caught.value.field == field
    assert words in caught.value.message


def test_item_loinc_codes_without_a_loinc_block_are_an_error() -> None:
    data = _minimal()
    data["items"][0]["loinc"] = "72514-3"
    with pytest.raises(KnowledgeBaseError) as caught:
        parse_definition(data, "demo.yaml", "demo", Scoring)
    assert caught.value.field == "loinc" and "72514-3" in caught.value.message
