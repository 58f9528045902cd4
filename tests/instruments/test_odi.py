"""Oswestry Disability Index v2.1a: percent of the maximum for the sections answered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backpath.errors import InvalidInput
from backpath.instruments import odi

sections = st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10)


def test_16_points_over_9_sections_is_35_6_percent() -> None:
    result = odi.score([3, 2, 1, 2, 2, 2, 2, None, 1, 1])
    assert result.scored
    assert (result.total, result.answered, result.percent) == (16, 9, 35.6)
    assert result.unanswered == ("sex_life",)
    assert result.band == "moderate"


def test_all_sections_answered_divides_by_50() -> None:
    assert odi.score([2] * 10).percent == 40.0
    assert odi.score([0] * 10).percent == 0.0
    assert odi.score([5] * 10).percent == 100.0


@pytest.mark.parametrize(("missing", "percent"), [(0, 20.0), (1, 20.0), (2, 20.0)])
def test_up_to_two_missing_sections_still_score(missing: int, percent: float) -> None:
    result = odi.score([None] * missing + [1] * (10 - missing))
    assert result.scored
    assert result.percent == percent
    assert result.answered == 10 - missing


def test_three_missing_sections_are_not_scored_and_say_why() -> None:
    result = odi.score([None, 1, None, 1, None, 1, 1, 1, 1, 1])
    assert not result.scored
    assert result.percent is None and result.band is None
    assert result.reason == "3 sections unanswered; ODI is not scored when more than 2 are missing"
    assert result.unanswered == ("pain_intensity", "lifting", "sitting")


def test_all_sections_missing_is_not_scored() -> None:
    result = odi.score([None] * 10)
    assert not result.scored
    assert result.reason is not None and result.reason.startswith("10 sections unanswered")


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "minimal"), (10, "minimal"), (11, "moderate"), (20, "moderate"), (21, "severe"),
     (30, "severe"), (31, "crippled"), (40, "crippled"), (41, "bed_bound"), (50, "bed_bound")],
)  # fmt: skip
def test_band_upper_bounds_20_40_60_80_are_inclusive(total: int, band: str) -> None:
    answers = [min(5, max(0, total - 5 * i)) for i in range(10)]
    assert sum(answers) == total
    assert odi.score(answers).band == band


@pytest.mark.parametrize(
    ("percent", "band"),
    [(20.0, "minimal"), (20.1, "moderate"), (40.0, "moderate"), (40.1, "severe"),
     (60.0, "severe"), (60.1, "crippled"), (80.0, "crippled"), (80.1, "bed_bound")],
)  # fmt: skip
def test_a_reported_percent_just_above_an_upper_bound_is_in_the_next_band(
    percent: float, band: str
) -> None:
    assert odi.band_of(percent) == band


@given(sections)
def test_the_percent_is_between_0_and_100_whenever_scored(answers: list[int | None]) -> None:
    result = odi.score(answers)
    assert result.scored == (answers.count(None) <= 2)
    if result.percent is not None:
        assert 0 <= result.percent <= 100
        assert result.band is not None


@given(sections, st.integers(0, 9))
def test_answering_a_missing_section_with_0_never_raises_an_all_zero_score(
    answers: list[int | None], i: int
) -> None:
    zeros: list[int | None] = [None if a is None else 0 for a in answers]
    zeros[i] = None
    before = odi.score(zeros)
    zeros[i] = 0
    after = odi.score(zeros)
    if before.scored:
        assert after.percent == before.percent == 0.0


@given(sections)
def test_the_percent_equals_the_published_formula(answers: list[int | None]) -> None:
    answered = [a for a in answers if a is not None]
    result = odi.score(answers)
    if result.scored:
        assert result.percent is not None
        assert abs(result.percent - sum(answered) / (5 * len(answered)) * 100) <= 0.05


@given(sections, st.integers(0, 9))
def test_a_worse_answer_never_lowers_the_percent(answers: list[int | None], i: int) -> None:
    current = answers[i]
    if current is None or current == 5:
        return
    worse = [*answers[:i], current + 1, *answers[i + 1 :]]
    before, after = odi.score(answers), odi.score(worse)
    if before.percent is not None and after.percent is not None:
        assert after.percent > before.percent


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ([0] * 9, "odi", "must have exactly 10 answers, one per item, got 9"),
        ([0] * 3 + [7] + [0] * 6, "odi[3]", "must be an integer from 0 to 5 or null, got 7"),
        ([0] * 9 + [True], "odi[9]", "must be an integer from 0 to 5 or null, got True"),
        ([0] * 9 + ["2"], "odi[9]", "must be an integer from 0 to 5 or null, got '2'"),
        ([0] * 9 + [2.0], "odi[9]", "must be an integer from 0 to 5 or null, got 2.0"),
        ({"pain_intensity": 1}, "odi", "must be a list of 10 answers, got dict"),
    ],
)
def test_bad_answers_are_rejected_with_field_and_allowed_values(
    answers: object, field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        odi.score(answers)
    assert (caught.value.field, caught.value.message) == (field, message)


def test_ten_points_is_a_meaningful_improvement_even_from_decimals() -> None:
    assert odi.is_meaningful_improvement(35.6, 25.6)
    assert odi.is_meaningful_improvement(40, 30)
    assert not odi.is_meaningful_improvement(40, 30.1)


def test_a_large_relative_drop_below_10_points_is_not_enough_for_the_odi() -> None:
    assert not odi.is_meaningful_improvement(12, 4)  # 67%, but 8 points


def test_improvement_arguments_must_be_percents() -> None:
    with pytest.raises(InvalidInput) as caught:
        odi.is_meaningful_improvement(101, 50)
    assert caught.value.field == "odi.baseline"
    assert caught.value.message == "must be a number from 0 to 100, got 101"
