"""PEG: the mean of three 0-10 answers, no bands."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import InvalidInput
from backpath.instruments import peg


def test_the_score_is_the_mean_rounded_to_two_decimals() -> None:
    assert peg.score([5, 6, 6]).mean == 5.67
    assert peg.score([1, 0, 0]).mean == 0.33
    assert peg.score([7, 7, 7]).mean == 7.0


def test_extremes_score_0_and_10() -> None:
    assert peg.score([0, 0, 0]).mean == 0.0
    assert peg.score([10, 10, 10]).mean == 10.0


@given(st.lists(st.integers(0, 10), min_size=3, max_size=3))
def test_the_mean_is_within_half_a_hundredth_of_the_exact_mean(answers: list[int]) -> None:
    mean = peg.score(answers).mean
    assert 0 <= mean <= 10
    assert abs(Fraction(str(mean)) - Fraction(sum(answers), 3)) <= Fraction(1, 200)


def test_the_result_has_no_band_because_published_bands_are_unvalidated() -> None:
    assert set(peg.score([9, 9, 9]).to_dict()) == {"instrument", "scored", "reason", "mean"}
    note = peg.definition().note or ""
    assert "unvalidated" in note


@pytest.mark.parametrize(
    ("answers", "field"),
    [([5, 5], "peg"), ([5, 5, 5, 5], "peg"), ([5, 11, 5], "peg[1]"), ([5, 5, True], "peg[2]")],
)
def test_wrong_length_or_answer_is_rejected_naming_the_field(answers: object, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        peg.score(answers)
    assert caught.value.field == field


def test_wrong_length_names_the_expected_length() -> None:
    with pytest.raises(InvalidInput, match="exactly 3 answers"):
        peg.score([1, 2])
