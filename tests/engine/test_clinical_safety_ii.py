"""Clinical safety II (issue 9, parts 2 to 5): one worked case per rule, built in code.

The same rules are restated for every generated intake in ``test_safety_properties``.
"""

from __future__ import annotations

from typing import Any

import pytest

from backpath.knowledge import load_knowledge
from tests.conftest import make_intake
from tests.engine.builders import item, plan_of

SEVERE_SCIATICA = {
    "duration_weeks": 2,
    "leg_pain": "below_knee",
    "suspected_cause": "herniated_disc",
}
EXERCISE_FAILED = {"treatment": "physical_therapy", "weeks": 8, "response": "none"}
CBT_FAILED = {"treatment": "cbt", "weeks": 8, "response": "none"}
NO_PAIN = {"nrs_now": 0, "nrs_week_average": 0}


def recommended(plan: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["treatment"]: r for r in plan["recommended"]}


# 2. Guideline profiles honour their own preconditions


def test_acp_opioids_wait_until_nsaids_and_then_duloxetine_have_failed() -> None:
    chronic_severe = make_intake(pain={"nrs_now": 8})
    before = item(plan_of(chronic_severe, "acp"), "opioids")
    assert before["reason"] == "not_indicated_now" and "NSAID" in before["why"]
    tried = make_intake(
        pain={"nrs_now": 8},
        prior_treatments=[
            {"treatment": "nsaids", "weeks": 4, "response": "partial"},
            {"treatment": "duloxetine", "weeks": 8, "response": "adverse"},
        ],
    )
    after = item(plan_of(tried, "acp"), "opioids")
    assert after["line"] >= 2


def test_acp_duloxetine_is_second_line_after_an_nsaid() -> None:
    assert item(plan_of(make_intake(), "acp"), "duloxetine")["reason"] == "not_indicated_now"
    tried = make_intake(prior_treatments=[{"treatment": "nsaids", "weeks": 2, "response": "none"}])
    assert "line" in item(plan_of(tried, "acp"), "duloxetine")


@pytest.mark.parametrize("profile", ["consensus", "acp", "nice", "who"])
def test_without_pain_or_disability_a_plan_is_advice_and_activity_only(profile: str) -> None:
    plan = plan_of(make_intake(pain=NO_PAIN, questionnaires={"rmdq": [0] * 24}), profile)
    kinds = {r["category"] for r in plan["recommended"]}
    assert kinds <= {"self_care", "active_therapy"} and "self_care" in kinds
    assert item(plan, "nsaids")["reason"] == "not_indicated_now"
    assert item(plan, "multidisciplinary_rehabilitation")["reason"] == "not_indicated_now"


def test_some_disability_without_pain_today_still_gets_a_full_plan() -> None:
    disabled = make_intake(pain=NO_PAIN, questionnaires={"rmdq": [1] * 10 + [0] * 14})
    plan = plan_of(disabled)
    assert "physical_therapy" in recommended(plan)
    assert "multidisciplinary_rehabilitation" in recommended(plan)


def test_long_term_opioids_get_the_review_and_taper_conversation_not_a_new_prescription() -> None:
    data = make_intake(pain={"nrs_now": 8}, conditions=["long_term_opioid_use"])
    plan = plan_of(data, "acp")
    assert item(plan, "opioids")["reason"] == "contraindicated"
    assert any("NG215" in n and "reduction" in n for n in plan["notes"])
    gaba = plan_of(make_intake(conditions=["long_term_gabapentinoid_use"]))
    assert item(gaba, "neuropathic_pain_agents")["reason"] == "contraindicated"
    assert any("pregabalin" in n for n in gaba["notes"])


# 3. Procedures only where indicated, with their precautions


def test_an_epidural_is_a_referral_option_for_acute_severe_sciatica() -> None:
    plan = plan_of(make_intake(episode=SEVERE_SCIATICA, pain={"nrs_now": 8}))
    esi = item(plan, "epidural_steroid_injection")
    assert esi["line"] == 3 and "nice_ng59" in esi["sources"]
    assert "stenosis" in esi["why"] and "after an adequate trial" not in esi["why"]


@pytest.mark.parametrize(
    ("episode", "nrs", "unmet"),
    [
        ({**SEVERE_SCIATICA, "suspected_cause": "spinal_stenosis"}, 8, "spinal stenosis"),
        ({**SEVERE_SCIATICA, "leg_pain": "none"}, 8, "leg pain is none"),
        (SEVERE_SCIATICA, 5, "below 7/10"),
        ({**SEVERE_SCIATICA, "duration_weeks": 30}, 8, ""),
    ],
)
def test_no_epidural_for_stenosis_back_pain_alone_milder_or_long_standing_sciatica(
    episode: dict[str, Any], nrs: int, unmet: str
) -> None:
    esi = item(
        plan_of(make_intake(episode=episode, pain={"nrs_now": nrs})), "epidural_steroid_injection"
    )
    assert esi["reason"] == "not_indicated_now" and unmet in esi["why"]


