"""The home program a plan carries: examples per rule, then properties over generated intakes.

The eligibility rules are restated here from the library data and docs/home-program.md, not
imported from the engine, so a bug in the engine cannot also hide in the check.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from backpath import contract
from backpath.engine import assess, assess_and_plan, parse_intake, prescribe
from backpath.engine.home_program import _program
from backpath.engine.plan_models import RecommendedItem, Schedule
from backpath.engine.program_models import MAX_EXERCISES, HomeProgram
from backpath.engine.stored_plan import read_stored_plan
from backpath.exercises import Exercise, load_exercises
from backpath.knowledge import load_knowledge
from tests.conftest import make_intake
from tests.strategies import intakes

HOME = ("physical_therapy", "general_exercise", "yoga", "pilates", "tai_chi")
PLAN_SCHEMA = Draft202012Validator(contract.schema("plan"))
ACCESS = {"pool", "exercise_bike", "weights"}


def program_of(**changes: Any) -> HomeProgram:
    program = assess_and_plan(make_intake(**changes)).home_program
    assert program is not None
    return program


def ids(program: HomeProgram) -> list[str]:
    return [e.exercise for e in program.exercises]


def library(exercise: str) -> Exercise:
    return load_exercises()[exercise]


def only(*treatments: str, **changes: Any) -> HomeProgram | None:
    """The program when the plan recommends exactly ``treatments`` (all at line 1)."""
    kb = load_knowledge()
    items = [
        RecommendedItem(
            treatment=t,
            name=kb.treatment(t).name,
            category=kb.treatment(t).category.value,
            line=1,
            why="test",
            precautions=(),
            schedule=Schedule(routine="test"),
            sources=(),
        )
        for t in treatments
    ]
    return prescribe(assess(parse_intake(make_intake(**changes))), items)


# Examples, one per rule ------------------------------------------------------------------


def test_acute_pain_gets_walking_and_gentle_mobility_only() -> None:
    program = program_of(episode={"duration_weeks": 1})
    assert ids(program)[0] == "walking"
    assert len(program.exercises) == 3
    for exercise in ids(program)[1:]:
        assert "mobility" in library(exercise).targets
    assert not {"strength", "endurance"} & {t for e in ids(program) for t in library(e).targets}
    assert "nice_ng59" in program.sources
    assert any("staying active" in note for note in program.notes)


def test_chronic_pain_covers_control_strength_mobility_and_aerobic_exercise() -> None:
    program = program_of()
    targets = [set(library(e).targets) for e in ids(program)]
    assert 3 <= len(program.exercises) <= MAX_EXERCISES
    assert any("motor_control" in t for t in targets)
    assert any({"strength", "endurance"} & t for t in targets)
    assert any("mobility" in t for t in targets)
    assert "walking" in ids(program)
    assert {"george2021_jospt_cpg", "owen2020", "steffens2016"} <= set(program.sources)


def test_every_exercise_starts_at_the_librarys_starting_dose() -> None:
    for item in program_of().exercises:
        assert item.level == 0
        assert item.dose == library(item.exercise).dose
        assert item.stop_rules == tuple(library(item.exercise).stop_rules)


def test_walking_carries_the_walkback_goal_as_the_long_term_goal() -> None:
    goal = program_of().walking_goal
    assert goal is not None
    assert (goal.minutes, goal.per_week, goal.by_week) == (30, 5, 26)
    assert "pocovi2024_walkback" in goal.sources
    assert "long-term goal" in goal.text
    assert goal.now.startswith("10 minutes, twice a day")


def test_a_program_without_walking_has_no_walking_goal() -> None:
    program = only("pilates")
    assert program is not None and "walking" not in ids(program)
    assert program.walking_goal is None


def test_leg_pain_below_the_knee_adds_the_nerve_slider_and_leaves_out_caution_exercises() -> None:
    program = program_of(episode={"leg_pain": "below_knee"})
    assert "sciatic_nerve_slider" in ids(program)
    assert all(library(e).leg_pain != "caution" for e in ids(program))


def test_without_leg_pain_the_leg_pain_only_slider_is_never_chosen() -> None:
    assert "sciatic_nerve_slider" not in ids(program_of(episode={"duration_weeks": 1}))


def test_pregnancy_rules_out_face_down_exercises_and_prefers_ones_without_a_caution() -> None:
    program = program_of(patient={"age": 30, "pregnant": True})
    assert all("pregnancy" not in library(e).avoided_tags for e in ids(program))
    assert "bird_dog" in ids(program) and "dead_bug" not in ids(program)


def test_a_caution_tag_the_person_carries_adds_its_precaution() -> None:
    program = program_of(conditions=["high_fall_risk"])
    walking = program.find("walking")
    assert walking is not None
    caution = next(c for c in library("walking").caution if c.tag == "high_fall_risk")
    assert caution.precaution.strip() in walking.precautions


def test_osteoporosis_rules_out_loaded_flexion() -> None:
    program = program_of(conditions=["osteoporosis"])
    assert not {"mcgill_curl_up", "knee_to_chest", "child_pose"} & set(ids(program))


def test_avoiding_group_classes_leaves_out_class_based_exercises() -> None:
    program = only("yoga", preferences={"avoid": ["group_classes"]})
    assert program is not None
    assert "yoga_home_practice" not in ids(program)
    assert all(not library(e).class_based for e in ids(program))


def test_tai_chi_alone_gives_one_exercise_and_says_why_there_are_fewer_than_three() -> None:
    program = only("tai_chi")
    assert program is not None
    assert ids(program) == ["tai_chi"]
    assert any(note.startswith("Only 1 library exercise fits") for note in program.notes)


def test_each_exercise_belongs_to_a_recommended_item() -> None:
    program = only("pilates")
    assert program is not None and program.treatments == ("pilates",)
    assert all("pilates" in library(e).treatments for e in ids(program))


def test_no_exercise_based_item_means_no_program() -> None:
    assert only("education_self_care", "stay_active") is None


def test_red_flag_plans_carry_no_program() -> None:
    emergency = make_intake(red_flags={"saddle_anaesthesia": True})
    urgent = make_intake(red_flags={"major_trauma": True})
    assert assess_and_plan(emergency).home_program is None
    plan = assess_and_plan(urgent)
    assert plan.home_program is None
    assert only("physical_therapy", red_flags={"major_trauma": True}) is None


def test_the_plan_json_carries_the_program_and_reads_back() -> None:
    plan = assess_and_plan(make_intake())
    data = plan.to_json_dict()
    PLAN_SCHEMA.validate(data)
    assert plan.home_program is not None
    assert [e["exercise"] for e in data["home_program"]["exercises"]] == ids(plan.home_program)
    assert read_stored_plan(data).to_plan().home_program == plan.home_program


def test_a_plan_without_a_program_leaves_the_field_out() -> None:
    data = assess_and_plan(make_intake(red_flags={"saddle_anaesthesia": True})).to_json_dict()
    assert "home_program" not in data


# Properties over generated intakes --------------------------------------------------------


def derived_conditions(data: dict[str, Any]) -> set[str]:
    tags = set(data.get("conditions", []))
    if data["patient"].get("pregnant"):
        tags.add("pregnancy")
    if data["patient"]["age"] >= 65:
        tags.add("older_adult")
    return tags


def eligible(ex: Exercise, data: dict[str, Any], phase: str, items: set[str]) -> bool:
    """docs/home-program.md's eligibility rules, restated from the library data."""
    leg = data["episode"].get("leg_pain", "none")
    no_classes = "group_classes" in data.get("preferences", {}).get("avoid", [])
    acute_ok = bool({"aerobic", "mobility", "nerve_mobility"} & set(ex.targets)) and not (
        {"strength", "endurance"} & set(ex.targets)
    )
    return (
        phase in ex.phases
        and bool(items & set(ex.treatments))
        and not ex.avoided_tags & derived_conditions(data)
        and not ex.clinician_guided
        and not (ex.class_based and no_classes)
        and not ACCESS & set(ex.equipment)
        and not (ex.for_leg_pain_only and leg == "none")
        and not (leg == "below_knee" and ex.leg_pain == "caution")
        and (phase != "acute" or acute_ok)
    )


