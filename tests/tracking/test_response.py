"""Responder status: meaningful improvement, meaningful worsening, or neither, per measure."""

from __future__ import annotations

from fractions import Fraction

import pytest

from backpath.errors import InvalidInput
from backpath.tracking import responder


def nrs_status(baseline: int, current: int) -> str:
    """The rule restated: a drop of 2 points or 30% of baseline improves; the mirror worsens."""
    drop = baseline - current
    if drop > 0 and (drop >= 2 or Fraction(drop, baseline) >= Fraction(3, 10)):
        return "improved"
    rise = -drop
    if rise > 0 and (rise >= 2 or Fraction(rise, current) >= Fraction(3, 10)):
        return "worse"
    return "no_meaningful_change"


NRS_GRID = [(b, c) for b in range(11) for c in range(11)]


@pytest.mark.parametrize(("baseline", "current"), NRS_GRID)
def test_nrs_status_follows_two_points_or_thirty_percent(baseline: int, current: int) -> None:
    assert responder("nrs", baseline, current).status == nrs_status(baseline, current)


def test_nrs_grid_covers_all_121_pairs_and_all_three_statuses() -> None:
    statuses = {responder("nrs", b, c).status for b, c in NRS_GRID}
    assert len(NRS_GRID) == 121
    assert statuses == {"improved", "no_meaningful_change", "worse"}


@pytest.mark.parametrize(("baseline", "current"), NRS_GRID)
def test_nrs_improvement_one_way_is_worsening_the_other(baseline: int, current: int) -> None:
    forward = responder("nrs", baseline, current).status
    backward = responder("nrs", current, baseline).status
    assert (forward == "improved") == (backward == "worse")


def test_change_is_current_minus_baseline_so_negative_is_better() -> None:
    r = responder("nrs", 8, 5)
    assert (r.change, r.percent_change, r.status) == (-3.0, -37.5, "improved")


def test_percent_change_is_unknown_from_a_zero_baseline() -> None:
    r = responder("nrs", 0, 3)
    assert r.percent_change is None and r.status == "worse"


def test_a_response_cites_ostelo_2008_and_states_its_threshold() -> None:
    r = responder("nrs", 6, 4)
    assert r.sources == ["ostelo2008"]
    assert "2 points or 30%" in r.threshold


@pytest.mark.parametrize(
    ("baseline", "current", "status"),
    [
        (40, 31, "no_meaningful_change"),  # 9 points
        (40, 30, "improved"),  # 10 points
        (35.6, 25.6, "improved"),  # exactly 10, despite float arithmetic
        (20, 14, "no_meaningful_change"),  # 30% but 6 points: no percent rule for the ODI
        (30, 39, "no_meaningful_change"),
        (30, 40, "worse"),
    ],
)
def test_odi_counts_ten_points_and_only_points(
    baseline: float, current: float, status: str
) -> None:
    assert responder("odi_percent", baseline, current).status == status


def test_odi_change_has_no_float_noise() -> None:
    assert responder("odi_percent", 35.6, 25.6).change == -10.0


@pytest.mark.parametrize(
    ("baseline", "current", "status"),
    [
        (20, 16, "no_meaningful_change"),  # 4 points, 20%
        (20, 15, "improved"),  # 5 points
        (10, 7, "improved"),  # 3 points but 30%
        (10, 8, "no_meaningful_change"),  # 2 points, 20%
        (14, 10, "no_meaningful_change"),  # 4 points, 28.6%
        (15, 20, "worse"),  # 5 points up
        (16, 20, "no_meaningful_change"),  # 4 up, 20% of 20
        (7, 10, "worse"),  # 3 up, 30% of 10
    ],
)
def test_rmdq_counts_five_points_or_thirty_percent(
    baseline: int, current: int, status: str
) -> None:
    assert responder("rmdq", baseline, current).status == status


@pytest.mark.parametrize(
    ("baseline", "current", "status"),
    [
        (6.0, 4.2, "improved"),  # 30%
        (6.0, 4.3, "no_meaningful_change"),  # 1.7 points, 28.3%
        (3.33, 1.33, "improved"),  # 2 points
        (4.2, 6.0, "worse"),
    ],
)
def test_peg_borrows_the_nrs_rule(baseline: float, current: float, status: str) -> None:
    assert responder("peg", baseline, current).status == status


def test_peg_threshold_says_honestly_that_it_borrows_the_nrs_rule() -> None:
    text = responder("peg", 6, 4).threshold
    assert "no published minimal important change" in text
    assert "borrows the NRS rule" in text and "30%" in text


@pytest.mark.parametrize(
    ("measure", "baseline", "current", "field"),
    [
        ("nrs", 11, 5, "nrs.baseline"),
        ("nrs", 5, -1, "nrs.current"),
        ("nrs", 5.5, 5, "nrs.baseline"),
        ("peg", 10.5, 5, "peg.baseline"),
        ("odi_percent", 40, 100.1, "odi_percent.current"),
        ("rmdq", 25, 5, "rmdq.baseline"),
        ("rmdq", 5, float("nan"), "rmdq.current"),
        ("vas", 5, 5, "measure"),
    ],
)
def test_values_off_the_scale_name_the_field(
    measure: str, baseline: float, current: float, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        responder(measure, baseline, current)  # type: ignore[arg-type]
    assert caught.value.field == field


def test_whole_number_floats_are_accepted_on_whole_number_scales() -> None:
    assert responder("nrs", 7.0, 4.0).status == "improved"
