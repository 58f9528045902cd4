"""The home program of a stored plan as the clinician's plan page and printout show it.

Nothing here decides care: the program was chosen by the engine and changed only by
clinicians' recorded edits. This module takes it from the typed stored plan, joins each exercise
with the library (limits, stop rules in the clinician's words, pictures) and lists which
exercises a swap or an addition may offer: those the engine's ``program_edits`` would accept
(for the program's treatments and the plan's phase, never one whose ``avoid`` tag the person
carries).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from backpath.engine import program_edits
from backpath.engine.plan_edits import Facts
from backpath.engine.program_models import MAX_EXERCISES, HomeProgram
from backpath.engine.stored_plan import StoredPlan
from backpath.errors import BackPathError
from backpath.exercises import Dose, Exercise, Limits, load_exercises, stop_rules_for
from backpath.exercises.advice import load_advice_data
from backpath.knowledge import Phase, load_knowledge
from backpath.reports.figures import describe, render_svg
from backpath.reports.poses import load_figure
from backpath.reports.schedule import clinician_days
from backpath.web.plans.display import source_links

PICTURE_MODES = ("animated", "frames")
DOSE_LABELS = {
    "sets": "Sets",
    "reps": "Repetitions",
    "hold_seconds": "Hold (seconds)",
    "minutes": "Minutes",
    "per_day": "Times a day",
    "per_week": "Times a week",
}
"""The dose numbers a clinician may change, in the order the re-dose form shows them."""


def level_text(level: int, exercise: Exercise | None) -> str:
    """Where the exercise stands on its ladder, in words."""
    if level == 0:
        return "Starting level"
    steps = len(exercise.progression if level > 0 else exercise.regression) if exercise else 0
    of = f" of {steps}" if steps else ""
    if level > 0:
        return f"Progressed: step {level}{of}"
    return f"Made easier: step {-level}{of}"


def days_text(dose: Dose) -> str:
    return clinician_days(dose.frequency.per_week)


def limit_fields(exercise: Exercise | None, dose: Dose) -> list[dict[str, Any]]:
    """For the re-dose form: each number the dose uses with its value and the library's
    limits (``min``/``max`` None when the library gives none, so the form refuses a change;
    ``fixed`` when no other value is allowed, so the page shows it without an input)."""
    limits = exercise.limits if exercise else None
    out = []
    for name, value in dose.numbers().items():
        bounds = getattr(limits, name, None) if limits else None
        out.append(
            {
                "name": name,
                "label": DOSE_LABELS[name],
                "value": value,
                "min": bounds.min if bounds else None,
                "max": bounds.max if bounds else None,
                "fixed": bounds is None or bounds.min == bounds.max,
            }
        )
    return out


def limits_text(limits: Limits | None, dose: Dose) -> str:
    """The limits of the numbers this dose uses, e.g. 'Sets 1-3; Repetitions 5-10'."""
    if limits is None:
        return "The library gives no limits for this exercise."
    parts = []
    for name in dose.numbers():
        bounds = getattr(limits, name)
        if bounds is not None:
            parts.append(f"{DOSE_LABELS[name]} {bounds.min}–{bounds.max}")
    return "; ".join(parts)


def eligible(phase: Phase, program: HomeProgram, facts: Facts) -> list[Exercise]:
    """Library exercises a clinician may swap in or add: those the engine would not refuse
    (for the plan's phase and one of the program's treatments, not in the program, and with
    no ``avoid`` tag the person carries)."""
    return [
        ex
        for ex in load_exercises().values()
        if program_edits.refusal(program, ex.id, facts, phase) is None
    ]


def _source_links(ids: tuple[str, ...]) -> SafeString:
    return source_links(list(ids))


def _rule_ids(ids: tuple[str, ...], exercise: Exercise | None) -> tuple[str, ...]:
    """The exercise's stop rules: the program's, else the library's."""
    return ids or tuple(exercise.stop_rules if exercise else ())


def _urgency_label(urgency: str) -> str:
    return load_advice_data().urgencies[urgency].label  # type: ignore[index]


def _stop_rules(ids: tuple[str, ...], *, general: bool) -> list[dict[str, str]]:
    """Stop rules in the clinician's words with their urgency and sources; the general ones
    (which apply to every exercise) are shown once for the program, the others at their
    exercise."""
    return [
        {
            "id": r.id,
            "text": f"{_urgency_label(r.urgency)}: {r.clinician_text}",
            "sources": _source_links(tuple(r.sources)),
        }
        for r in stop_rules_for(ids)
        if r.general == general
    ]


@cache
def picture_alt(exercise_id: str) -> str:
    """The picture's text alternative (start and end poses), or '' when it has no picture."""
    try:
        return describe(load_figure(exercise_id))
    except BackPathError:
        return ""


@cache
def frames_svg(exercise_id: str, title: str) -> SafeString:
    """Start and end poses side by side, inline, for the printout and its PDF (WeasyPrint runs
    no animation and fetches nothing). Our renderer escapes the title, so it is safe to inline."""
    try:
        return mark_safe(render_svg(exercise_id, "frames", title=title))
    except BackPathError:
        return mark_safe("")


def view(plan: StoredPlan, facts: Facts, *, inline_pictures: bool = False) -> dict[str, Any] | None:
    """The program ready for the template, or None when the plan has none.

    ``inline_pictures`` puts the two-frame SVG into the page (print, PDF); otherwise the page
    links the pictures, which keeps the plan page light.
    """
    program = plan.home_program
    if program is None:
        return None
    library = load_exercises()
    names = {t: c.name for t, c in load_knowledge().treatments.items()}
    items = []
    general: dict[str, None] = {}
    for item in program.exercises:
        ex = library.get(item.exercise)
        general.update(dict.fromkeys(_rule_ids(item.stop_rules, ex)))
        fields = limit_fields(ex, item.dose)
        items.append(
            {
                "id": item.exercise,
                "name": item.name,
                "summary": ex.summary if ex else "",
                "level": item.level,
                "level_text": level_text(item.level, ex),
                "dose_text": item.dose.text(),
                "days": days_text(item.dose),
                "instruction": item.instruction,
                "why": item.why,
                "precautions": item.precautions,
                "stop_rules": _stop_rules(_rule_ids(item.stop_rules, ex), general=False),
                "source_links": _source_links(item.sources),
                "limits_text": limits_text(ex.limits if ex else None, item.dose),
                "dose_fields": fields,
                "redosable": any(not f["fixed"] for f in fields),
                "alt": picture_alt(item.exercise),
                "frames_svg": frames_svg(item.exercise, item.name) if inline_pictures else "",
            }
        )
    choices = [(ex.id, ex.name) for ex in eligible(plan.phase, program, facts)]
    goal = program.walking_goal
    return {
        "treatments": [names.get(t, t) for t in program.treatments],
        "exercises": items,
        "general_stop_rules": _stop_rules(tuple(general), general=True),
        "walking_goal": goal,
        "walking_sources": _source_links(goal.sources) if goal else "",
        "notes": program.notes,
        "source_links": _source_links(program.sources),
        "choices": choices,
        "can_add": len(program.exercises) < MAX_EXERCISES and bool(choices),
        "full": len(program.exercises) >= MAX_EXERCISES,
        "max": MAX_EXERCISES,
    }
