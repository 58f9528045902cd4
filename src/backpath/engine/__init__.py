"""The plan engine: ``assess(intake) -> Assessment`` and ``make_plan(assessment) -> Plan``,
with the plan's home exercise program (``prescribe``, ``suggest_progress``)."""

from __future__ import annotations

from backpath.engine.adapt import PlanRevision, Suggestion, adapt
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


def assess_and_plan(data: object, profile: Profile = "consensus") -> Plan:
    """Validate raw intake JSON, assess it and build the plan (raises ``InvalidInput``)."""
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
    "adapt",
    "apply_suggestion",
    "assess",
    "assess_and_plan",
    "make_plan",
    "parse_intake",
    "phase_of",
    "prescribe",
    "suggest_progress",
]