def test_spinal_cord_stimulation_needs_six_months_of_radicular_pain_and_a_trial() -> None:
    sciatica = {"leg_pain": "below_knee", "suspected_cause": "herniated_disc"}
    early = make_intake(
        episode={**sciatica, "duration_weeks": 20}, pain={"nrs_now": 7},
        prior_treatments=[EXERCISE_FAILED],
    )  # fmt: skip
    assert "26 weeks" in item(plan_of(early), "spinal_cord_stimulation")["why"]
    late = make_intake(
        episode={**sciatica, "duration_weeks": 30}, pain={"nrs_now": 7},
        prior_treatments=[EXERCISE_FAILED],
    )  # fmt: skip
    scs = item(plan_of(late), "spinal_cord_stimulation")
    assert scs["line"] == 3 and "successful trial" in scs["why"]


def test_facet_procedures_need_a_facet_presumption_and_failed_exercise_and_psychological_care() -> (
    None
):
    facet = {"suspected_cause": "facet_joint"}
    only_exercise = make_intake(
        episode=facet, pain={"nrs_now": 7}, prior_treatments=[EXERCISE_FAILED]
    )
    assert "psychological" in item(plan_of(only_exercise), "radiofrequency_ablation")["why"]
    not_facet = make_intake(pain={"nrs_now": 7}, prior_treatments=[EXERCISE_FAILED, CBT_FAILED])
    assert item(plan_of(not_facet), "nerve_block")["reason"] == "not_indicated_now"
    both = make_intake(
        episode=facet, pain={"nrs_now": 7}, prior_treatments=[EXERCISE_FAILED, CBT_FAILED]
    )
    assert item(plan_of(both), "radiofrequency_ablation")["line"] == 3
    assert item(plan_of(both), "nerve_block")["line"] == 3


@pytest.mark.parametrize(
    "tag", ["anticoagulant_therapy", "antiplatelet_therapy", "bleeding_disorder"]
)
def test_every_injection_block_ablation_and_stimulator_carries_the_asra_bleeding_rule(
    tag: str,
) -> None:
    for t in load_knowledge().treatments.values():
        if t.category.value == "interventional":
            rules = [c for c in t.contraindications if c.condition == tag and not c.also]
            assert rules and "narouze2018_asra" in rules[0].sources, (t.id, tag)


def test_an_antiplatelet_drug_is_stated_as_a_precaution_on_a_procedure() -> None:
    data = make_intake(
        episode={"suspected_cause": "facet_joint"}, pain={"nrs_now": 7},
        prior_treatments=[EXERCISE_FAILED, CBT_FAILED], conditions=["antiplatelet_therapy"],
    )  # fmt: skip
    rfa = item(plan_of(data), "radiofrequency_ablation")
    assert any(p.startswith("Takes an antiplatelet drug") for p in rfa["precautions"])
    assert "narouze2018_asra" in rfa["sources"]


@pytest.mark.parametrize("cause", ["spondylolisthesis"])
def test_a_slipped_vertebra_is_a_precaution_for_manipulation_and_end_range_extension(
    cause: str,
) -> None:
    plan = plan_of(make_intake(episode={"suspected_cause": cause}))
    smt = item(plan, "spinal_manipulation")
    assert any(p.startswith("Spondylolisthesis") and "No thrust" in p for p in smt["precautions"])
    program = {e["exercise"] for e in plan.get("home_program", {}).get("exercises", [])}
    assert not program & {"prone_press_up", "standing_back_bend"}


def test_inflammatory_features_are_a_precaution_for_manipulation() -> None:
    plan = plan_of(make_intake(red_flags={"inflammatory_features": True}))
    smt = item(plan, "spinal_manipulation")
    assert any("rheumatology" in p for p in smt["precautions"])


# 4. Drug safety


def test_a_bleeding_disorder_rules_out_nsaids_and_is_a_precaution_for_needling() -> None:
    plan = plan_of(make_intake(conditions=["bleeding_disorder"]))
    assert item(plan, "nsaids")["reason"] == "contraindicated"
    acupuncture = item(plan, "acupuncture")
    assert any(p.startswith("Bleeding disorder") for p in acupuncture["precautions"])


