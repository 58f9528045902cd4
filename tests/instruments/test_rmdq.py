"""Roland-Morris: a count of 24 yes answers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import InvalidInput
from backpath.instruments import rmdq


def test_the_total_counts_the_yes_answers() -> None:
    assert rmdq.score([0] * 24).total == 0
    assert rmdq.score([1] * 24).total == 24
    assert rmdq.score([1, 0] * 12).total == 12


@given(st.integers(0, 2**24 - 1))
def test_any_24_bit_answer_vector_totals_its_number_of_ones(bits: int) -> None:
    answers = [(bits >> i) & 1 for i in range(24)]
    assert rmdq.score(answers).total == bin(bits).count("1")


@given(st.lists(st.integers(0, 1), min_size=24, max_size=24), st.integers(0, 23))
def test_turning_a_no_into_a_yes_adds_exactly_one(answers: list[int], i: int) -> None:
    before = rmdq.score([*answers[:i], 0, *answers[i + 1 :]]).total
    after = rmdq.score([*answers[:i], 1, *answers[i + 1 :]]).total
    assert after == before + 1


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ([0] * 23, "rmdq", "exactly 24 answers"),
        ([0] * 25, "rmdq", "exactly 24 answers"),
        ([0] * 23 + [2], "rmdq[23]", "got 2"),
        ([True] + [0] * 23, "rmdq[0]", "got True"),
        ([None] + [0] * 23, "rmdq[0]", "got None"),
        ("0" * 24, "rmdq", "got str"),
    ],
)
def test_bad_answers_are_rejected_naming_the_field(
    answers: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        rmdq.score(answers)
    assert caught.value.field == field


def test_five_points_is_a_meaningful_improvement() -> None:
    assert rmdq.is_meaningful_improvement(20, 15)
    assert not rmdq.is_meaningful_improvement(20, 16)  # 4 points, 20%


def test_thirty_percent_of_a_low_baseline_is_a_meaningful_improvement() -> None:
    assert rmdq.is_meaningful_improvement(10, 7)  # 3 points, 30%
    assert not rmdq.is_meaningful_improvement(10, 8)  # 2 points, 20%


def test_getting_worse_is_never_a_meaningful_improvement() -> None:
    assert not rmdq.is_meaningful_improvement(0, 0)
    assert not rmdq.is_meaningful_improvement(5, 12)


def test_improvement_arguments_outside_0_to_24_are_rejected() -> None:
    with pytest.raises(InvalidInput) as caught:
        rmdq.is_meaningful_improvement(25, 3)
    assert caught.value.field == "rmdq.baseline"
