"""Pain numeric rating scale: every value 0-10, nothing else."""

from __future__ import annotations

import pytest

from backpath.errors import InvalidInput
from backpath.instruments import nrs


@pytest.mark.parametrize("value", range(11))
def test_every_value_from_0_to_10_scores_as_itself(value: int) -> None:
    result = nrs.score(value)
    assert result.value == value
    assert result.scored is True


@pytest.mark.parametrize("bad", [-1, 11, True, False, "5", 5.0, None, [5]])
def test_anything_but_an_integer_from_0_to_10_is_rejected(bad: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        nrs.score(bad)
    assert caught.value.field == "nrs"
    assert f"must be an integer from 0 to 10, got {bad!r}" in caught.value.message


def test_a_two_point_drop_is_meaningful_whatever_the_baseline() -> None:
    assert nrs.is_meaningful_improvement(10, 8)
    assert nrs.is_meaningful_improvement(2, 0)


def test_a_one_point_drop_is_meaningful_only_when_it_is_30_percent_of_baseline() -> None:
    assert nrs.is_meaningful_improvement(3, 2)  # 33%
    assert not nrs.is_meaningful_improvement(4, 3)  # 25%


def test_no_change_or_worsening_is_never_meaningful_improvement() -> None:
    for baseline in range(11):
        for now in range(baseline, 11):
            assert not nrs.is_meaningful_improvement(baseline, now)


def test_improvement_check_names_the_bad_argument() -> None:
    with pytest.raises(InvalidInput) as caught:
        nrs.is_meaningful_improvement(5, 11)
    assert caught.value.field == "nrs.now"
    with pytest.raises(InvalidInput) as caught:
        nrs.is_meaningful_improvement(True, 3)
    assert caught.value.field == "nrs.baseline"
