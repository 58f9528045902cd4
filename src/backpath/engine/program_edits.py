"""A clinician's edits to a home program: swap, add, re-dose or remove an exercise.

Each function takes the current ``HomeProgram`` and returns a ``ProgramEdit`` (the NEW program
and one sentence saying what changed and why, for the ``PlanChange`` row the web layer records
like any plan change), or raises ``EditRefused`` with the reason. The clinician decides; these
functions refuse only what the library or BackPath's limits rule out:

- an exercise that is not in the library, or whose ``avoid`` tag the person carries;
- an exercise that is not for the plan's phase or for any of the program's treatments;
- an exercise already in the program, or one to change that is not in it;
- more than ``MAX_EXERCISES`` exercises, or fewer than one;
- a dose of another kind than the exercise's, or a number outside the exercise's limits.

A clinician may choose what the automatic prescription never does (a ``clinician_guided``
exercise, one that needs a pool, weights or a class); the person's ``caution`` tags add their
precautions as they do for a prescribed exercise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from backpath.engine import eligibility
from backpath.engine.plan_edits import EditRefused, Facts
from backpath.engine.program_models import MAX_EXERCISES, HomeProgram, ProgramExercise
from backpath.exercises import Dose, Exercise, load_exercises
from backpath.knowledge import Phase

ProgramAction = Literal["swap_exercise", "add_exercise", "redose_exercise", "remove_exercise"]


@dataclass(frozen=True)
class ProgramEdit:
    program: HomeProgram
    action: ProgramAction
    """The ``PlanChange`` action."""
    exercise: str
    """The exercise changed (for a swap, the one taken out)."""
    summary: str
    """One sentence for the new version's change summary, ending with the clinician's reason."""


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise EditRefused("Give the reason for this change.")
    return text


def _in_program(program: HomeProgram, exercise: str) -> ProgramExercise:
    item = program.find(exercise)
    if item is None:
        raise EditRefused(f"'{exercise}' is not in the home program.")
    return item


def _library(exercise: str) -> Exercise:
    ex = load_exercises().get(exercise)
    if ex is None:
        raise EditRefused(
            f"'{exercise}' is not an exercise of the library; 'backpath exercises' lists them."
        )
    return ex


def refusal(program: HomeProgram, exercise: str, facts: Facts, phase: Phase) -> str | None:
    """Why ``exercise`` may not join ``program`` (None when it may), for pages that offer it."""
    ex = load_exercises().get(exercise)
    if ex is None:
        return f"'{exercise}' is not an exercise of the library; 'backpath exercises' lists them."
    ruled_out = eligibility.exercise_refusal(ex, facts.conditions, phase)
    if ruled_out:
        return ruled_out
    if program.find(exercise) is not None:
        return f"{ex.name} is already in the home program."
    if not set(ex.treatments) & set(program.treatments):
        return f"{ex.name} belongs to none of the program's treatments."
    return None


def _new_item(ex: Exercise, facts: Facts, reason: str) -> ProgramExercise:
    cautions = eligibility.exercise_precautions(ex, facts.conditions)
    cited = [*ex.sources, *ex.dose_sources, *(s for _, sources in cautions for s in sources)]
    return ProgramExercise(
        exercise=ex.id,
        name=ex.name,
        level=0,
        dose=ex.dose,
        why=f"Chosen by the clinician: {reason}",
        precautions=tuple(dict.fromkeys([*(text for text, _ in cautions), *ex.precautions])),
        stop_rules=tuple(ex.stop_rules),
        sources=tuple(dict.fromkeys(cited)),
    )


def swap(
    program: HomeProgram, old: str, new: str, facts: Facts, phase: Phase, reason: str
) -> ProgramEdit:
    """Put ``new`` (at its starting dose) in the place of ``old``."""
    was = _in_program(program, old)
    why = refusal(program, new, facts, phase)
    if why:
        raise EditRefused(why)
    text = _reason(reason)
    item = _new_item(_library(new), facts, text)
    summary = f"Home program: swapped {was.name} for {item.name}: {text}"
    return ProgramEdit(program.replaced(item, old), "swap_exercise", old, summary)


def add(program: HomeProgram, new: str, facts: Facts, phase: Phase, reason: str) -> ProgramEdit:
    """Add ``new`` at its starting dose, up to ``MAX_EXERCISES``."""
    if len(program.exercises) >= MAX_EXERCISES:
        raise EditRefused(
            f"The home program already has {MAX_EXERCISES} exercises, the most BackPath "
            "prescribes: more exercises are done less often. Swap one instead."
        )
    why = refusal(program, new, facts, phase)
    if why:
        raise EditRefused(why)
    text = _reason(reason)
    item = _new_item(_library(new), facts, text)
    changed = program.model_copy(update={"exercises": (*program.exercises, item)})
    return ProgramEdit(changed, "add_exercise", new, f"Home program: added {item.name}: {text}")


def redose(
    program: HomeProgram, exercise: str, dose: Dose, reason: str, on: dt.date | None = None
) -> ProgramEdit:
    """Give ``exercise`` a new dose within its limits; its level and instruction stay.
    ``on`` dates the change, so progression counts only the days logged after it."""
    item = _in_program(program, exercise)
    ex = _library(exercise)
    if dose.kind != ex.dose.kind:
        raise EditRefused(f"dose.kind: {ex.name} takes a {ex.dose.kind} dose, not {dose.kind}.")
    problems = ex.limits.violations(dose)
    if problems:
        field, message = problems[0]
        raise EditRefused(f"dose.{field}: {message} for {ex.name}.")
    if dose == item.dose:
        raise EditRefused(f"{item.name} already has that dose ({dose.text()}).")
    text = _reason(reason)
    changed = item.model_copy(update={"dose": dose, "changed_on": on})
    summary = f"Home program: {item.name} from {item.dose.text()} to {dose.text()}: {text}"
    return ProgramEdit(program.replaced(changed), "redose_exercise", exercise, summary)


def remove(program: HomeProgram, exercise: str, reason: str) -> ProgramEdit:
    """Take ``exercise`` out; the program keeps at least one."""
    item = _in_program(program, exercise)
    if len(program.exercises) == 1:
        raise EditRefused(
            f"{item.name} is the only exercise of the home program: swap it for another instead."
        )
    text = _reason(reason)
    summary = f"Home program: removed {item.name}: {text}"
    return ProgramEdit(program.without(exercise), "remove_exercise", exercise, summary)
