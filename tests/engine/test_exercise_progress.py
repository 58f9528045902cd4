"""Progression advice from the exercise log: a table of examples per rule, then properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpath.engine import apply_suggestion, suggest_progress
from backpath.engine.exercise_progress import highest_level, level_dose, lowest_level
from backpath.engine.plan_edits import EditRefused
from backpath.engine.program_models import (
    ExerciseLog,
    ExerciseSuggestion,
    HomeProgram,
    ProgramExercise,
)
from backpath.exercises import load_exercises, load_stop_rules

TODAY = dt.date(2026, 3, 20)


def item(exercise: str, level: int = 0, changed_on: dt.date | None = None) -> ProgramExercise:
    ex = load_exercises()[exercise]
    dose, instruction = level_dose(ex, level)
    return ProgramExercise(
        exercise=exercise,
        name=ex.name,
        level=level,
        dose=dose,
        instruction=instruction,
        why="test",
        stop_rules=tuple(ex.stop_rules),
        changed_on=changed_on,
    )


def program(*items: ProgramExercise) -> HomeProgram:
    return HomeProgram(treatments=("physical_therapy",), exercises=items)


def logs(exercise: str, *outcomes: str, stop_rule: str | None = None) -> list[ExerciseLog]:
    """One log a day, ending yesterday; ``stop_rule`` goes with the last one."""
    start = TODAY - dt.timedelta(days=len(outcomes))
    out = [
        ExerciseLog(on=start + dt.timedelta(days=i), exercise=exercise, outcome=o)  # type: ignore[arg-type]
        for i, o in enumerate(outcomes)
    ]
    if stop_rule:
        out[-1] = out[-1].model_copy(update={"stop_rule": stop_rule})
    return out


def suggestion(
    exercise: str, history: list[ExerciseLog], level: int = 0, **kw: object
) -> ExerciseSuggestion:
    [one] = suggest_progress(program(item(exercise, level, **kw)), history, TODAY)  # type: ignore[arg-type]
    return one


# bird_dog: progress after 3 days, 1 progression step, 1 regression step (movement only).
# walking: progress after 7 days, 4 progression steps, 1 regression step.
# pelvic_tilt: no regression step.
EXAMPLES = [
    ("stop rule reported", "bird_dog", 0, ["done", "done", "done"], "pain_worse", "stop", None),
    ("stop rule beats progress", "walking", 0, ["done"] * 9, "new_pain", "stop", None),
    ("painful 2 of last 3", "bird_dog", 0, ["done", "too_painful", "done", "too_painful"], None,
     "regress", -1),
    ("painful after a progression", "walking", 2, ["too_painful", "too_painful"], None,
     "regress", 1),
    ("painful with no easier step", "pelvic_tilt", 0, ["too_painful", "too_painful"], None,
     "stop", None),
    ("painful once only", "bird_dog", 0, ["too_painful", "done", "done", "done"], None,
     "keep", None),
    ("done on enough days", "bird_dog", 0, ["done", "done", "done"], None, "progress", 1),
    ("done but too few days", "walking", 0, ["done"] * 6, None, "keep", None),
    ("done on enough days at the top", "bird_dog", 1, ["done"] * 3, None, "keep", None),
    ("back from an easier step", "bird_dog", -1, ["done"] * 3, None, "progress", 0),
    ("mostly skipped", "bird_dog", 0, ["skipped", "done", "skipped", "skipped"], None,
     "adherence", None),
    ("no logs yet", "bird_dog", 0, [], None, "keep", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "exercise", "level", "outcomes", "rule", "action", "to_level"),
    EXAMPLES,
    ids=[e[0] for e in EXAMPLES],
)
def test_each_progression_rule(
    case: str,
    exercise: str,
    level: int,
    outcomes: list[str],
    rule: str | None,
    action: str,
    to_level: int | None,
) -> None:
    s = suggestion(exercise, logs(exercise, *outcomes, stop_rule=rule), level)
    assert (s.action, s.to_level) == (action, to_level)
    if to_level is not None:
        assert s.dose == level_dose(load_exercises()[exercise], to_level)[0]


def test_a_stop_rule_says_the_rules_words_and_to_contact_the_clinician() -> None:
    s = suggestion("bird_dog", logs("bird_dog", "too_painful", stop_rule="leg_symptoms_spread"))
    rule = load_stop_rules()["leg_symptoms_spread"]
    assert rule.patient_text.strip() in s.why
    assert "contact your clinician" in s.why
    assert set(rule.sources) <= set(s.sources)


def test_progress_names_the_next_dose_and_cites_its_step() -> None:
    s = suggestion("walking", logs("walking", *["done"] * 7))
    step = load_exercises()["walking"].progression[0]
    assert s.dose == step.dose and s.dose is not None
    assert s.dose.text() in s.why
    assert set(step.sources) <= set(s.sources)


def test_only_days_after_the_last_change_count() -> None:
    history = logs("bird_dog", "done", "done", "done")
    changed = history[1].on
    assert suggestion("bird_dog", history, changed_on=changed).action == "keep"
    assert suggestion("bird_dog", history).action == "progress"


def test_logs_after_today_and_of_other_exercises_are_ignored() -> None:
    future = [ExerciseLog(on=TODAY + dt.timedelta(days=1), exercise="bird_dog", outcome="done")]
    other = logs("walking", "done", "done", "done")
    history = [*logs("bird_dog", "done", "done"), *future, *other]
    assert suggestion("bird_dog", history).action == "keep"


def test_a_day_with_done_and_too_painful_counts_as_too_painful() -> None:
    history = logs("bird_dog", "too_painful", "done", "done")
    history.append(history[-1].model_copy(update={"outcome": "too_painful"}))
    assert suggestion("bird_dog", history).action == "regress"


def test_one_suggestion_per_exercise_in_program_order() -> None:
    p = program(item("walking"), item("bird_dog"))
    out = suggest_progress(p, [], TODAY)
    assert [s.exercise for s in out] == ["walking", "bird_dog"]


# Applying -------------------------------------------------------------------------------


def test_applying_progress_moves_to_the_step_with_its_dose_and_instruction() -> None:
    p = program(item("walking"), item("bird_dog"))
    s = suggestion("walking", logs("walking", *["done"] * 7))
    new = apply_suggestion(p, s, on=TODAY)
    walking = new.find("walking")
    step = load_exercises()["walking"].progression[0]
    assert walking is not None and walking.level == 1
    assert walking.dose == step.dose
    assert walking.instruction == step.instruction.strip()
    assert walking.changed_on == TODAY
    assert new.find("bird_dog") == p.find("bird_dog")
    assert p.find("walking") == item("walking")  # the old program is untouched


def test_a_step_without_a_dose_keeps_the_dose_of_the_step_before() -> None:
    walking = load_exercises()["walking"]
    assert walking.progression[3].dose is None
    assert level_dose(walking, 4)[0] == walking.progression[2].dose


def test_applying_stop_removes_the_exercise() -> None:
    p = program(item("walking"), item("bird_dog"))
    s = suggestion("bird_dog", logs("bird_dog", "done", stop_rule="pain_worse"))
    assert [e.exercise for e in apply_suggestion(p, s).exercises] == ["walking"]


@pytest.mark.parametrize(
    ("s", "message"),
    [
        (ExerciseSuggestion(exercise="bird_dog", action="keep", why="x"), "advice"),
        (ExerciseSuggestion(exercise="bird_dog", action="adherence", why="x"), "advice"),
        (ExerciseSuggestion(exercise="dead_bug", action="progress", to_level=1, why="x"), "not in"),
        (ExerciseSuggestion(exercise="bird_dog", action="progress", to_level=2, why="x"), "level"),
        (ExerciseSuggestion(exercise="bird_dog", action="stop", why="x"), "only exercise"),
    ],
    ids=["keep", "adherence", "not in program", "off the ladder", "last exercise"],
)
def test_applying_is_refused_when_it_cannot_change_the_program(
    s: ExerciseSuggestion, message: str
) -> None:
    with pytest.raises(EditRefused, match=message):
        apply_suggestion(program(item("bird_dog")), s)


# Properties -------------------------------------------------------------------------------

OUTCOMES = st.sampled_from(["done", "too_painful", "skipped"])
EXERCISES = st.sampled_from(list(load_exercises()))


@st.composite
def histories(draw: st.DrawFn) -> tuple[str, int, list[ExerciseLog]]:
    exercise = draw(EXERCISES)
    ex = load_exercises()[exercise]
    level = draw(st.integers(lowest_level(ex), highest_level(ex)))
    days = draw(st.lists(st.integers(0, 30), max_size=25))
    rules = st.one_of(st.none(), st.sampled_from(list(load_stop_rules())))
    history = [
        ExerciseLog(
            on=TODAY - dt.timedelta(days=d),
            exercise=exercise,
            outcome=draw(OUTCOMES),
            stop_rule=draw(rules) if draw(st.integers(0, 9)) == 0 else None,
        )
        for d in days
    ]
    return exercise, level, history


@settings(max_examples=400, deadline=None)
@given(case=histories())
def test_progression_never_leaves_the_ladder_or_the_limits(
    case: tuple[str, int, list[ExerciseLog]],
) -> None:
    exercise, level, history = case
    ex = load_exercises()[exercise]
    s = suggestion(exercise, history, level)
    if s.to_level is not None:
        assert lowest_level(ex) <= s.to_level <= highest_level(ex)
        assert abs(s.to_level - level) == 1
        assert s.dose is not None and ex.limits.allows(s.dose)
    if s.action in ("progress", "regress"):
        other = "walking" if exercise != "walking" else "bird_dog"
        new = apply_suggestion(program(item(exercise, level), item(other)), s)
        changed = new.find(exercise)
        assert changed is not None and ex.limits.allows(changed.dose)
    if any(log.stop_rule for log in history):
        assert s.action == "stop"  # a stop rule always wins
    assert suggestion(exercise, history, level) == s  # deterministic
