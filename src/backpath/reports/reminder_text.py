"""The home program in the plain lines the reminder email and the calendar file share, so the
two never word a dose, the walking goal or a stop rule differently."""

from __future__ import annotations

from collections.abc import Iterable

from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.reports.exercise_cards import stop_rules_of


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
