"""Contradictions in a partial intake, named in one sentence with the step that fixes them,
and when the pregnancy question applies."""

from __future__ import annotations

from typing import Any

import pytest

from backpath.engine.intake_checks import (
    contradictions,
    pregnancy_question_applies,
    pregnancy_recorded,
)
from tests.web.builders import NO_FLAGS

SEVERE_ODI = [4, 3, 3, 3, 3, 3, 3, 3, 3, 3]  # 31 of 50 points: 62%, the "crippled" band
MILD_ODI = [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]  # 10%


def ids(intake: dict[str, Any]) -> list[str]:
    return [c.id for c in contradictions(intake)]


def test_an_empty_or_consistent_intake_has_no_contradiction() -> None:
    assert contradictions({}) == []
    consistent = {
        "patient": {"age": 40, "sex": "female", "pregnant": True},
        "conditions": ["pregnancy"],
        "pain": {"nrs_now": 0},
        "questionnaires": {"odi": MILD_ODI},
        "red_flags": dict(NO_FLAGS),
        "episode": {"duration_weeks": 20},
        "prior_treatments": [{"treatment": "nsaids", "weeks": 4, "response": "partial"}],
    }
    assert contradictions(consistent) == []


@pytest.mark.parametrize("where", [{"patient": {"pregnant": True}}, {"conditions": ["pregnancy"]}])
def test_a_pregnancy_recorded_for_a_male_patient_is_named_and_sent_to_the_person_step(
    where: dict[str, Any],
) -> None:
    intake = {"patient": {"age": 30, "sex": "male", **where.get("patient", {})},
              "conditions": where.get("conditions", [])}  # fmt: skip
    [found] = contradictions(intake)
    assert found.id == "pregnancy_for_male" and found.step == "person"
    assert "sex as male" in found.sentence


def test_the_pregnancy_tag_with_a_no_answer_is_named() -> None:
    intake = {"patient": {"sex": "female", "pregnant": False}, "conditions": ["pregnancy"]}
    assert ids(intake) == ["pregnancy_tag_but_not_pregnant"]


def test_no_pain_with_severe_oswestry_disability_is_named_with_the_score() -> None:
    intake = {"pain": {"nrs_now": 0}, "questionnaires": {"odi": SEVERE_ODI}}
    [found] = contradictions(intake)
    assert (found.id, found.step) == ("no_pain_but_severe_disability", "pain")
    assert "0 out of 10" in found.sentence and "62%" in found.sentence


def test_some_pain_in_the_week_or_mild_disability_is_no_contradiction() -> None:
    assert ids({"pain": {"nrs_now": 0, "nrs_week_average": 4},
                "questionnaires": {"odi": SEVERE_ODI}}) == []  # fmt: skip
    assert ids({"pain": {"nrs_now": 0}, "questionnaires": {"odi": MILD_ODI}}) == []
    assert ids({"pain": {"nrs_now": 0}, "questionnaires": {"odi": [9] * 10}}) == []  # unscorable


def test_active_cancer_with_the_screen_saying_no_cancer_is_named_at_the_red_flags() -> None:
    intake = {"conditions": ["active_cancer"], "red_flags": dict(NO_FLAGS)}
    [found] = contradictions(intake)
    assert found.step == "red_flags" and "active cancer" in found.sentence
    assert "Cancer now or in the past" in found.sentence
    assert ids({"conditions": ["active_cancer"]}) == []  # the screen not yet answered


def test_a_treatment_tried_for_longer_than_the_episode_is_named() -> None:
    tried = [{"treatment": "nsaids", "weeks": 8, "response": "none"}]
    intake = {"episode": {"duration_weeks": 2}, "prior_treatments": tried}
    [found] = contradictions(intake)
    assert found.step == "episode" and "8 weeks" in found.sentence and "2 weeks" in found.sentence


@pytest.mark.parametrize(
    ("sex", "age", "asked"),
    [("female", 30, True), ("other", 40, True), ("unknown", None, True), ("female", 55, True),
     ("female", 56, False), ("male", 30, False), (None, 12, True), ("female", 11, False)],
)  # fmt: skip
def test_pregnancy_is_asked_unless_male_or_outside_12_to_55(
    sex: str | None, age: int | None, asked: bool
) -> None:
    assert pregnancy_question_applies(sex, age) is asked


def test_a_pregnancy_is_recorded_by_either_field() -> None:
    assert pregnancy_recorded({"patient": {"pregnant": True}})
    assert pregnancy_recorded({"conditions": ["pregnancy"]})
    assert not pregnancy_recorded({"patient": {"pregnant": False}, "conditions": []})
