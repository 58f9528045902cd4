"""'This week' on My plan: the clinic sessions, the home exercises with their dose, and the
walking goal, in that order; and the week table with the home exercise days added.

The table rows of clinic sessions and routines are ``plain_plan.week_table``'s; each home
exercise adds a row on the weekdays the Today page and the calendar use
(``schedule.exercise_weekdays``), so all three agree on which day is which.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backpath.engine.program_models import HomeProgram, WalkingGoal
from backpath.engine.stored_plan import StoredPlan
from backpath.reports.exercise_cards import days_text
from backpath.reports.plain_plan import week_table
from backpath.reports.schedule import DAY_NAMES, exercise_weekdays

HOME_CELL = "At home"


@dataclass(frozen=True)
class Line:
    """One thing to do this week: its name, how much, and on which days."""

    name: str
    amount: str
    days: str


@dataclass(frozen=True)
class ThisWeek:
    sessions: list[Line]
    exercises: list[Line]
    walking: WalkingGoal | None

    def __bool__(self) -> bool:
        return bool(self.sessions or self.exercises or self.walking)


def _session_amount(schedule: dict[str, Any]) -> str:
    per_week = int(schedule["per_week"])
    text = f"{per_week} session{'s' if per_week != 1 else ''}"
    minutes = schedule.get("minutes")
    return f"{text}, about {minutes} minutes each" if minutes else text


def _days(cells: list[str]) -> str:
    names = [DAY_NAMES[d] for d, cell in enumerate(cells) if cell]
    if len(names) == 7:
        return "every day"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def this_week(plan: StoredPlan) -> ThisWeek:
    """What the plan asks of the patient in a week (the same every week until it changes)."""
    rows = week_table(plan)
    sessions = [
        Line(row["name"], _session_amount(row["schedule"]), _days(row["cells"]))
        for row in rows
        if row["schedule"].get("per_week")
    ]
    program: HomeProgram | None = plan.home_program
    exercises = [  # a daily dose already says 'once a day': no 'every day' after it
        Line(e.name, e.dose.text(), days_text(e) if e.dose.frequency.per_week else "")
        for e in (program.exercises if program else ())
    ]
    return ThisWeek(sessions, exercises, program.walking_goal if program else None)


def week_rows(plan: StoredPlan) -> list[dict[str, Any]]:
    """The week table: sessions and routines first, then one row per home exercise."""
    rows = [{"name": r["name"], "cells": r["cells"], "home": False} for r in week_table(plan)]
    program = plan.home_program
    for e in program.exercises if program else ():
        days = exercise_weekdays(e.dose.frequency.per_week)
        cells = [HOME_CELL if d in days else "" for d in range(7)]
        rows.append({"name": e.name, "cells": cells, "home": True})
    return rows
