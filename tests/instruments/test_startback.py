"""STarT Back: checked exhaustively against the published rule, restated here independently."""

from __future__ import annotations

import itertools

import pytest

from backpath.errors import InvalidInput
from backpath.instruments import startback


def published_rule(answers: tuple[int, ...]) -> tuple[int, int, str]:
    """Hill 2008 restated: items 1-8 agree=1; item 9 scores only 'very much'/'extremely'.

    Total <= 3 is low; otherwise the distress subscale (items 5-9) <= 3 is medium, else high.
    """
    item9 = 1 if answers[8] in (3, 4) else 0
    total = sum(answers[:8]) + item9
    distress = sum(answers[4:8]) + item9
    if total <= 3:
        return total, distress, "low"
    return total, distress, "medium" if distress <= 3 else "high"


ALL_ANSWERS = [
    (*first8, item9) for first8 in itertools.product((0, 1), repeat=8) for item9 in range(5)
]


def test_the_answer_space_has_1280_combinations() -> None:
    assert len(ALL_ANSWERS) == 2**8 * 5 == 1280


def test_every_answer_combination_matches_the_published_rule() -> None:
    for answers in ALL_ANSWERS:
        result = startback.score(list(answers))
        assert (result.total, result.psychosocial, result.group) == published_rule(answers), answers


@pytest.mark.parametrize(("item9", "points"), [(0, 0), (1, 0), (2, 0), (3, 1), (4, 1)])
def test_item_9_scores_a_point_only_for_very_much_or_extremely(item9: int, points: int) -> None:
    result = startback.score([0] * 8 + [item9])
    assert result.total == points
    assert result.psychosocial == points


def test_a_total_of_3_is_low_risk_even_with_all_points_from_distress_items() -> None:
    result = startback.score([0, 0, 0, 0, 1, 1, 1, 0, 0])
    assert (result.total, result.psychosocial, result.group) == (3, 3, "low")


def test_a_total_of_4_with_distress_3_is_medium_risk() -> None:
    result = startback.score([1, 0, 0, 0, 1, 1, 1, 0, 0])
    assert (result.total, result.psychosocial, result.group) == (4, 3, "medium")


def test_a_total_of_4_with_distress_4_is_high_risk() -> None:
    result = startback.score([0, 0, 0, 0, 1, 1, 1, 1, 0])
    assert (result.total, result.psychosocial, result.group) == (4, 4, "high")


def test_distress_4_with_item_9_extremely_is_high_risk() -> None:
    result = startback.score([1, 1, 0, 0, 1, 1, 1, 0, 4])
    assert (result.total, result.psychosocial, result.group) == (6, 4, "high")


def test_item_9_moderately_does_not_tip_a_total_of_3_into_medium() -> None:
    assert startback.score([1, 1, 1, 0, 0, 0, 0, 0, 2]).group == "low"
    assert startback.score([1, 1, 1, 0, 0, 0, 0, 0, 3]).group == "medium"


def test_the_maximum_is_9_with_distress_5() -> None:
    result = startback.score([1] * 8 + [4])
    assert (result.total, result.psychosocial, result.group) == (9, 5, "high")


@pytest.mark.parametrize("item", range(8))
@pytest.mark.parametrize("value", [2, 3, 4])
def test_items_1_to_8_reject_the_item_9_scale(item: int, value: int) -> None:
    answers = [0] * 9
    answers[item] = value
    with pytest.raises(InvalidInput) as caught:
        startback.score(answers)
    assert caught.value.field == f"startback[{item}]"
    assert caught.value.message == f"must be 0 (disagree) or 1 (agree), got {value}"


@pytest.mark.parametrize("value", [-1, 5, True, "3", 3.0, None])
def test_item_9_rejects_anything_but_0_to_4(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        startback.score([0] * 8 + [value])
    assert caught.value.field == "startback[8]"
    assert caught.value.message == f"must be an integer from 0 to 4, got {value!r}"


@pytest.mark.parametrize("length", [0, 8, 10])
def test_a_wrong_number_of_answers_names_the_expected_9(length: int) -> None:
    with pytest.raises(InvalidInput, match="exactly 9 answers") as caught:
        startback.score([0] * length)
    assert caught.value.field == "startback"


def test_the_distress_subscale_is_items_5_to_9() -> None:
    spec = startback.definition()
    ids = spec.item_ids()
    assert spec.scoring.psychosocial_items == ids[4:9]


def test_items_carry_the_consecutive_loinc_codes_91340_0_to_91348_3() -> None:
    codes = [item.loinc for item in startback.definition().items]
    assert codes == [
        "91340-0", "91341-8", "91342-6", "91343-4", "91344-2",
        "91345-9", "91346-7", "91347-5", "91348-3",
    ]  # fmt: skip


def test_risk_groups_have_loinc_answer_codes() -> None:
    loinc = startback.definition().loinc
    assert loinc is not None and loinc.group is not None
    assert loinc.group.code == "91352-5"
    assert loinc.group.answers == {"low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"}
