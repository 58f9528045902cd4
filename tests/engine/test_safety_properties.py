"""DESIGN.md's clinical safety rules, checked as properties over generated intakes.

Each rule is restated here independently of the engine (from the contract and the knowledge
data), so a bug in the engine cannot also hide in the check.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath import DISCLAIMER, contract
from backpath.engine import PROFILES, assess, assess_and_plan, parse_intake
from backpath.knowledge import load_knowledge
from tests.engine.safety_oracle import (
    CES_FLAGS,
    EXERCISE,
    INTAKE_SCHEMA,
    INTERVENTIONAL,
    PLAN_SCHEMA,
    PSYCHOLOGICAL,
    WEAK_ALONE,
    WEAK_CONCERN,
    check_triage,
    derived_conditions,
    expected_disposition,
    no_pain_or_disability,
    procedure_indicated,
    tried,
    weak_flag_alone,
)
from tests.strategies import intakes


def check_all_rules(data: dict[str, Any], profile: str) -> None:
    kb = load_knowledge()
    INTAKE_SCHEMA.validate(data)  # the generator stays inside the contract
    plan = assess_and_plan(data, profile).to_json_dict()  # type: ignore[arg-type]
    PLAN_SCHEMA.validate(plan)  # every plan honours the contract
    rec = {r["treatment"]: r for r in plan["recommended"]}
    out = {n["treatment"]: n for n in plan["not_recommended"]}
    disposition = plan["triage"]["disposition"]
    conditions = derived_conditions(data)
    avoid = set(data.get("preferences", {}).get("avoid", []))
    adverse = {
        p["treatment"] for p in data.get("prior_treatments", []) if p["response"] == "adverse"
    }

    # Rule 7: the disclaimer, always.
    assert plan["disclaimer"] == DISCLAIMER and "does not replace" in plan["disclaimer"]
    # Rules 1 and 9: red flags first, from everything the intake says.
    check_triage(data, plan)
    if disposition == "emergency":
        assert rec == {} and out == {}
        assert "review_in_weeks" not in plan
        return
    # Complete accounting outside an emergency: every id exactly once.
    ids = [r["treatment"] for r in plan["recommended"]] + [
        n["treatment"] for n in plan["not_recommended"]
    ]
    assert sorted(ids) == sorted(contract.treatment_ids())
    if disposition == "urgent_referral":
        assert all(kb.treatment(t).comfort_measure for t in rec)
        for t, n in out.items():
            if not kb.treatment(t).comfort_measure:
                assert n["reason"] == "red_flag"
    for t, r in rec.items():
        card = kb.treatment(t)
        assert r["sources"] and set(r["sources"]) <= set(kb.sources)
        # Rule 2: absolute contraindications never; relative ones only with the precaution.
        for c in card.contraindications:
            if c.condition in conditions and set(c.also) <= conditions:
                assert c.severity == "relative", (t, c.condition)
                label = kb.conditions[c.condition].label
                assert any(p.startswith(label) for p in r["precautions"]), (t, c.condition)
        # Rule 3: procedures only at line 3, only where indicated (NICE NG59, TA159).
        if t in INTERVENTIONAL:
            assert r["line"] == 3 and procedure_indicated(t, data, plan["phase"]), t
        # Rule 5: opioids never first line, never for acute pain.
        if t == "opioids":
            assert r["line"] >= 2 and plan["phase"] != "acute"
        # Rule 6: the person's exclusions are honoured.
        assert not avoid & {p.value for p in card.preference_tags}, t
        # Harm before: never again; exercise that flared comes back graded, saying so.
        if t in adverse:
            assert card.exercise_based and any("flare" in p for p in r["precautions"]), t
        # No medicine, device, procedure or intensive programme without pain or disability.
        if no_pain_or_disability(data):
            assert card.category.value in ("self_care", "active_therapy"), t
        # A drug at line 1 outside urgent comfort care carries no relative contraindication.
        if (
            card.category.value == "medication"
            and r["line"] == 1
            and disposition != ("urgent_referral")
        ):
            assert not [c for c in card.contraindications
                        if c.severity == "relative" and c.condition in conditions], t  # fmt: skip
    # Drug safety (NICE NG59, NG215, AGS Beers 2023).
    if "bleeding_disorder" in conditions:
        assert "nsaids" not in rec
    if "long_term_opioid_use" in conditions:
        assert "opioids" not in rec
    if "long_term_gabapentinoid_use" in conditions:
        assert "neuropathic_pain_agents" not in rec
    if "older_adult" in conditions and conditions & {
        "high_fall_risk", "sedative_use", "anticoagulant_therapy"
    }:  # fmt: skip
        assert "muscle_relaxants" not in rec
    if profile == "acp" and "opioids" in rec:
        assert tried(data, {"nsaids"}) and tried(data, {"duloxetine", "opioids"})
    # Region: no lumbar support for mid or upper back pain.
    if "thoracic_pain" in conditions:
        assert "lumbar_support" not in rec
    # Burden: one psychological programme at a time at line 1.
    assert len([t for t in rec if t in PSYCHOLOGICAL and rec[t]["line"] == 1]) <= 1
    # Honesty: a budget exclusion says budget, never the person's preference.
    for n in out.values():
        if "budget" in n["why"] and n["why"].startswith("Left out to keep within a"):
            assert n["reason"] == "budget" and "similar evidence" not in n["why"]
    # Rule 4: investigational therapies are never recommended.
    assert "regenerative_cell_therapy" not in rec
    # Rule 6: and the plan says what they left out.
    for t, n in out.items():
        if avoid & {p.value for p in kb.treatment(t).preference_tags}:
            assert n["reason"] == "preference" or "left out by preference" in n["why"], (t, n)
    # Sessions: no schedule exceeds the weekly limit; line 1 together stays within it.
    limit = data.get("preferences", {}).get("max_sessions_per_week")
    if limit is not None:
        weekly = [r["schedule"].get("per_week", 0) for r in plan["recommended"]]
        assert all(w <= limit for w in weekly)
        assert (
            sum(r["schedule"].get("per_week", 0) for r in plan["recommended"] if r["line"] == 1)
            <= limit
        )
    if disposition in ("proceed", "referral_with_plan"):
        # Education and staying active, always at line 1 (unless harmed by them before).
        for t in ("education_self_care", "stay_active"):
            assert t in adverse or rec[t]["line"] == 1
        # Subacute and chronic: an exercise-based element at line 1.
        if plan["phase"] != "acute" and "general_exercise" not in adverse:
            assert any(rec[t]["line"] == 1 for t in EXERCISE if t in rec)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes(), profile=st.sampled_from(PROFILES))
def test_every_safety_rule_holds_for_every_generated_intake(
    data: dict[str, Any], profile: str
) -> None:
    check_all_rules(data, profile)


@settings(max_examples=300, deadline=None)
@given(data=intakes(), flag=st.sampled_from(sorted(CES_FLAGS)))
def test_any_cauda_equina_feature_gives_an_emergency_with_an_empty_plan(
    data: dict[str, Any], flag: str
) -> None:
    data["red_flags"] = {**data.get("red_flags", {}), flag: True}
    plan = assess_and_plan(data).to_json_dict()
    assert plan["triage"]["disposition"] == "emergency"
    assert plan["recommended"] == [] and plan["not_recommended"] == []


@settings(max_examples=300, deadline=None)
@given(
    data=intakes(),
    flag=st.sampled_from(
        [
            "progressive_neurological_deficit",
            "history_of_cancer",
            "unexplained_weight_loss",
            "fever_or_systemic_illness",
            "iv_drug_use",
            "immunosuppressed",
            "major_trauma",
            "minor_trauma_with_osteoporosis",
            "long_term_corticosteroids",
            "constant_night_pain",
        ]
    ),
)
def test_a_serious_pathology_flag_allows_comfort_measures_only(
    data: dict[str, Any], flag: str
) -> None:
    data["red_flags"] = {f: False for f in contract.red_flag_ids()} | {flag: True}
    if weak_flag_alone(data) or expected_disposition(data) == "emergency":
        return  # a weak flag on its own is a concern; cancer with leg signs an emergency
    plan = assess_and_plan(data).to_json_dict()
    assert plan["triage"]["disposition"] == "urgent_referral"
    kb = load_knowledge()
    adverse = {p["treatment"] for p in data["prior_treatments"] if p["response"] == "adverse"}
    if "education_self_care" not in adverse:
        assert any(r["treatment"] == "education_self_care" for r in plan["recommended"])
    assert all(kb.treatment(r["treatment"]).comfort_measure for r in plan["recommended"])


@settings(max_examples=300, deadline=None)
@given(data=intakes(), flag=st.sampled_from(sorted(WEAK_ALONE)))
def test_a_weak_flag_on_its_own_in_its_phases_is_a_concern_and_a_full_plan(
    data: dict[str, Any], flag: str
) -> None:
    data["red_flags"] = {f: False for f in contract.red_flag_ids()} | {flag: True}
    data["conditions"] = [c for c in data["conditions"] if c != "active_cancer"]
    plan = assess_and_plan(data).to_json_dict()
    if weak_flag_alone(data):
        assert plan["triage"]["disposition"] == "proceed"
        assert WEAK_CONCERN[flag] in {c["id"] for c in plan["triage"]["concerns"]}
        assert plan["review_in_weeks"] <= 2
    else:
        assert plan["triage"]["disposition"] == "urgent_referral"


@settings(max_examples=300, deadline=None)
@given(data=intakes())
def test_the_derived_conditions_keep_what_a_contradiction_resolves_towards(
    data: dict[str, Any],
) -> None:
    assert assess(parse_intake(data)).conditions >= derived_conditions(data)
