"""The plan engine: ``assess(intake) -> Assessment`` and ``make_plan(assessment) -> Plan``,
with the plan's home exercise program (``prescribe``, ``suggest_progress``).

The names below are imported from their modules on first use, so a caller that needs only
``assess_and_plan`` (the ``backpath assess`` command) does not build the models of plan
revision and exercise progress. ``adapt`` is the submodule (its function is
``backpath.engine.adapt.adapt``): a lazily bound function of the same name would be replaced
by the submodule the first time it is imported.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backpath.engine.adapt import PlanRevision, Suggestion
    from backpath.engine.assessment import Assessment, assess, phase_of
    from backpath.engine.exercise_progress import apply_suggestion, suggest_progress
    from backpath.engine.home_program import prescribe
    from backpath.engine.intake import Intake, parse_intake
    from backpath.engine.plan_models import PROFILES, Plan, Profile
    from backpath.engine.planning import make_plan
    from backpath.engine.program_models import (
        ExerciseLog,
        ExerciseSuggestion,
        HomeProgram,
        ProgramExercise,
        WalkingGoal,
    )

_HOMES = {
    "adapt": ("PlanRevision", "Suggestion"),
    "assessment": ("Assessment", "assess", "phase_of"),
    "exercise_progress": ("apply_suggestion", "suggest_progress"),
    "home_program": ("prescribe",),
    "intake": ("Intake", "parse_intake"),
    "plan_models": ("PROFILES", "Plan", "Profile"),
    "planning": ("make_plan",),
    "program_models": (
        "ExerciseLog",
        "ExerciseSuggestion",
        "HomeProgram",
        "ProgramExercise",
        "WalkingGoal",
    ),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def assess_and_plan(data: object, profile: Profile = "consensus") -> Plan:
    """Validate raw intake JSON, assess it and build the plan (raises ``InvalidInput``)."""
    from backpath.engine.assessment import assess
    from backpath.engine.intake import parse_intake
    from backpath.engine.planning import make_plan

    return make_plan(assess(parse_intake(data)), profile)


__all__ = [
    "PROFILES",
    "Assessment",
    "ExerciseLog",
    "ExerciseSuggestion",
    "HomeProgram",
    "Intake",
    "Plan",
    "PlanRevision",
    "Profile",
    "ProgramExercise",
    "Suggestion",
    "WalkingGoal",
    "apply_suggestion",
    "assess",
    "assess_and_plan",
    "make_plan",
    "parse_intake",
    "phase_of",
    "prescribe",
    "suggest_progress",
]