def check_program(data: dict[str, Any]) -> None:
    plan = assess_and_plan(data)
    out = plan.to_json_dict()
    PLAN_SCHEMA.validate(out)
    items = {r.treatment for r in plan.recommended if r.treatment in HOME}
    allowed = plan.triage.disposition in ("proceed", "referral_with_plan")
    pool = [ex for ex in load_exercises().values() if eligible(ex, data, plan.phase, items)]
    program = plan.home_program
    if not (items and allowed and pool):
        assert program is None
        assert "home_program" not in out
        if items and allowed:
            assert any("No home exercise" in note for note in plan.notes)
        return
    assert program is not None
    assert read_stored_plan(out).home_program == program
    assert set(program.treatments) == items
    chosen = [load_exercises()[e.exercise] for e in program.exercises]
    assert len(chosen) <= MAX_EXERCISES
    assert len(chosen) >= min(3, len(pool))
    assert len({ex.id for ex in chosen}) == len(chosen)
    known = load_knowledge().sources
    for item, ex in zip(program.exercises, chosen, strict=True):
        assert ex in pool, f"{ex.id} is not eligible"
        assert not ex.avoided_tags & derived_conditions(data)
        assert plan.phase in ex.phases
        assert ex.limits.allows(item.dose), f"{ex.id}: {item.dose.text()}"
        assert all(source in known for source in item.sources)
        for caution in ex.caution:
            if caution.tag in derived_conditions(data):
                assert caution.precaution.strip() in item.precautions
    assert all(source in known for source in program.sources)
    if len(chosen) < 3:
        assert any(note.startswith("Only") for note in program.notes)
    _program.cache_clear()
    assert assess_and_plan(data).home_program == program  # deterministic, cache or not


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=intakes())
def test_every_generated_intake_gets_a_safe_well_formed_program(data: dict[str, Any]) -> None:
    check_program(data)
