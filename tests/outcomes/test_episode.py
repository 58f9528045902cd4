"""One episode's result: primary measure, responder, time to response, questionnaires."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from backpath.outcomes import EpisodeFacts, outcome_of
from backpath.tracking import Observation, responder

OPENED = dt.date(2026, 1, 5)
TODAY = dt.date(2026, 12, 1)


def obs(measure: str, day: int, value: float) -> Observation:
    return Observation(measure=measure, value=value, on=OPENED + dt.timedelta(days=day))  # type: ignore[arg-type]


def facts(**kw: object) -> EpisodeFacts:
    base: dict[str, object] = {"opened": OPENED, "closed": OPENED + dt.timedelta(days=84),
                               "baseline": {"nrs": 7.0, "odi_percent": 40.0}}  # fmt: skip
    return EpisodeFacts(**(base | kw))  # type: ignore[arg-type]


def test_disability_is_the_primary_measure_when_it_was_repeated() -> None:
    result = outcome_of(facts(observations=(obs("nrs", 84, 2), obs("odi_percent", 84, 38))),
                        TODAY)  # fmt: skip
    assert result.primary == "odi_percent"
    assert result.responder is False  # 40 -> 38 is below Oswestry's minimal important change
    assert result.by_measure["nrs"] is True
    assert result.by_measure["rmdq"] is None  # no baseline


def test_pain_stands_in_when_no_disability_score_was_repeated() -> None:
    result = outcome_of(facts(observations=(obs("nrs", 20, 6), obs("nrs", 40, 3))), TODAY)
    assert (result.primary, result.responder, result.days_to_response) == ("nrs", True, 40)


def test_the_last_score_decides_and_time_to_response_is_the_first_that_reached_it() -> None:
    scores = (obs("odi_percent", 14, 28), obs("odi_percent", 42, 20), obs("odi_percent", 84, 22))
    result = outcome_of(facts(observations=scores), TODAY)
    assert result.responder is True and result.days_to_response == 14


def test_a_relapse_at_the_end_is_not_a_response() -> None:
    scores = (obs("odi_percent", 42, 20), obs("odi_percent", 84, 39))
    result = outcome_of(facts(observations=scores), TODAY)
    assert result.responder is False and result.days_to_response is None


def test_scores_after_the_episode_closed_do_not_count() -> None:
    result = outcome_of(facts(observations=(obs("odi_percent", 120, 5),)), TODAY)
    assert result.primary is None and result.responder is None


def test_no_follow_up_means_unknown_not_a_failure() -> None:
    result = outcome_of(facts(), TODAY)
    assert result.responder is None and result.baseline_severity is None


def test_questionnaire_completion_windows() -> None:
    scores = (obs("peg", 30, 5), obs("odi_percent", 80, 20))
    result = outcome_of(facts(observations=scores), TODAY)
    assert (result.baseline_done, result.review_done, result.discharge_done) == (True, True, True)
    short = outcome_of(facts(closed=OPENED + dt.timedelta(days=20)), TODAY)
    assert short.review_done is None and short.discharge_done is False
    still_open = outcome_of(facts(closed=None, baseline={"nrs": 6.0}), OPENED + dt.timedelta(10))
    assert (still_open.baseline_done, still_open.review_done, still_open.discharge_done) == (
        False, None, None)  # fmt: skip


def test_red_flag_referral_is_an_emergency_or_urgent_disposition() -> None:
    assert outcome_of(facts(disposition="emergency"), TODAY).red_flag_referral
    assert outcome_of(facts(disposition="urgent_referral"), TODAY).red_flag_referral
    assert not outcome_of(facts(disposition="referral_with_plan"), TODAY).red_flag_referral


series = st.lists(st.tuples(st.integers(1, 120), st.integers(0, 10)), max_size=8)


@given(baseline=st.integers(0, 10), scores=series, length=st.integers(1, 120))
def test_responder_is_the_last_in_episode_score_against_baseline(
    baseline: int, scores: list[tuple[int, int]], length: int
) -> None:
    observed = tuple(obs("nrs", d, v) for d, v in scores)
    result = outcome_of(
        facts(baseline={"nrs": float(baseline)}, observations=observed,
              closed=OPENED + dt.timedelta(days=length)), TODAY,
    )  # fmt: skip
    inside = sorted((o for o in observed if o.on <= OPENED + dt.timedelta(days=length)),
                    key=lambda o: o.on)  # fmt: skip
    if not inside:
        assert result.responder is None
        return
    expected = responder("nrs", baseline, inside[-1].value).status == "improved"
    assert result.responder is expected
    if expected:
        assert result.days_to_response is not None and 1 <= result.days_to_response <= length
        first = min(
            o.on for o in inside if responder("nrs", baseline, o.value).status == "improved"
        )
        assert result.days_to_response == (first - OPENED).days
    else:
        assert result.days_to_response is None
    assert result.baseline_severity == round(baseline / 10, 4)
