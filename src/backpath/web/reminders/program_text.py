"""The published plan's home program in the plain lines that the calendar file and the
reminder email share, so the two never word a dose or a stop rule differently. The program
is read and its stop rules worded by the patient pages' own ``diary.program_display``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from backpath.engine.program_models import HomeProgram, ProgramExercise, program_of
from backpath.errors import InvalidInput
from backpath.web.diary.program_display import stop_rules_of

log = logging.getLogger(__name__)


def home_program_of(plan: dict[str, Any] | None) -> HomeProgram | None:
    """The plan JSON's home program, or None when it has none or it no longer validates
    (logged): a reminder or a calendar must not turn a data problem into a server error."""
    try:
        return program_of(plan)
    except InvalidInput as exc:
        log.warning("home_program of a stored plan does not validate: %s", exc)
        return None


def exercise_lines(exercises: Iterable[ProgramExercise]) -> list[str]:
    """'- Bird-dog: hold 5 s, 10 times per side, once a day', plus the level's change."""
    lines = []
    for e in exercises:
        lines.append(f"- {e.name}: {e.dose.text()}")
        if e.instruction:
            lines.append(f"  At this level: {e.instruction}")
    return lines


def stop_texts(exercises: Iterable[ProgramExercise]) -> list[str]:
    """The patient wording of every stop rule of ``exercises``, each once, in first-seen order."""
    seen: dict[str, str] = {}
    for e in exercises:
        for rule in stop_rules_of(e):
            seen.setdefault(rule.id, rule.text)
    return list(seen.values())


def day_text(program: HomeProgram, exercises: Iterable[ProgramExercise]) -> list[str]:
    """The body lines for one day: exercises and doses, walking, when to stop."""
    chosen = list(exercises)
    lines = exercise_lines(chosen)
    goal = program.walking_goal
    if goal:
        lines += ["", f"Walking: {goal.now} (building to: {goal.text})"]
    stops = stop_texts(chosen)
    if stops:
        lines += ["", "When to stop:", *(f"- {s}" for s in stops)]
    return lines


def long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"
