"""Minimal important change: points or percent of baseline, improvements only."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import KnowledgeBaseError
from backpath.instruments import peg
from backpath.instruments.change import improved_enough, threshold_of
from backpath.instruments.definition import MinimalImportantChange

POINTS_OR_30 = MinimalImportantChange(points=2, percent=30, sources=("ostelo2008",))
POINTS_ONLY = MinimalImportantChange(points=10, sources=("ostelo2008",))


def test_a_drop_of_exactly_the_points_counts() -> None:
    assert improved_enough(7, 5, POINTS_OR_30)
    assert improved_enough(35.6, 25.6, POINTS_ONLY)


def test_a_drop_of_exactly_30_percent_counts() -> None:
    assert improved_enough(5, 3.5, POINTS_OR_30)
    assert not improved_enough(5, 3.6, POINTS_OR_30)


def test_without_a_percent_only_points_count() -> None:
    assert not improved_enough(10, 1, POINTS_ONLY)


@given(st.floats(0, 100), st.floats(0, 100))
def test_no_drop_is_never_an_improvement(baseline: float, rise: float) -> None:
    assert not improved_enough(baseline, min(100.0, baseline + rise), POINTS_OR_30)


def test_an_instrument_without_a_threshold_fails_loudly() -> None:
    with pytest.raises(KnowledgeBaseError) as caught:
        threshold_of(peg.definition())
    assert (caught.value.file, caught.value.field) == ("peg.yaml", "minimal_important_change")
