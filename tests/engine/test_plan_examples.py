"""Worked clinical examples: each builds one person in code and checks one decision."""

from __future__ import annotations

from tests.conftest import make_intake
from tests.engine.builders import item, plan_of


def test_anticoagulants_rule_out_nsaids_as_an_interaction() -> None:
    nsaids = item(plan_of(make_intake(conditions=["anticoagulant_therapy"])), "nsaids")
    assert nsaids["reason"] == "interaction"
    assert "anticoagulant" in nsaids["why"].lower()


def test_pregnancy_from_the_patient_record_rules_out_nsaids() -> None:
    plan = plan_of(make_intake(patient={"age": 30, "sex": "female", "pregnant": True}))
    assert item(plan, "nsaids")["reason"] == "contraindicated"


def test_cauda_equina_gives_an_emergency_and_no_plan() -> None:
    plan = plan_of(make_intake(red_flags={"saddle_anaesthesia": True}))
    assert plan["triage"]["disposition"] == "emergency"
    assert "saddle_anaesthesia" in plan["triage"]["reasons"]
    assert plan["recommended"] == [] and plan["not_recommended"] == []
    assert "emergency" in plan["notes"][0].lower()


def test_cancer_with_a_progressive_deficit_is_an_emergency() -> None:
    plan = plan_of(
        make_intake(red_flags={"history_of_cancer": True, "progressive_neurological_deficit": True})
    )
    assert plan["triage"]["disposition"] == "emergency"


def test_suspected_fracture_is_an_urgent_referral_with_comfort_measures_only() -> None:
    plan = plan_of(make_intake(red_flags={"major_trauma": True}))
    assert plan["triage"]["disposition"] == "urgent_referral"
    assert {r["treatment"] for r in plan["recommended"]} == {
        "education_self_care",
        "stay_active",
        "superficial_heat",
        "nsaids",
    }  # humane comfort care while waiting: advice, moving as comfort allows, heat, analgesia
    assert all(r["line"] == 1 for r in plan["recommended"])
    assert item(plan, "spinal_manipulation")["reason"] == "red_flag"
    assert item(plan, "bed_rest")["reason"] == "red_flag"
    assert plan["review_in_weeks"] == 1


def test_inflammatory_features_give_a_referral_alongside_the_plan() -> None:
    plan = plan_of(make_intake(red_flags={"inflammatory_features": True}))
    assert plan["triage"]["disposition"] == "referral_with_plan"
    assert item(plan, "general_exercise")["line"] == 1


def test_unasked_red_flags_are_named_in_the_triage() -> None:
    data = make_intake()
    del data["red_flags"]
    plan = plan_of(data)
    assert plan["triage"]["disposition"] == "proceed"
    assert any("not screened" in r for r in plan["triage"]["reasons"])


def test_acute_pain_starts_with_advice_activity_and_heat_not_exercise_classes() -> None:
    plan = plan_of(make_intake(episode={"duration_weeks": 1}))
    line1 = {r["treatment"] for r in plan["recommended"] if r["line"] == 1}
    assert {"education_self_care", "stay_active", "superficial_heat"} <= line1
    assert item(plan, "yoga")["reason"] == "not_indicated_now"
    assert item(plan, "bed_rest")["reason"] == "evidence_against"
    assert item(plan, "acetaminophen")["reason"] == "evidence_against"
    assert plan["review_in_weeks"] == 2


def test_severe_acute_pain_brings_nsaids_to_line_one() -> None:
    mild = plan_of(make_intake(episode={"duration_weeks": 1}, pain={"nrs_now": 4}))
    severe = plan_of(make_intake(episode={"duration_weeks": 1}, pain={"nrs_now": 8}))
    assert item(mild, "nsaids")["line"] == 2
    assert item(severe, "nsaids")["line"] == 1


def test_opioids_are_not_recommended_for_acute_pain_even_under_the_acp_profile() -> None:
    plan = plan_of(make_intake(episode={"duration_weeks": 1}, pain={"nrs_now": 9}), "acp")
    assert "reason" in item(plan, "opioids")


def test_chronic_pain_puts_exercise_at_line_one() -> None:
    plan = plan_of(make_intake())
    assert item(plan, "general_exercise")["line"] == 1
    assert item(plan, "physical_therapy")["line"] == 1


def test_high_risk_brings_psychological_therapy_to_line_one() -> None:
    high = make_intake(questionnaires={"startback": [1, 1, 1, 1, 1, 1, 1, 1, 4]})
    low = make_intake(questionnaires={"startback": [0, 0, 0, 0, 0, 0, 0, 0, 0]})
    assert plan_of(high)["risk"]["startback"] == "high"
    assert item(plan_of(high), "cbt")["line"] == 1
    assert item(plan_of(low), "cbt")["line"] == 2


