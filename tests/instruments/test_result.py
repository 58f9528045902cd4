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


def test_the_headline_is_the_number_each_instrument_is_charted_by() -> None:
    from backpath import instruments

    for value in range(11):
        assert instruments.score("nrs", value).headline == value
    assert instruments.score("peg", [3, 4, 8]).headline == 5.0
    assert instruments.score("rmdq", [1] * 7 + [0] * 17).headline == 7
    assert instruments.score("startback", [1, 1, 0, 0, 1, 0, 0, 0, 3]).headline == 4
    odi = instruments.score("odi", [2] * 10)
    assert odi.headline == odi.percent == 40.0  # type: ignore[attr-defined]


def test_an_unscored_result_or_the_red_flag_screen_has_no_headline() -> None:
    from backpath import instruments

    assert instruments.score("odi", [1, 1, 1, 1, 1, 1, 1, None, None, None]).headline is None
    assert instruments.score("red_flags", {"saddle_anaesthesia": True}).headline is None
