"""The home exercise program of a plan, the patient's exercise log, and progression advice.

These are the shapes every layer shares: the plan JSON's ``home_program`` field (documented
in docs/home-program.md), the diary's one-tap exercise log, and the suggestions a clinician
sees. The rules that fill them live in ``engine.home_program`` (choice and dose),
``engine.exercise_progress`` (progression) and ``engine.program_edits`` (clinician edits).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath.exercises import Dose

MAX_EXERCISES = 5
"""Few exercises: prescribing more predicted worse adherence (Medina-Mirapeix 2009)."""

ExerciseOutcome = Literal["done", "too_painful", "skipped"]
OUTCOME_LABELS: dict[str, str] = {
    "done": "Done",
    "too_painful": "Too painful",
    "skipped": "Skipped",
}
SuggestionAction = Literal["progress", "regress", "stop", "keep", "adherence"]

WEEKDAYS_FOR: dict[int, tuple[int, ...]] = {
    1: (0,),
    2: (0, 3),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}
"""Which weekdays (Monday = 0) a 'n times a week' exercise falls on: spread out, weekends
last, so the today view and the calendar file agree on one fixed rhythm."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgramExercise(_Frozen):
    """One exercise of the program at its current level and dose."""

    exercise: str = Field(description="Library id, e.g. 'bird_dog'.")
    name: str
    level: int = Field(
        default=0,
        description="0 = starting dose; +n = n-th progression step; -n = n-th regression step.",
    )
    dose: Dose
    instruction: str | None = Field(
        default=None, description="What changes at this level (the step's instruction)."
    )
    why: str = Field(description="Why it was chosen for this person, in plain words.")
    precautions: tuple[str, ...] = ()
    stop_rules: tuple[str, ...] = Field(default=(), description="Stop-rule ids (library).")
    sources: tuple[str, ...] = ()
    changed_on: dt.date | None = Field(
        default=None,
        description="The day its level or dose last changed; progression counts only the "
        "days logged after it (None: every day logged counts).",
    )

    def due_on(self, day: dt.date) -> bool:
        """Daily exercises are due every day; 'n a week' ones on the weekdays of WEEKDAYS_FOR."""
        per_week = self.dose.frequency.per_week
        return per_week is None or day.weekday() in WEEKDAYS_FOR[per_week]


class WalkingGoal(_Frozen):
    """Where walking starts now and what it builds toward (WalkBack: 30 min x 5 a week)."""

    now: str = Field(description="Today's target in plain words.")
    minutes: int = Field(ge=1, le=240)
    per_week: int = Field(ge=1, le=7)
    by_week: int = Field(ge=1, le=104)
    text: str
    sources: tuple[str, ...] = ()


class HomeProgram(_Frozen):
    """The exercises a person does at home, attached to the plan's exercise-based items."""

    treatments: tuple[str, ...] = Field(
        description="The recommended plan items this program belongs to."
    )
    exercises: tuple[ProgramExercise, ...] = Field(min_length=1, max_length=MAX_EXERCISES)
    walking_goal: WalkingGoal | None = None
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def find(self, exercise: str) -> ProgramExercise | None:
        return next((e for e in self.exercises if e.exercise == exercise), None)

    def due_on(self, day: dt.date) -> tuple[ProgramExercise, ...]:
        return tuple(e for e in self.exercises if e.due_on(day))

    def replaced(self, item: ProgramExercise, old: str | None = None) -> HomeProgram:
        """A copy with ``item`` in the place of ``old`` (default: the exercise of the same id)."""
        which = old or item.exercise
        exercises = tuple(item if e.exercise == which else e for e in self.exercises)
        return self.model_copy(update={"exercises": exercises})

    def without(self, exercise: str) -> HomeProgram:
        """A copy without ``exercise``; the caller keeps at least one (the model needs one)."""
        exercises = tuple(e for e in self.exercises if e.exercise != exercise)
        return HomeProgram.model_validate({**dict(self), "exercises": exercises})


class ExerciseLog(_Frozen):
    """One tap in the today view: what happened with one exercise on one day."""

    on: dt.date
    exercise: str
    outcome: ExerciseOutcome
    stop_rule: str | None = Field(
        default=None, description="The stop rule the person reported, if any (library id)."
    )


class ExerciseSuggestion(_Frozen):
    """Advice for one exercise from its log; a clinician (or the patient) decides."""

    exercise: str
    action: SuggestionAction
    to_level: int | None = None
    dose: Dose | None = None
    why: str
    sources: tuple[str, ...] = ()
