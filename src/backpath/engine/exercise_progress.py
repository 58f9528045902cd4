"""Progression advice for a home program from the patient's exercise log, and applying it.

``suggest_progress(program, logs, today)`` gives one suggestion per exercise, from the logs of
that exercise dated after its ``changed_on`` (all of them when it has none) and up to
``today``. A day's outcome is its worst log: a stop rule, then too painful, then done, then
skipped. The first rule that applies wins (docs/home-program.md gives their sources):

1. ``stop``: a stop rule was reported: stop now and contact the clinician, in the rule's words
   (the rule's own sources, and BackPath's clinical review for stopping until a clinician has
   looked at it: backpath_clinical_review). A stop rule always wins.
2. ``regress``: too painful on 2 of the last 3 days logged: one step easier; ``stop`` when there
   is no easier step (BackPath maintainers' rule, unverified: backpath_clinical_review).
3. ``adherence``: at least ``MIN_DAYS_FOR_ADHERENCE`` days logged and skipped on more than half:
   a nudge to make the program fewer or shorter exercises (Medina-Mirapeix 2009, Escolar-Reina
   2010 in the evidence file), advice only.
4. ``progress``: done on at least the library's ``progress_after_days`` distinct days and never
   too painful: the next step (its sources), or ``keep`` at the last step.
5. ``keep``: otherwise, saying what is still missing.

Levels: 0 is the starting dose, +n the n-th progression step, -n the n-th regression step. A
step without its own dose keeps the dose of the step before it on the same ladder, so every
dose is one the library lists and lies within its limits. Pure functions, dated by ``today``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from backpath.engine.plan_edits import EditRefused
from backpath.engine.program_models import (
    ExerciseLog,
    ExerciseSuggestion,
    HomeProgram,
    ProgramExercise,
    SuggestionAction,
)
from backpath.exercises import Dose, Exercise, load_exercises, load_stop_rules

PAINFUL_DAYS = 2
PAINFUL_WINDOW = 3
"""Too painful on PAINFUL_DAYS of the last PAINFUL_WINDOW days logged: one step easier."""
MIN_DAYS_FOR_ADHERENCE = 3
APPLICABLE = ("progress", "regress", "stop")
"""Actions that change the program when applied; ``keep`` and ``adherence`` are advice."""
REVIEW_SOURCES = ("backpath_clinical_review",)
STOP_SOURCES = ("backpath_clinical_review",)
_SEVERITY = {"done": 1, "skipped": 0, "too_painful": 2}


def lowest_level(ex: Exercise) -> int:
    return -len(ex.regression)


def highest_level(ex: Exercise) -> int:
    return len(ex.progression)


def level_dose(ex: Exercise, level: int) -> tuple[Dose, str | None]:
    """The dose and the step's instruction at ``level`` (raises ``ValueError`` off the ladder)."""
    if not lowest_level(ex) <= level <= highest_level(ex):
        raise ValueError(f"{ex.id} has no level {level}")
    if level == 0:
        return ex.dose, None
    steps = ex.progression if level > 0 else ex.regression
    dose = ex.dose
    for step in steps[: abs(level)]:
        dose = step.dose or dose
    return dose, steps[abs(level) - 1].instruction.strip()


def _days(logs: Sequence[ExerciseLog]) -> dict[dt.date, ExerciseLog]:
    """Each day's worst log (a stop rule first, then too painful, done, skipped)."""
    worst: dict[dt.date, ExerciseLog] = {}
    for log in logs:
        rank = (log.stop_rule is not None, _SEVERITY[log.outcome])
        kept = worst.get(log.on)
        if kept is None or rank > (kept.stop_rule is not None, _SEVERITY[kept.outcome]):
            worst[log.on] = log
    return dict(sorted(worst.items()))


def _stop(item: ProgramExercise, log: ExerciseLog) -> ExerciseSuggestion:
    rule = load_stop_rules().get(log.stop_rule or "")
    said = rule.patient_text.strip() if rule else f"the stop rule '{log.stop_rule}'"
    sources = tuple(dict.fromkeys([*STOP_SOURCES, *(rule.sources if rule else ())]))
    return ExerciseSuggestion(
        exercise=item.exercise,
        action="stop",
        why=f"On {log.on:%-d %b %Y} this was reported for {item.name}: {said} "
        f"Stop {item.name} now and contact your clinician before doing it again.",
        sources=sources,
    )


def _step(
    item: ProgramExercise, ex: Exercise, level: int, action: SuggestionAction, why: str
) -> ExerciseSuggestion:
    dose, _ = level_dose(ex, level)
    steps = ex.progression if level > 0 else ex.regression
    step_sources = steps[abs(level) - 1].sources if level else ex.dose_sources
    return ExerciseSuggestion(
        exercise=item.exercise,
        action=action,
        to_level=level,
        dose=dose,
        why=f"{why} Suggested: {dose.text()}.",
        sources=tuple(dict.fromkeys([*ex.progress_after_sources, *step_sources])),
    )


