"""summarise: latest values, responses, overall status, attendance and adverse events."""

from __future__ import annotations

from typing import Any

import pytest

from backpath.errors import InvalidInput
from backpath.tracking import Observation, Progress, summarise
from tests.tracking.follow_up_data import TODAY, days_ago, harm, seen, session


def progress(baseline: dict[Any, float], *observations: Observation, **more: Any) -> Progress:
    return summarise(
        baseline,
        list(observations),
        more.get("sessions", []),
        more.get("adverse_events", []),
        TODAY,
    )


def test_with_no_follow_up_the_status_is_unknown_and_a_note_says_why() -> None:
    p = progress({"nrs": 6, "odi_percent": 40})
    assert (p.status, p.status_measure, p.responses, p.latest) == ("unknown", None, {}, {})
    assert any("no follow-up score" in n for n in p.notes)
    assert any("No follow-up pain score" in n for n in p.notes)


def test_with_nothing_at_all_the_summary_is_still_made() -> None:
    p = summarise({}, [], [], [], TODAY)
    assert p.status == "unknown" and p.attendance == [] and p.adverse_events == []


def test_the_latest_value_is_the_most_recent_whatever_the_order() -> None:
    p = progress({"nrs": 6}, seen("nrs", 3, ago=1), seen("nrs", 5, ago=10))
    assert (p.latest["nrs"].value, p.latest["nrs"].on) == (3, days_ago(1))
    assert p.responses["nrs"].current == 3


def test_on_the_same_day_the_later_entry_wins() -> None:
    p = progress({"nrs": 6}, seen("nrs", 3), seen("nrs", 5))
    assert p.latest["nrs"].value == 5


def test_improved_pain_makes_the_overall_status_improved() -> None:
    p = progress({"nrs": 7}, seen("nrs", 4))
    assert (p.status, p.status_measure) == ("improved", "nrs")


def test_peg_decides_when_there_is_no_nrs_follow_up() -> None:
    p = progress({"nrs": 7, "peg": 6.0}, seen("peg", 4.0))
    assert (p.status, p.status_measure) == ("improved", "peg")


def test_nrs_decides_over_peg_when_both_exist() -> None:
    p = progress({"nrs": 7, "peg": 6.0}, seen("nrs", 7), seen("peg", 3.0))
    assert (p.status, p.status_measure) == ("no_meaningful_change", "nrs")


def test_any_measure_getting_worse_makes_the_status_worse_unless_pain_improved() -> None:
    p = progress({"nrs": 5, "rmdq": 10}, seen("nrs", 5), seen("rmdq", 16))
    assert (p.status, p.status_measure) == ("worse", "rmdq")


def test_improved_pain_with_worse_function_is_improved_with_a_note() -> None:
    p = progress({"nrs": 7, "odi_percent": 30}, seen("nrs", 3), seen("odi_percent", 45))
    assert p.status == "improved"
    assert any("Oswestry" in n and "worse" in n for n in p.notes)


def test_function_alone_cannot_make_the_status_improved() -> None:
    p = progress({"nrs": 7, "odi_percent": 50}, seen("odi_percent", 20))
    assert p.status == "unknown" and p.responses["odi_percent"].status == "improved"


def test_function_alone_can_make_the_status_worse() -> None:
    p = progress({"odi_percent": 20}, seen("odi_percent", 40))
    assert (p.status, p.status_measure) == ("worse", "odi_percent")


def test_a_score_without_a_baseline_is_kept_but_not_judged() -> None:
    p = progress({"nrs": 6}, seen("nrs", 6), seen("rmdq", 12))
    assert "rmdq" in p.latest and "rmdq" not in p.responses
    assert any("Roland-Morris" in n and "no baseline" in n for n in p.notes)


def test_attendance_counts_sessions_due_so_far_and_those_still_to_come() -> None:
    sessions = [session("physical_therapy", 14), session("physical_therapy", 7, attended=False),
                session("physical_therapy", -7, attended=False), session("cbt", 3)]  # fmt: skip
    p = progress({}, sessions=sessions)
    pt = next(a for a in p.attendance if a.treatment == "physical_therapy")
    assert (pt.attended, pt.planned, pt.upcoming, pt.rate) == (1, 2, 1, 0.5)
    assert [a.treatment for a in p.attendance] == ["cbt", "physical_therapy"]
    assert p.attended("physical_therapy") == 1 and p.attended("yoga") == 0
    assert p.sessions_of(["cbt", "physical_therapy"]) == (2, 3)


def test_a_treatment_with_only_future_sessions_has_no_rate_yet() -> None:
    p = progress({}, sessions=[session("yoga", -3, attended=False)])
    assert p.attendance[0].rate is None


def test_adverse_events_are_kept_oldest_first() -> None:
    p = progress({}, adverse_events=[harm("massage", 1), harm(None, 5, serious=True)])
    assert [e.treatment for e in p.adverse_events] == [None, "massage"]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: progress({"nrs": 11}), "baseline.nrs"),
        (lambda: progress({"vas": 5}), "baseline.vas"),
        (lambda: progress({"rmdq": 4.5}), "baseline.rmdq"),
        (lambda: progress({}, seen("nrs", 6), seen("nrs", 12)), "observations[1].value"),
        (lambda: progress({}, seen("odi_percent", -1)), "observations[0].value"),
        (lambda: progress({}, seen("nrs", 4, ago=-1)), "observations[0].on"),
        (lambda: progress({}, sessions=[session("reiki", 1)]), "sessions[0].treatment"),
        (lambda: progress({}, sessions=[session("yoga", -1)]), "sessions[0].attended"),
        (lambda: progress({}, adverse_events=[harm("reiki")]), "adverse_events[0].treatment"),
        (lambda: progress({}, adverse_events=[harm(None, -2)]), "adverse_events[0].on"),
    ],
)
def test_bad_input_names_the_field(call: Any, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field


def test_progress_is_immutable() -> None:
    p = progress({"nrs": 6}, seen("nrs", 4))
    with pytest.raises(ValueError, match="frozen"):
        p.status = "worse"  # type: ignore[misc]
