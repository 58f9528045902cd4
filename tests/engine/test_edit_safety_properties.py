"""No sequence of clinician edits can produce a plan that breaks a DESIGN.md safety rule.

Plans come from generated intakes; edits (accept, drop, add back at any line, add or swap a
home exercise) are generated too and applied one after another through the same domain
functions the pages and the API call. Refused edits change nothing; every plan that an edit
produces is checked against the rules, restated here from the contract and the data, and
reads back through the one stored-plan reader unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from backpath import contract
from backpath.engine import PROFILES, assess, make_plan, parse_intake, program_edits
from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import DROP_REASONS, EditRefused, Facts
from backpath.engine.stored_plan import StoredPlan, read_stored_plan
from backpath.exercises import load_exercises
from backpath.knowledge import load_knowledge
from tests.engine.safety_oracle import (
    INTERVENTIONAL,
    derived_conditions,
    procedure_indicated,
)
from tests.strategies import intakes

ACTIONS = ("accept", "drop", "add", "add", "add_exercise", "swap_exercise")
Step = tuple[str, str, int, str, str]


def steps() -> st.SearchStrategy[list[Step]]:
    return st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(contract.treatment_ids()),
            st.sampled_from([1, 2, 3]),
            st.sampled_from(DROP_REASONS),
            st.sampled_from(list(load_exercises())),
        ),
        max_size=10,
    )


def apply(plan: StoredPlan, step: Step, facts: Facts) -> StoredPlan:
    action, treatment, line, why, exercise = step
    if action == "accept":
        return editing.accept(plan, treatment, "Agreed with the patient.").plan
    if action == "drop":
        return editing.drop(plan, treatment, why, "Discussed with the patient.").plan
    if action == "add":
        return editing.add(plan, treatment, line, "Clinician's choice.", facts).plan
    program = plan.home_program
    if program is None:
        raise EditRefused("no home program")
    if action == "add_exercise":
        edit = program_edits.add(program, exercise, facts, plan.phase, "Clinician's choice.")
    else:
        old = program.exercises[0].exercise
        edit = program_edits.swap(program, old, exercise, facts, plan.phase, "Clinician's choice.")
    return plan.with_program(edit.program)


def check_plan_is_safe(plan: dict[str, Any], data: dict[str, Any]) -> None:
    kb = load_knowledge()
    conditions = derived_conditions(data)
    avoid = set(data.get("preferences", {}).get("avoid", []))
    adverse = {
        p["treatment"] for p in data.get("prior_treatments", []) if p["response"] == "adverse"
    }
    disposition = plan["triage"]["disposition"]
    rec = {r["treatment"]: r for r in plan["recommended"]}
    if disposition == "emergency":  # rule 1
        assert rec == {} and plan["not_recommended"] == []
        return
    ids = [*rec, *(n["treatment"] for n in plan["not_recommended"])]
    assert sorted(ids) == sorted(contract.treatment_ids())  # each item exactly once
    for t, r in rec.items():
        card = kb.treatment(t)
        if disposition == "urgent_referral":  # rule 1: comfort measures only
            assert card.comfort_measure, t
        for c in card.contraindications:  # rule 2
            if c.condition in conditions and set(c.also) <= conditions:
                assert c.severity == "relative", (t, c.condition)
                label = kb.conditions[c.condition].label
                assert any(p.startswith(label) for p in r["precautions"]), (t, c.condition)
        if t in INTERVENTIONAL:  # rule 3
            assert r["line"] == 3 and procedure_indicated(t, data, plan["phase"]), t
        assert card.category.value != "investigational"  # rule 4
        if t == "opioids":  # rule 5
            assert r["line"] >= 2 and plan["phase"] != "acute"
        assert not avoid & {p.value for p in card.preference_tags}, t  # rule 6
        assert t not in adverse or card.exercise_based, t
    exercises = load_exercises()
    for item in (plan.get("home_program") or {}).get("exercises", []):
        ex = exercises[item["exercise"]]
        assert not ex.avoided_tags & conditions, item["exercise"]
        assert plan["phase"] in ex.phases, item["exercise"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes(), profile=st.sampled_from(PROFILES), edits=steps())
def test_no_sequence_of_clinician_edits_breaks_a_safety_rule(
    data: dict[str, Any], profile: str, edits: list[Step]
) -> None:
    a = assess(parse_intake(data))
    made = make_plan(a, profile).to_json_dict()  # type: ignore[arg-type]
    facts = Facts.of(a)
    check_plan_is_safe(made, data)
    plan = read_stored_plan(made)
    assert plan.to_json_dict() == made
    for step in edits:
        try:
            plan = apply(plan, step, facts)
        except EditRefused:
            event(f"{step[0]} refused")
            continue
        event(f"{step[0]} applied")
        stored = plan.to_json_dict()  # what the one writer stores
        check_plan_is_safe(stored, data)
        assert plan.checked().to_json_dict() == stored  # and it reads back unchanged


def test_an_avoided_kind_of_care_cannot_be_added_back_by_an_edit() -> None:
    from tests.conftest import make_intake

    a = assess(parse_intake(make_intake(preferences={"avoid": ["needles"]})))
    plan = read_stored_plan(make_plan(a).to_json_dict())
    with pytest.raises(EditRefused, match="needles"):
        editing.add(plan, "acupuncture", 2, "Patient asked.", Facts.of(a))


def test_a_procedure_cannot_be_added_where_its_indication_does_not_hold() -> None:
    from tests.conftest import make_intake

    a = assess(parse_intake(make_intake(pain={"nrs_now": 7})))
    plan = read_stored_plan(make_plan(a).to_json_dict())
    with pytest.raises(EditRefused, match="indication"):
        editing.add(plan, "radiofrequency_ablation", 3, "Specialist view.", Facts.of(a))


def test_a_combination_contraindication_blocks_an_edit_too() -> None:
    from tests.conftest import make_intake

    data = make_intake(
        patient={"age": 72}, episode={"duration_weeks": 2}, conditions=["high_fall_risk"]
    )
    a = assess(parse_intake(data))
    plan = read_stored_plan(make_plan(a).to_json_dict())
    assert any(n.treatment == "muscle_relaxants" for n in plan.not_recommended)
    with pytest.raises(EditRefused, match=r"(?i)fall"):
        editing.add(plan, "muscle_relaxants", 2, "Short course.", Facts.of(a))
