"""adapt: each review rule on real plans, and the safety rules as properties."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.engine import PROFILES, Plan, assess_and_plan
from backpath.engine.adapt import PlanRevision, Suggestion, adapt
from backpath.errors import InvalidInput
from backpath.knowledge import load_knowledge
from backpath.tracking import Progress
from tests.conftest import make_intake
from tests.strategies import intakes
from tests.tracking.follow_up_data import course, follow_ups, harm, pain_progress

AFTER_EXERCISE = [{"treatment": "physical_therapy", "weeks": 8, "response": "none"}]
AFTER_CARE = [*AFTER_EXERCISE, {"treatment": "cbt", "weeks": 8, "response": "none"}]
"""Exercise-based and psychological care tried without benefit: facet procedures may follow."""
FACET = {"suspected_cause": "facet_joint"}
HIGH_RISK = {"startback": [1, 1, 1, 1, 1, 1, 1, 1, 4]}


@cache
def chronic() -> Plan:
    return assess_and_plan(make_intake())


@cache
def chronic_after_exercise() -> Plan:
    """Chronic facet pain 8, exercise and CBT already tried: line 3 holds the facet procedures,
    and multidisciplinary rehabilitation comes to line 1."""
    return assess_and_plan(
        make_intake(pain={"nrs_now": 8}, episode=FACET, prior_treatments=AFTER_CARE)
    )


@cache
def chronic_high_risk() -> Plan:
    """STarT Back high risk: CBT moves to line 1 (one psychological programme at a time)."""
    return assess_and_plan(make_intake(questionnaires=HIGH_RISK))


@cache
def acute_severe() -> Plan:
    """Acute pain 8: NSAIDs at line 1."""
    return assess_and_plan(make_intake(episode={"duration_weeks": 2}, pain={"nrs_now": 8}))


def actions(revision: PlanRevision) -> list[str]:
    return [s.action for s in revision.suggestions]


def one(revision: PlanRevision, action: str) -> Suggestion:
    found = [s for s in revision.suggestions if s.action == action]
    assert len(found) == 1, actions(revision)
    return found[0]


def at_line(plan: Plan, line: int) -> list[str]:
    return [r.treatment for r in plan.recommended if r.line == line]


# Adverse events


def test_an_adverse_event_on_a_plan_item_stops_it_first() -> None:
    revision = adapt(chronic(), pain_progress((7, 3), events=[harm("physical_therapy")]), 6)
    assert revision.suggestions[0].action == "stop_item"
    assert revision.suggestions[0].treatments == ["physical_therapy"]
    assert "physical_therapy" not in one(revision, "continue").treatments


def test_a_serious_adverse_event_says_to_see_a_clinician_promptly() -> None:
    revision = adapt(chronic(), pain_progress(events=[harm("nsaids", serious=True)]), 6)
    stop = revision.suggestions[0]
    assert stop.treatments == ["nsaids"] and "serious" in stop.why and "promptly" in stop.why


def test_a_stopped_item_is_not_offered_again_at_line_two() -> None:
    revision = adapt(chronic(), pain_progress(events=[harm("yoga")]), 6)
    assert "yoga" not in one(revision, "add_line_2").treatments


def test_an_adverse_event_outside_the_plan_stops_nothing_but_is_reported() -> None:
    revision = adapt(chronic(), pain_progress((7, 3), events=[harm(None), harm("opioids")]), 6)
    assert "stop_item" not in actions(revision)
    assert "2 adverse event(s) not linked" in revision.summary


# Improvement and waiting


def test_meaningful_improvement_continues_line_one() -> None:
    revision = adapt(chronic(), pain_progress((7, 4)), 6)
    assert actions(revision) == ["continue"]
    assert one(revision, "continue").treatments == at_line(chronic(), 1)
    assert "meaningful improvement" in revision.suggestions[0].why


def test_improvement_suggests_tapering_line_one_medication() -> None:
    assert "nsaids" in at_line(acute_severe(), 1)
    why = one(adapt(acute_severe(), pain_progress((8, 3)), 2), "continue").why
    assert "tapering" in why and "NSAIDs" in why


def test_no_taper_is_mentioned_without_line_one_medication() -> None:
    assert "tapering" not in one(adapt(chronic(), pain_progress((7, 4)), 6), "continue").why


def test_before_the_review_is_due_the_plan_continues() -> None:
    revision = adapt(chronic(), pain_progress((6, 6)), 3)
    assert actions(revision) == ["continue"]
    assert "reviewed at 6 weeks" in revision.suggestions[0].why


def test_without_a_follow_up_pain_score_the_plan_continues_and_asks_for_one() -> None:
    revision = adapt(chronic(), pain_progress(None), 20)
    assert actions(revision) == ["continue"]
    assert "No follow-up pain score" in revision.suggestions[0].why


def test_low_attendance_continues_and_says_response_cannot_be_judged_yet() -> None:
    revision = adapt(
        chronic(), pain_progress((6, 6), sessions=course("physical_therapy", 2, 4)), 20
    )
    assert actions(revision) == ["continue"]
    why = revision.suggestions[0].why
    assert "2 of 6" in why and "cannot be judged fairly" in why and "attending" in why


def test_half_the_sessions_attended_is_enough_to_judge() -> None:
    revision = adapt(chronic(), pain_progress((6, 6), sessions=course("physical_therapy", 3, 3)), 6)
    assert "add_line_2" in actions(revision)


# No meaningful change at review


def test_no_meaningful_change_at_review_adds_the_line_two_items() -> None:
    plan = acute_severe()
    revision = adapt(plan, pain_progress((8, 7)), 2)
    add = one(revision, "add_line_2")
    assert add.treatments == at_line(plan, 2)
    assert "less than a meaningful change" in add.why and "ostelo2008" in add.sources
    assert "escalate" not in actions(revision)


def test_worse_at_review_adds_line_two_and_says_to_check_with_a_clinician() -> None:
    add = one(adapt(chronic(), pain_progress((4, 7)), 6), "add_line_2")
    assert "meaningfully worse" in add.why and "clinician" in add.why


def test_a_line_two_item_already_under_way_is_not_added_again() -> None:
    revision = adapt(chronic(), pain_progress((6, 6), sessions=course("yoga", 3)), 6)
    assert "yoga" not in one(revision, "add_line_2").treatments


def test_a_full_course_without_benefit_switches_to_an_untried_equivalent() -> None:
    plan = chronic_high_risk()
    kb = load_knowledge()
    group = kb.treatment("cbt").equivalence_group
    expected = [t for t in at_line(plan, 2) if kb.treatment(t).equivalence_group == group]
    revision = adapt(plan, pain_progress((6, 6), sessions=course("cbt", 8)), 8)
    switch = one(revision, "switch")
    assert switch.treatments == ["cbt", *expected] and expected
    assert "cbt" not in one(revision, "continue").treatments
    assert not set(expected) & set(one(revision, "add_line_2").treatments)


def test_no_switch_before_the_course_is_complete() -> None:
    revision = adapt(chronic_high_risk(), pain_progress((6, 6), sessions=course("cbt", 7)), 8)
    assert "switch" not in actions(revision)


def test_an_item_without_equivalents_is_not_switched() -> None:
    revision = adapt(chronic(), pain_progress((6, 6), sessions=course("physical_therapy", 6)), 6)
    assert "switch" not in actions(revision)


# Escalation


def test_unchanged_chronic_pain_at_twelve_weeks_escalates_to_the_line_three_items() -> None:
    plan = chronic_after_exercise()
    revision = adapt(plan, pain_progress((8, 7)), 12)
    escalate = one(revision, "escalate")
    assert escalate.treatments == at_line(plan, 3) == ["nerve_block", "radiofrequency_ablation"]
    assert {"acp2017", "nice_ng59"} <= set(escalate.sources)
    assert "refer_multidisciplinary" not in actions(revision)  # already at line 1


def test_unchanged_chronic_pain_at_twelve_weeks_refers_to_multidisciplinary_care() -> None:
    plan = chronic_high_risk()
    assert "multidisciplinary_rehabilitation" in at_line(plan, 2)
    revision = adapt(plan, pain_progress((6, 6)), 12)
    refer = one(revision, "refer_multidisciplinary")
    assert refer.treatments == ["multidisciplinary_rehabilitation"]
    assert "multidisciplinary_rehabilitation" not in one(revision, "add_line_2").treatments


def test_escalation_waits_for_twelve_weeks() -> None:
    revision = adapt(chronic_after_exercise(), pain_progress((8, 7)), 11.5)
    assert "escalate" not in actions(revision)
    assert not set(at_line(chronic_after_exercise(), 3)) & {
        t for s in revision.suggestions for t in s.treatments
    }


def test_escalation_comes_sooner_when_a_line_two_course_was_tried() -> None:
    revision = adapt(
        chronic_after_exercise(), pain_progress((8, 7), sessions=course("yoga", 12)), 8
    )
    assert "escalate" in actions(revision)


def test_acute_pain_is_never_escalated() -> None:
    revision = adapt(acute_severe(), pain_progress((8, 8)), 20)
    assert "escalate" not in actions(revision)
    assert "refer_multidisciplinary" not in actions(revision)


def test_multidisciplinary_care_already_at_line_one_is_not_referred_again() -> None:
    plan = chronic_after_exercise()
    assert "multidisciplinary_rehabilitation" in at_line(plan, 1)
    assert "refer_multidisciplinary" not in actions(adapt(plan, pain_progress((6, 6)), 12))


def test_escalation_never_proposes_opioids_even_when_the_plan_holds_them() -> None:
    drugs_tried = [
        {"treatment": "nsaids", "weeks": 4, "response": "partial"},
        {"treatment": "duloxetine", "weeks": 8, "response": "none"},
    ]
    plan = assess_and_plan(
        make_intake(pain={"nrs_now": 8}, episode=FACET, prior_treatments=AFTER_CARE + drugs_tried),
        "acp",
    )
    assert "opioids" in at_line(plan, 3)
    revision = adapt(plan, pain_progress((8, 8)), 12)
    assert "opioids" not in {t for s in revision.suggestions for t in s.treatments}
    assert one(revision, "escalate").treatments == ["nerve_block", "radiofrequency_ablation"]


# Red-flag plans


@pytest.mark.parametrize(
    ("flag", "words"),
    [("saddle_anaesthesia", "emergency care now"), ("fever_or_systemic_illness", "comfort")],
)
def test_a_red_flag_plan_is_not_adapted(flag: str, words: str) -> None:
    plan = assess_and_plan(make_intake(red_flags={flag: True}))
    revision = adapt(plan, pain_progress((8, 8)), 20)
    assert actions(revision) == ["await_referral"]
    assert words in revision.suggestions[0].why and revision.suggestions[0].treatments == []


def test_an_urgent_plan_still_stops_a_comfort_measure_that_harmed() -> None:
    plan = assess_and_plan(make_intake(red_flags={"fever_or_systemic_illness": True}))
    revision = adapt(plan, pain_progress(events=[harm("superficial_heat")]), 1)
    assert actions(revision) == ["stop_item", "await_referral"]


# Contract


def test_adapt_is_deterministic() -> None:
    p = pain_progress((8, 8), sessions=course("yoga", 12), events=[harm("massage")])
    assert adapt(chronic_after_exercise(), p, 14) == adapt(chronic_after_exercise(), p, 14)


@pytest.mark.parametrize("weeks", [-1, float("nan"), float("inf"), "6", True])
def test_weeks_since_start_must_be_a_number_of_weeks(weeks: Any) -> None:
    with pytest.raises(InvalidInput) as caught:
        adapt(chronic(), pain_progress(), weeks)
    assert caught.value.field == "weeks_since_start"


def test_every_revision_carries_the_disclaimer_and_a_summary() -> None:
    revision = adapt(chronic(), pain_progress((6, 6)), 6)
    assert "does not replace" in revision.disclaimer
    assert revision.summary.startswith("Pain (NRS 0-10) went from 6 to 6")


# Safety properties over generated intakes and follow-up data

KB = load_knowledge()


@st.composite
def reviews(draw: st.DrawFn) -> tuple[Plan, Progress, float, PlanRevision]:
    plan = assess_and_plan(draw(intakes()), draw(st.sampled_from(PROFILES)))
    p, weeks = draw(follow_ups(plan))
    return plan, p, weeks, adapt(plan, p, weeks)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(reviews())
def test_adapt_never_suggests_a_treatment_the_plan_does_not_recommend(review: Any) -> None:
    plan, _, _, revision = review
    recommended = {r.treatment for r in plan.recommended}
    for s in revision.suggestions:
        assert set(s.treatments) <= recommended, s
        assert s.sources and set(s.sources) <= set(KB.sources), s


@PROPERTY
@given(reviews())
def test_adapt_never_suggests_an_interventional_item_outside_line_three(review: Any) -> None:
    plan, _, _, revision = review
    lines = {r.treatment: r.line for r in plan.recommended}
    for s in revision.suggestions:
        for t in s.treatments:
            if KB.treatment(t).category == "interventional":
                assert lines[t] == 3 and s.action in ("escalate", "stop_item"), s


@PROPERTY
@given(reviews())
def test_adapt_never_suggests_opioids_except_to_stop_them(review: Any) -> None:
    *_, revision = review
    for s in revision.suggestions:
        assert s.action == "stop_item" or "opioids" not in s.treatments, s


@PROPERTY
@given(reviews())
def test_every_harmful_plan_item_is_stopped_before_anything_else(review: Any) -> None:
    plan, p, _, revision = review
    named = {e.treatment for e in p.adverse_events}
    harmed = [r.treatment for r in plan.recommended if r.treatment in named]
    stops = [s.treatments for s in revision.suggestions[: len(harmed)]]
    assert stops == [[t] for t in harmed]
    assert actions(revision).count("stop_item") == len(harmed)


@PROPERTY
@given(reviews())
def test_adapt_is_deterministic_for_any_review(review: Any) -> None:
    plan, p, weeks, revision = review
    assert adapt(plan, p, weeks) == revision
