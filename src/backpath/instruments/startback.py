"""Keele STarT Back Screening Tool: nine items giving a low / medium / high risk group."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backpath.instruments.answers import answer_list
from backpath.instruments.definition import (
    Identifier,
    InstrumentDefinition,
    Item,
    Scoring,
    load_definition,
)
from backpath.instruments.result import InstrumentResult

ID = "startback"
RiskGroup = Literal["low", "medium", "high"]


class StartBackScoring(Scoring):
    low_max_total: Annotated[int, Field(ge=0)]
    """Totals up to and including this are low risk."""
    medium_max_psychosocial: Annotated[int, Field(ge=0)]
    """Otherwise subscales up to and including this are medium risk; above it, high."""
    psychosocial_items: Annotated[tuple[Identifier, ...], Field(min_length=1)]

    def mismatch(self, items: tuple[Item, ...]) -> tuple[str, str] | None:
        ids = [item.id for item in items]
        unknown = [i for i in self.psychosocial_items if i not in ids]
        if unknown:
            return "psychosocial_items", f"not items of this instrument: {', '.join(unknown)}"
        if self.low_max_total >= sum(item.max_points for item in items):
            return "low_max_total", "leaves no total that is above low risk"
        return None


class StartBackResult(InstrumentResult):
    instrument: Literal["startback"] = "startback"
    total: int
    """0-9."""
    psychosocial: int
    """Distress subscale, items 5-9, 0-5."""
    group: RiskGroup

    @property
    def headline(self) -> float | None:
        return float(self.total)


def definition() -> InstrumentDefinition[StartBackScoring]:
    """The validated data file (``data/startback.yaml``); raises KnowledgeBaseError if bad."""
    return load_definition(ID, StartBackScoring)


def score(answers: object) -> StartBackResult:
    """Score nine answers: items 1-8 are 0 or 1, item 9 is 0-4 (only 3 and 4 score a point).

    Raises ``InvalidInput('startback' | 'startback[i]', ...)`` on a wrong length or answer.
    """
    spec = definition()
    values = answer_list(answers, spec.items, ID)
    points = {item.id: item.points_for(v) for item, v in zip(spec.items, values, strict=True)}
    total = sum(points.values())
    psychosocial = sum(points[i] for i in spec.scoring.psychosocial_items)
    group: RiskGroup
    if total <= spec.scoring.low_max_total:
        group = "low"
    elif psychosocial <= spec.scoring.medium_max_psychosocial:
        group = "medium"
    else:
        group = "high"
    return StartBackResult(total=total, psychosocial=psychosocial, group=group)
