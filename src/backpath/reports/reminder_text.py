"""The home program in the plain lines the reminder email and the calendar file share, so the
two never word a dose, the walking goal or a stop rule differently; and the reminder email's
words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from backpath import DISCLAIMER
from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.reports.exercise_cards import stop_rules_of
from backpath.reports.schedule import long_date


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


def reminder_email(
    patient_name: str, clinic: str, program: HomeProgram, due: Iterable[ProgramExercise],
    day: dt.date, *, today_url: str, settings_url: str,
) -> tuple[str, str]:  # fmt: skip
    """(subject, body) of the day's reminder: the exercises due with doses, walking, when to
    stop, where to tick them off and to change the reminders, the disclaimer."""
    lines = [
        f"Hello {patient_name},",
        "",
        f"Your home exercises from {clinic} for {long_date(day)}:",
        *day_text(program, due),
        "",
        f"Tick them off when you have done them: {today_url}",
        f"To change the time or stop these emails: {settings_url}",
        "",
        DISCLAIMER,
    ]
    return f"Your back exercises for {long_date(day)}", "\n".join(lines) + "\n"
