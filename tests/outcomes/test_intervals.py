"""Wilson intervals, Byar's Poisson interval and the observed-against-expected verdict."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath.outcomes import compare, wilson
from backpath.outcomes.intervals import MIN_TO_TELL, poisson_interval


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (63, 120, 0.4363, 0.6122),
    ],
)
def test_wilson_matches_published_values(k: int, n: int, low: float, high: float) -> None:
    got = wilson(k, n)
    assert got == pytest.approx((low, high), abs=5e-4)


@given(st.integers(1, 5000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_holds_the_rate_and_stays_in_range(pair: tuple[int, int]) -> None:
    k, n = pair
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1


@pytest.mark.parametrize("bad", [(1, 0), (-1, 5), (6, 5)])
def test_impossible_counts_are_refused(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson(*bad)


@pytest.mark.parametrize(("observed", "low", "high"), [(0, 0.0, 3.689), (10, 4.795, 18.390)])
def test_byar_is_close_to_the_exact_poisson_interval(
    observed: int, low: float, high: float
) -> None:
    got = poisson_interval(observed)
    assert got == pytest.approx((low, high), rel=0.01)


def test_the_verdicts() -> None:
    assert compare(60, 100, 40.0).verdict == "above"
    assert compare(20, 100, 40.0).verdict == "below"
    assert compare(41, 100, 40.0).verdict == "as_expected"
    assert compare(9, MIN_TO_TELL - 1, 2.0).verdict == "too_few"
    assert compare(50, 100, None).verdict == "no_model"
    assert compare(5, 10, None).verdict == "too_few"


def test_observed_over_expected_uses_the_modelled_episodes() -> None:
    c = compare(50, 100, 30.0, modelled=(45, 80))
    assert c.rate == 0.5
    assert c.expected_rate == pytest.approx(30 / 80)
    assert c.ratio == pytest.approx(45 / 30)


@given(st.integers(MIN_TO_TELL, 400).flatmap(
    lambda n: st.tuples(st.integers(0, n), st.just(n), st.floats(0.5, n))))  # fmt: skip
def test_a_verdict_never_contradicts_its_interval(case: tuple[int, int, float]) -> None:
    k, n, expected = case
    c = compare(k, n, expected)
    assert c.ratio_interval is not None and c.ratio is not None
    low, high = c.ratio_interval
    assert low <= c.ratio <= high or math.isclose(low, c.ratio) or k == 0
    assert (c.verdict == "above") == (low > 1)
    assert (c.verdict == "below") == (high < 1)
