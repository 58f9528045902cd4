"""Roland-Morris Disability Questionnaire: 24 yes/no items, total 0-24."""

from __future__ import annotations

from typing import Literal

from backpath.instruments.answers import answer_list, number_in_range
from backpath.instruments.change import improved_enough, threshold_of
from backpath.instruments.definition import InstrumentDefinition, Scoring, load_definition
from backpath.instruments.result import InstrumentResult

ID = "rmdq"


class RmdqScoring(Scoring):
    """Nothing to tune: the total is a count of yes answers."""


class RmdqResult(InstrumentResult):
    instrument: Literal["rmdq"] = "rmdq"
    total: int
    """0-24, higher is worse."""

    @property
    def headline(self) -> float | None:
        return float(self.total)


def definition() -> InstrumentDefinition[RmdqScoring]:
    """The validated data file (``data/rmdq.yaml``); raises KnowledgeBaseError if it is bad."""
    return load_definition(ID, RmdqScoring)


def score(answers: object) -> RmdqResult:
    """Score 24 answers, each 0 (no) or 1 (yes).

    Raises ``InvalidInput('rmdq' | 'rmdq[i]', ...)`` on a wrong length or a bad answer.
    """
    items = definition().items
    values = answer_list(answers, items, ID)
    return RmdqResult(total=sum(item.points_for(v) for item, v in zip(items, values, strict=True)))


def is_meaningful_improvement(baseline: int, now: int) -> bool:
    """True when the total fell by the minimal important change (data: 5 points or 30%).

    Raises ``InvalidInput('rmdq.baseline' | 'rmdq.now', ...)`` unless each is an int 0-24.
    """
    maximum = sum(item.max_points for item in definition().items)
    start = number_in_range(baseline, 0, maximum, f"{ID}.baseline", whole=True)
    end = number_in_range(now, 0, maximum, f"{ID}.now", whole=True)
    return improved_enough(start, end, threshold_of(definition()))