def test_cbt_for_acute_pain_only_at_high_risk() -> None:
    acute_low = make_intake(
        episode={"duration_weeks": 2}, questionnaires={"startback": [0, 0, 0, 0, 0, 0, 0, 0, 0]}
    )
    acute_high = make_intake(
        episode={"duration_weeks": 2}, questionnaires={"startback": [1, 1, 1, 1, 1, 1, 1, 1, 4]}
    )
    assert item(plan_of(acute_low), "cbt")["reason"] == "not_indicated_now"
    assert item(plan_of(acute_high), "cbt")["line"] == 1


def test_acupuncture_names_the_guideline_disagreement() -> None:
    acu = item(plan_of(make_intake()), "acupuncture")
    assert acu["line"] == 2
    assert "NICE NG59" in acu["why"] and "ACP 2017" in acu["why"]


def test_the_nice_profile_leaves_acupuncture_out_and_acp_keeps_it() -> None:
    assert item(plan_of(make_intake(), "nice"), "acupuncture")["reason"] == "evidence_against"
    assert "line" in item(plan_of(make_intake(), "acp"), "acupuncture")


def test_needle_avoidance_is_honoured_and_said() -> None:
    acu = item(plan_of(make_intake(preferences={"avoid": ["needles"]})), "acupuncture")
    assert acu["reason"] == "preference"
    assert "needles" in acu["why"]


def test_investigational_cell_therapy_is_research_information_only() -> None:
    assert item(plan_of(make_intake()), "regenerative_cell_therapy")["reason"] == "investigational"


def test_chronic_procedures_wait_for_adequate_conservative_care() -> None:
    sciatica = {"duration_weeks": 30, "leg_pain": "below_knee", "suspected_cause": "herniated_disc"}
    before = plan_of(make_intake(episode=sciatica, pain={"nrs_now": 7}))
    after = plan_of(
        make_intake(
            episode=sciatica,
            pain={"nrs_now": 7},
            prior_treatments=[{"treatment": "physical_therapy", "weeks": 8, "response": "partial"}],
        )
    )
    assert item(before, "spinal_cord_stimulation")["reason"] == "not_indicated_now"
    assert item(after, "spinal_cord_stimulation")["line"] == 3
    assert item(after, "facet_joint_injection")["reason"] == "evidence_against"
    # NICE: epidurals are for acute and severe sciatica, not long-standing sciatica.
    assert item(after, "epidural_steroid_injection")["reason"] == "not_indicated_now"


def test_a_low_budget_keeps_the_cheapest_of_equivalent_classes() -> None:
    plan = plan_of(make_intake(preferences={"budget": "low"}))
    assert "line" in item(plan, "tai_chi")
    pilates = item(plan, "pilates")
    assert pilates["reason"] == "budget" and "low budget" in pilates["why"]
    assert "preference" not in pilates["why"] and "similar evidence" not in pilates["why"]


def test_the_weekly_session_limit_is_respected() -> None:
    plan = plan_of(make_intake(preferences={"max_sessions_per_week": 1}))
    line1 = [r for r in plan["recommended"] if r["line"] == 1]
    assert sum(r["schedule"].get("per_week", 0) for r in line1) <= 1
    assert all(r["schedule"].get("per_week", 0) <= 1 for r in plan["recommended"])


def test_no_clinic_sessions_leaves_session_treatments_out_as_a_preference() -> None:
    plan = plan_of(make_intake(preferences={"max_sessions_per_week": 0}))
    assert item(plan, "physical_therapy")["reason"] == "preference"
    assert item(plan, "general_exercise")["line"] == 1


def test_an_earlier_adverse_reaction_excludes_the_treatment() -> None:
    plan = plan_of(
        make_intake(
            prior_treatments=[
                {"treatment": "spinal_manipulation", "weeks": 2, "response": "adverse"}
            ]
        )
    )
    assert item(plan, "spinal_manipulation")["reason"] == "contraindicated"


def test_relative_contraindications_come_with_the_precaution() -> None:
    plan = plan_of(make_intake(conditions=["anticoagulant_therapy"]))
    acu = item(plan, "acupuncture")
    assert acu["line"] == 2
    assert any(p.startswith("Takes an anticoagulant") for p in acu["precautions"])


def test_an_older_adult_gets_nsaid_precautions() -> None:
    nsaids = item(plan_of(make_intake(patient={"age": 78})), "nsaids")
    assert any(p.startswith("Aged 65 or over") for p in nsaids["precautions"])
