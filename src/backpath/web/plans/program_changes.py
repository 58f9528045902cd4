"""A clinician's changes to the home program of a stored plan, as plan edits.

Each function takes the program of the typed stored plan, lets the engine make the change
(``backpath.engine.program_edits``: what may change, and the sentence that says so) and
returns an ``Edit`` (the new plan, the ``PlanChange`` action, the exercise and that
sentence) that ``versions.save_edit`` stores as the next draft version, exactly like accepting,
dropping or adding a plan item. Every refusal is an ``EditRefused`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from backpath.engine import program_edits
from backpath.engine.plan_edits import Edit, EditRefused, Facts, edit_refusal
from backpath.engine.program_edits import ProgramEdit
from backpath.engine.program_models import HomeProgram
from backpath.engine.stored_plan import StoredPlan
from backpath.errors import field_error
from backpath.exercises import Dose


def current_program(plan: StoredPlan) -> HomeProgram:
    """The program to change; refused when the plan cannot be edited or has no program."""
    refusal = edit_refusal(plan)
    if refusal:
        raise EditRefused(refusal)
    if plan.home_program is None:
        raise EditRefused("This version of the plan has no home program.")
    return plan.home_program


def _edit(plan: StoredPlan, change: ProgramEdit) -> Edit:
    return Edit(plan.with_program(change.program), change.action, change.exercise, change.summary)


def swap(plan: StoredPlan, old: str, new: str, reason: str, facts: Facts) -> Edit:
    """Put ``new`` (at its starting dose) where ``old`` was."""
    program = current_program(plan)
    return _edit(plan, program_edits.swap(program, old, new, facts, plan.phase, reason))


def add(plan: StoredPlan, new: str, reason: str, facts: Facts) -> Edit:
    """Add ``new`` at its starting dose (the engine keeps the program to MAX_EXERCISES)."""
    program = current_program(plan)
    return _edit(plan, program_edits.add(program, new, facts, plan.phase, reason))


def new_dose(old: Dose, numbers: dict[str, int]) -> Dose:
    """``old`` with the posted numbers; the kind, sides and frequency unit stay."""
    frequency = {k: v for k, v in numbers.items() if k in ("per_day", "per_week")}
    data: dict[str, Any] = {"kind": old.kind, "per_side": old.per_side}
    data |= {k: v for k, v in numbers.items() if k not in frequency}
    data["frequency"] = frequency or old.frequency.model_dump(exclude_none=True)
    try:
        return Dose.model_validate(data)
    except ValidationError as exc:
        raise EditRefused(f"That dose is not valid: {field_error(exc).message}") from None


def redose(
    plan: StoredPlan, exercise: str, numbers: dict[str, int], reason: str, on: dt.date
) -> Edit:
    """Change the numbers of an exercise's dose within the library's limits; dated ``on`` so
    progression counts only the days logged after it."""
    program = current_program(plan)
    item = program.find(exercise)
    if item is None:
        raise EditRefused(f"'{exercise}' is not in the home program.")
    dose = new_dose(item.dose, numbers)
    return _edit(plan, program_edits.redose(program, exercise, dose, reason, on=on))


def remove(plan: StoredPlan, exercise: str, reason: str) -> Edit:
    """Take an exercise out (the engine keeps at least one)."""
    program = current_program(plan)
    return _edit(plan, program_edits.remove(program, exercise, reason))
