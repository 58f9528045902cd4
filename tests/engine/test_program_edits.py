"""A clinician's edits to the home program: what each one changes, records and refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from backpath.engine import program_edits
from backpath.engine.plan_edits import EditRefused, Facts
from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.exercises import Dose, load_exercises

NONE = Facts()
PREGNANT = Facts(conditions=frozenset({"pregnancy"}))
FALLS = Facts(conditions=frozenset({"high_fall_risk"}))


def item(exercise: str) -> ProgramExercise:
    ex = load_exercises()[exercise]
    return ProgramExercise(exercise=exercise, name=ex.name, dose=ex.dose, why="engine")


def program(*exercises: str) -> HomeProgram:
    return HomeProgram(
        treatments=("physical_therapy", "general_exercise"),
        exercises=tuple(item(e) for e in exercises),
    )


def dose(exercise: str, **changes: object) -> Dose:
    return load_exercises()[exercise].dose.model_copy(update=changes)


def names(p: HomeProgram) -> list[str]:
    return [e.exercise for e in p.exercises]


# What each edit does ----------------------------------------------------------------------


def test_swap_puts_the_new_exercise_in_the_old_ones_place_at_its_starting_dose() -> None:
    before = program("walking", "bird_dog", "cat_camel")
    edit = program_edits.swap(before, "bird_dog", "dead_bug", NONE, "chronic", "easier on wrists")
    assert names(edit.program) == ["walking", "dead_bug", "cat_camel"]
    new = edit.program.find("dead_bug")
    assert new is not None and new.dose == load_exercises()["dead_bug"].dose and new.level == 0
    assert new.why == "Chosen by the clinician: easier on wrists"
    assert edit.action == "swap_exercise" and edit.exercise == "bird_dog"
    assert edit.summary == "Home program: swapped Bird-dog for Dead bug: easier on wrists"
    assert names(before) == ["walking", "bird_dog", "cat_camel"]  # the old one is untouched


def test_add_appends_with_the_persons_caution_precautions() -> None:
    edit = program_edits.add(program("bird_dog"), "walking", FALLS, "chronic", "  stay  active ")
    walking = edit.program.find("walking")
    caution = next(c for c in load_exercises()["walking"].caution if c.tag == "high_fall_risk")
    assert walking is not None and caution.precaution.strip() in walking.precautions
    assert edit.summary == "Home program: added Walking programme: stay active"
    assert edit.action == "add_exercise"


def test_a_clinician_may_add_what_is_never_chosen_automatically() -> None:
    edit = program_edits.add(
        program("walking"), "directional_preference", NONE, "subacute", "extension helps"
    )
    assert "directional_preference" in names(edit.program)


def test_redose_changes_the_numbers_within_limits_and_dates_the_change() -> None:
    day = dt.date(2026, 3, 1)
    new = dose("bird_dog", hold_seconds=8)
    edit = program_edits.redose(program("bird_dog"), "bird_dog", new, "fine so far", on=day)
    changed = edit.program.find("bird_dog")
    assert changed is not None and changed.dose == new and changed.changed_on == day
    assert edit.summary == (
        "Home program: Bird-dog from hold 5 s, 10 times per side, once a day to "
        "hold 8 s, 10 times per side, once a day: fine so far"
    )


def test_remove_takes_the_exercise_out() -> None:
    edit = program_edits.remove(program("walking", "bird_dog"), "walking", "knee pain")
    assert names(edit.program) == ["bird_dog"]
    assert edit.summary == "Home program: removed Walking programme: knee pain"


# Refusals ---------------------------------------------------------------------------------


def test_an_exercise_ruled_out_by_a_condition_is_refused() -> None:
    with pytest.raises(EditRefused, match=r"ruled out for this person \(pregnant\)"):
        program_edits.add(program("walking"), "prone_press_up", PREGNANT, "chronic", "x")
    with pytest.raises(EditRefused, match="ruled out"):
        program_edits.swap(program("walking"), "walking", "prone_press_up", PREGNANT, "acute", "x")


def test_an_exercise_not_in_the_library_is_refused() -> None:
    with pytest.raises(EditRefused, match="'superman' is not an exercise of the library"):
        program_edits.add(program("walking"), "superman", NONE, "chronic", "x")


def test_a_sixth_exercise_is_refused() -> None:
    full = program("walking", "bird_dog", "dead_bug", "cat_camel", "glute_bridge")
    with pytest.raises(EditRefused, match="already has 5 exercises"):
        program_edits.add(full, "clamshell", NONE, "chronic", "x")


def test_an_exercise_for_another_phase_or_treatment_is_refused() -> None:
    with pytest.raises(EditRefused, match="not for acute pain"):
        program_edits.add(program("walking"), "bird_dog", NONE, "acute", "x")
    with pytest.raises(EditRefused, match="none of the program's treatments"):
        program_edits.add(program("walking"), "tai_chi", NONE, "chronic", "x")


def test_a_duplicate_or_a_missing_exercise_is_refused() -> None:
    with pytest.raises(EditRefused, match="already in the home program"):
        program_edits.add(program("walking"), "walking", NONE, "chronic", "x")
    with pytest.raises(EditRefused, match="'dead_bug' is not in the home program"):
        program_edits.swap(program("walking"), "dead_bug", "bird_dog", NONE, "chronic", "x")
    with pytest.raises(EditRefused, match="not in the home program"):
        program_edits.remove(program("walking", "bird_dog"), "dead_bug", "x")


@pytest.mark.parametrize(
    ("new", "message"),
    [
        (dose("bird_dog", hold_seconds=30), r"dose.hold_seconds: 30 is outside the limits 5-10"),
        (dose("bird_dog", reps=2), r"dose.reps: 2 is outside the limits 5-10"),
        (
            Dose.model_validate({"kind": "reps", "reps": 8, "frequency": {"per_day": 1}}),
            "takes a hold dose",
        ),
        (dose("bird_dog"), "already has that dose"),
    ],
    ids=["hold too long", "too few reps", "another kind", "unchanged"],
)
def test_a_dose_outside_the_exercises_limits_is_refused(new: Dose, message: str) -> None:
    with pytest.raises(EditRefused, match=message):
        program_edits.redose(program("bird_dog"), "bird_dog", new, "x")


def test_removing_the_last_exercise_is_refused() -> None:
    with pytest.raises(EditRefused, match="only exercise"):
        program_edits.remove(program("walking"), "walking", "x")


def test_an_edit_without_a_reason_is_refused() -> None:
    with pytest.raises(EditRefused, match="Give the reason"):
        program_edits.remove(program("walking", "bird_dog"), "walking", "   ")


def test_refusal_lets_a_page_offer_only_allowed_exercises() -> None:
    p = program("walking")
    assert program_edits.refusal(p, "bird_dog", NONE, "chronic") is None
    assert program_edits.refusal(p, "prone_press_up", PREGNANT, "chronic") is not None
