"""Pain numeric rating scale: one integer from 0 (no pain) to 10 (worst imaginable)."""

from __future__ import annotations

from typing import Literal

from backpath.instruments.answers import number_in_range, required_answer
from backpath.instruments.change import improved_enough, threshold_of
from backpath.instruments.definition import InstrumentDefinition, Scoring, load_definition
from backpath.instruments.result import InstrumentResult

ID = "nrs"


class NrsScoring(Scoring):
    """Nothing to tune: the score is the answer."""


class NrsResult(InstrumentResult):
    instrument: Literal["nrs"] = "nrs"
    value: int
    """0-10, higher is worse."""

    @property
    def headline(self) -> float | None:
        return float(self.value)


def definition() -> InstrumentDefinition[NrsScoring]:
    """The validated data file (``data/nrs.yaml``); raises KnowledgeBaseError if it is bad."""
    return load_definition(ID, NrsScoring)


def score(answers: object) -> NrsResult:
    """Score one NRS answer. Raises ``InvalidInput('nrs', ...)`` unless an int 0-10."""
    value = required_answer(answers, definition().items[0], ID)
    return NrsResult(value=value)


def is_meaningful_improvement(baseline: int, now: int) -> bool:
    """True when pain fell by the minimal important change (data: 2 points or 30%).

    Raises ``InvalidInput('nrs.baseline' | 'nrs.now', ...)`` unless each is an int 0-10.
    """
    values = [o.value for o in definition().items[0].options]
    low, high = min(values), max(values)
    start = number_in_range(baseline, low, high, f"{ID}.baseline", whole=True)
    end = number_in_range(now, low, high, f"{ID}.now", whole=True)
    return improved_enough(start, end, threshold_of(definition()))
