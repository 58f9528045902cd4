"""Reporting: rounding is exact and half-up, results share one shape."""

from __future__ import annotations

from backpath.instruments.result import InstrumentResult, rounded


def test_rounding_is_half_up_not_half_to_even() -> None:
    assert rounded(5, 2, 0) == 3.0  # round(2.5) would give 2
    assert rounded(1, 8, 2) == 0.13  # 0.125
    assert rounded(160, 45, 1) == 3.6


def test_a_result_is_json_ready() -> None:
    result = InstrumentResult(instrument="demo", scored=False, reason="why")
    assert result.to_dict() == {"instrument": "demo", "scored": False, "reason": "why"}