def suggest_one(
    item: ProgramExercise, ex: Exercise, logs: Sequence[ExerciseLog]
) -> ExerciseSuggestion:
    """The suggestion for one exercise from its own logs (already windowed)."""
    days = _days(logs)
    reported = [log for log in days.values() if log.stop_rule is not None]
    if reported:
        return _stop(item, reported[-1])
    outcomes = [log.outcome for log in days.values()]
    last = outcomes[-PAINFUL_WINDOW:]
    if last.count("too_painful") >= PAINFUL_DAYS:
        said = f"{item.name} was too painful on {last.count('too_painful')} of the last "
        said += f"{len(last)} days logged."
        if item.level - 1 < lowest_level(ex):
            return ExerciseSuggestion(
                exercise=item.exercise,
                action="stop",
                why=f"{said} It has no easier step: stop it and contact your clinician.",
                sources=REVIEW_SOURCES,
            )
        return _step(item, ex, item.level - 1, "regress", f"{said} One step easier.")
    skipped = outcomes.count("skipped")
    if len(outcomes) >= MIN_DAYS_FOR_ADHERENCE and skipped * 2 > len(outcomes):
        return ExerciseSuggestion(
            exercise=item.exercise,
            action="adherence",
            why=f"{item.name} was skipped on {skipped} of {len(outcomes)} days logged. Ask what "
            "gets in the way: a program of fewer or shorter exercises is done more often.",
            sources=(),
        )
    done = outcomes.count("done")
    painful = outcomes.count("too_painful")
    if not painful and done >= ex.progress_after_days:
        said = f"{item.name} was done comfortably on {done} days (the step needs "
        said += f"{ex.progress_after_days})."
        if item.level + 1 > highest_level(ex):
            return ExerciseSuggestion(
                exercise=item.exercise,
                action="keep",
                why=f"{said} It is at its last step: keep it up at this dose.",
                sources=tuple(ex.progress_after_sources),
            )
        return _step(item, ex, item.level + 1, "progress", f"{said} Next step.")
    if painful:
        why = f"{item.name} was too painful on {painful} day{'s' if painful != 1 else ''}: "
        why += "keep the dose and see how the next days go."
    else:
        why = f"{item.name} was done comfortably on {done} of the {ex.progress_after_days} days "
        why += "needed before the next step: keep going at this dose."
    return ExerciseSuggestion(exercise=item.exercise, action="keep", why=why)


def window(item: ProgramExercise, logs: Iterable[ExerciseLog], today: dt.date) -> list[ExerciseLog]:
    """The logs of ``item`` that count: after its last change and not after ``today``."""
    since = item.changed_on
    return [
        log
        for log in logs
        if log.exercise == item.exercise and log.on <= today and (since is None or log.on > since)
    ]


def suggest_progress(
    program: HomeProgram, logs: Iterable[ExerciseLog], today: dt.date
) -> list[ExerciseSuggestion]:
    """One suggestion per exercise of the program that the library knows, in program order."""
    library = load_exercises()
    kept = list(logs)
    out = []
    for item in program.exercises:
        ex = library.get(item.exercise)
        if ex is not None:
            out.append(suggest_one(item, ex, window(item, kept, today)))
    return out


def apply_suggestion(
    program: HomeProgram, suggestion: ExerciseSuggestion, on: dt.date | None = None
) -> HomeProgram:
    """The program with ``suggestion`` applied: progress or regress to its level (the dose
    comes from the library, not the suggestion), or stop (the exercise leaves the program).
    ``on`` dates the change (``changed_on``), so later progression counts only later days.

    Raises:
        EditRefused: advice only (keep, adherence), an exercise not in the program or not in
            the library, a level off the exercise's ladder, or stopping its only exercise.
    """
    item = program.find(suggestion.exercise)
    if item is None:
        raise EditRefused(f"'{suggestion.exercise}' is not in the home program.")
    if suggestion.action not in APPLICABLE:
        raise EditRefused("This suggestion is advice to discuss; it changes nothing in the plan.")
    if suggestion.action == "stop":
        if len(program.exercises) == 1:
            raise EditRefused(
                f"{item.name} is the only exercise of the home program: swap it for another "
                "exercise instead of stopping it."
            )
        return program.without(item.exercise)
    ex = load_exercises().get(item.exercise)
    if ex is None:
        raise EditRefused(f"{item.name} is no longer in the exercise library.")
    level = suggestion.to_level
    if level is None or not lowest_level(ex) <= level <= highest_level(ex):
        raise EditRefused(
            f"{item.name} has no step at level {level}; its levels run from "
            f"{lowest_level(ex)} to {highest_level(ex)}."
        )
    dose, instruction = level_dose(ex, level)
    changed = item.model_copy(
        update={"level": level, "dose": dose, "instruction": instruction, "changed_on": on}
    )
    return program.replaced(changed)