@pytest.mark.parametrize(
    ("conditions", "age"),
    [(["liver_disease"], 40), (["antiplatelet_therapy", "serotonergic_medication"], 40),
     (["cardiovascular_disease"], 40), ([], 70)],
)  # fmt: skip
def test_severe_pain_never_lifts_nsaids_to_line_1_past_a_precaution(
    conditions: list[str], age: int
) -> None:
    acute_severe = make_intake(
        patient={"age": age}, episode={"duration_weeks": 2}, pain={"nrs_now": 8},
        conditions=conditions,
    )  # fmt: skip
    nsaids = item(plan_of(acute_severe), "nsaids")
    assert nsaids["line"] == 2 and "precaution applies" in nsaids["why"]
    assert nsaids["precautions"]


def test_severe_pain_lifts_nsaids_to_line_1_when_nothing_argues_against() -> None:
    acute_severe = make_intake(episode={"duration_weeks": 2}, pain={"nrs_now": 8})
    assert item(plan_of(acute_severe), "nsaids")["line"] == 1


def test_nsaid_precautions_name_stomach_protection_where_it_matters() -> None:
    plan = plan_of(make_intake(conditions=["antiplatelet_therapy", "serotonergic_medication"]))
    assert all("stomach" in p for p in item(plan, "nsaids")["precautions"])


@pytest.mark.parametrize("other", ["high_fall_risk", "sedative_use", "anticoagulant_therapy"])
def test_muscle_relaxants_are_excluded_from_65_with_falls_sedatives_or_anticoagulation(
    other: str,
) -> None:
    acute = {"duration_weeks": 2}
    older = item(
        plan_of(make_intake(patient={"age": 70}, episode=acute, conditions=[other])),
        "muscle_relaxants",
    )
    assert older["reason"] in ("contraindicated", "interaction")
    assert "Aged 65 or over with" in older["why"] and "beers2023" in older["sources"]
    younger = item(
        plan_of(make_intake(patient={"age": 50}, episode=acute, conditions=[other])),
        "muscle_relaxants",
    )
    assert "line" in younger  # the combination, not the tag alone, rules it out


# 5. Region, burden and honesty


def test_mid_back_pain_is_said_to_be_outside_the_low_back_guidelines() -> None:
    plan = plan_of(make_intake(episode={"region": "mid_back"}))
    assert any("written for low back pain" in n for n in plan["notes"])
    assert item(plan, "lumbar_support")["reason"] == "contraindicated"
    acupuncture = item(plan, "acupuncture")
    assert any("lung" in p for p in acupuncture["precautions"])
    low = plan_of(make_intake())
    assert not any("written for low back pain" in n for n in low["notes"])


def test_only_one_psychological_programme_starts_at_line_1() -> None:
    high_risk = make_intake(questionnaires={"startback": [1, 1, 1, 1, 1, 1, 1, 1, 4]})
    plan = plan_of(high_risk)
    line1 = [r["treatment"] for r in plan["recommended"] if r["line"] == 1]
    assert "cbt" in line1 and "mindfulness_meditation" not in line1
    assert "one psychological programme at a time" in item(plan, "mindfulness_meditation")["why"]


def test_equivalent_line_2_options_are_listed_as_alternatives_to_the_best() -> None:
    plan = recommended(plan_of(make_intake()))
    assert plan["spinal_manipulation"].get("alternative_to") is None
    assert plan["massage"]["alternative_to"] == "spinal_manipulation"


def test_after_exercise_failed_it_is_offered_changed_and_rehabilitation_comes_forward() -> None:
    plan = plan_of(make_intake(prior_treatments=[EXERCISE_FAILED]))
    pt = item(plan, "physical_therapy")
    assert pt["line"] == 1 and any("change the approach" in p for p in pt["precautions"])
    mdt = item(plan, "multidisciplinary_rehabilitation")
    assert mdt["line"] == 1 and "Brought forward" in mdt["why"]


def test_after_exercise_flared_it_is_offered_graded_not_dropped() -> None:
    flared = {"treatment": "general_exercise", "weeks": 2, "response": "adverse"}
    plan = plan_of(make_intake(prior_treatments=[flared]))
    exercise = item(plan, "general_exercise")
    assert exercise["line"] == 1 and any("graded" in p for p in exercise["precautions"])


def test_a_budget_exclusion_says_budget_and_claims_no_similar_evidence() -> None:
    yoga = item(plan_of(make_intake(preferences={"budget": "low"})), "yoga")
    assert yoga["reason"] == "budget"
    assert "budget" in yoga["why"] and "prefer" not in yoga["why"]
    assert "similar evidence" not in yoga["why"]
