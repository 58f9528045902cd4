"""The home-exercise library as data: exercises, doses and their limits, stop rules.

Each exercise is one validated YAML file under ``data/exercises``; ``load_exercises()`` returns
them all, checked against the knowledge base's sources and the contract's condition tags.
"""

from backpath.exercises.loader import (
    load_exercises,
    load_exercises_from,
    load_stop_rules,
    load_stop_rules_from,
    stop_rules_for,
)
from backpath.exercises.models import (
    EXERCISE_IDS,
    URGENCIES,
    Avoid,
    Bounds,
    Caution,
    Dose,
    Exercise,
    Frequency,
    Goal,
    Instructions,
    Limits,
    Step,
    StopRule,
    Urgency,
)

__all__ = [
    "EXERCISE_IDS",
    "URGENCIES",
    "Avoid",
    "Bounds",
    "Caution",
    "Dose",
    "Exercise",
    "Frequency",
    "Goal",
    "Instructions",
    "Limits",
    "Step",
    "StopRule",
    "Urgency",
    "load_exercises",
    "load_exercises_from",
    "load_stop_rules",
    "load_stop_rules_from",
    "stop_rules_for",
]
