"""A plan's home program as the patient sees it: on Today, My plan, the handout, in the
reminder email and the calendar.

Nothing here decides care: it joins each prescribed exercise (name, level, dose, why) with the
library's plain instructions, the stop rules in the patient's words and the exercise's picture.
Pictures come from ``backpath.reports.figures``: ``animated`` for the screen, ``frames`` (start
and end side by side, numbered) for print and for readers who ask for reduced motion. They are
SVG markup built by our own renderer (ElementTree escapes every text in it), so a page may
inline them as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from backpath.engine.program_models import HomeProgram, ProgramExercise
from backpath.errors import BackPathError
from backpath.exercises import load_exercises, load_stop_rules, stop_rules_for
from backpath.reports.figures import render_svg
from backpath.reports.schedule import patient_days


@lru_cache(maxsize=256)
def picture(exercise_id: str, mode: str, title: str) -> str:
    """The exercise's inline SVG, or an empty string when the library has no picture for it."""
    try:
        return render_svg(exercise_id, mode, title=title)
    except BackPathError:
        return ""


@dataclass(frozen=True)
class StopRuleText:
    id: str
    text: str
    general: bool


@dataclass(frozen=True)
class ExerciseCard:
    """Everything a page needs to show one prescribed exercise."""

    id: str
    name: str
    summary: str
    dose: str
    days: str
    """Which days it falls on, e.g. 'every day' or 'Monday, Wednesday and Friday'."""
    level_note: str | None
    why: str
    start_position: str
    movement: tuple[str, ...]
    breathing: str
    common_mistakes: tuple[str, ...]
    precautions: tuple[str, ...]
    stop_rules: tuple[StopRuleText, ...]
    animated: str
    frames: str

    @property
    def own_stop_rules(self) -> tuple[StopRuleText, ...]:
        """The rules particular to this exercise (the general ones are listed once)."""
        return tuple(r for r in self.stop_rules if not r.general)


def days_text(item: ProgramExercise) -> str:
    """Which days the exercise falls on, e.g. 'every day' or 'Monday, Wednesday and Friday'."""
    return patient_days(item.dose.frequency.per_week)


def stop_rule_text(rule_id: str) -> StopRuleText:
    """A reported stop rule in the patient's words (a plain fallback for an unknown id, so a
    report is never hidden)."""
    rule = load_stop_rules().get(rule_id)
    if rule is None:
        return StopRuleText(rule_id, "You reported a reason to stop this exercise.", False)
    return StopRuleText(rule.id, rule.patient_text, rule.general)


def stop_rules_of(item: ProgramExercise) -> tuple[StopRuleText, ...]:
    """The exercise's stop rules in the patient's words: every general rule of the library,
    then those particular to it (the library's when the program lists none); ids the library
    does not know are left out."""
    ids = item.stop_rules
    if not ids and (ex := load_exercises().get(item.exercise)) is not None:
        ids = tuple(ex.stop_rules)
    return tuple(StopRuleText(r.id, r.patient_text, r.general) for r in stop_rules_for(ids))


def card(item: ProgramExercise, *, animated: bool = True) -> ExerciseCard:
    """One exercise ready for a template; ``animated=False`` leaves out the animated picture
    (print needs only the frames)."""
    ex = load_exercises().get(item.exercise)
    how = ex.instructions if ex is not None else None
    return ExerciseCard(
        id=item.exercise,
        name=item.name,
        summary=ex.summary if ex is not None else "",
        dose=item.dose.text(),
        days=days_text(item),
        level_note=item.instruction,
        why=item.why,
        start_position=how.start_position if how else "",
        movement=tuple(how.movement) if how else (),
        breathing=how.breathing if how else "",
        common_mistakes=tuple(how.common_mistakes) if how else (),
        precautions=item.precautions or tuple(ex.precautions if ex is not None else ()),
        stop_rules=stop_rules_of(item),
        animated=picture(item.exercise, "animated", item.name) if animated else "",
        frames=picture(item.exercise, "frames", item.name),
    )


def cards(program: HomeProgram, *, animated: bool = True) -> list[ExerciseCard]:
    return [card(item, animated=animated) for item in program.exercises]


def general_stop_rules(program: HomeProgram) -> list[StopRuleText]:
    """The general stop rules the program's exercises share, once each, in library order."""
    listed = {r.id for item in program.exercises for r in stop_rules_of(item) if r.general}
    return [
        StopRuleText(r.id, r.patient_text, True)
        for r in load_stop_rules().values()
        if r.general and r.id in listed
    ]
