"""Oswestry Disability Index v2.1a: ten sections 0-5, reported as a percent 0-100."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backpath.instruments.answers import answer_list_with_gaps, number_in_range
from backpath.instruments.change import improved_enough, threshold_of
from backpath.instruments.definition import (
    Frozen,
    InstrumentDefinition,
    Item,
    Scoring,
    Text,
    load_definition,
)
from backpath.instruments.result import InstrumentResult, rounded

ID = "odi"
OdiBand = Literal["minimal", "moderate", "severe", "crippled", "bed_bound"]


class Band(Frozen):
    id: OdiBand
    upper: Annotated[float, Field(ge=0, le=100)]
    """Highest percent (inclusive) in the band."""
    label: Text


class OdiScoring(Scoring):
    max_missing: Annotated[int, Field(ge=0)]
    decimals: Annotated[int, Field(ge=0, le=3)]
    bands: Annotated[tuple[Band, ...], Field(min_length=1)]

    def mismatch(self, items: tuple[Item, ...]) -> tuple[str, str] | None:
        uppers = [band.upper for band in self.bands]
        if uppers != sorted(set(uppers)) or uppers[-1] != 100:
            return "bands", "upper bounds must rise strictly and the last must be 100"
        if self.max_missing >= len(items):
            return "max_missing", f"must be below the number of sections ({len(items)})"
        return None


class OdiResult(InstrumentResult):
    instrument: Literal["odi"] = "odi"
    percent: float | None
    """0-100, one decimal; None when not scored."""
    band: OdiBand | None
    total: int
    """Raw sum of the answered sections."""
    answered: int
    unanswered: tuple[str, ...]
    """Ids of the sections left blank, in questionnaire order."""

    @property
    def headline(self) -> float | None:
        return self.percent if self.scored else None


def definition() -> InstrumentDefinition[OdiScoring]:
    """The validated data file (``data/odi.yaml``); raises KnowledgeBaseError if it is bad."""
    return load_definition(ID, OdiScoring)


def band_of(percent: float) -> OdiBand:
    """The band whose inclusive upper bound is the first at or above ``percent``."""
    bands = definition().scoring.bands
    return next((b.id for b in bands if percent <= b.upper), bands[-1].id)


def score(answers: object) -> OdiResult:
    """Score ten ODI sections, each an int 0-5 or None (unanswered).

    Raises ``InvalidInput('odi' | 'odi[i]', ...)`` on a wrong length or a bad answer.
    With more than ``max_missing`` blanks the result has ``scored=False`` and a reason.
    """
    spec = definition()
    values = answer_list_with_gaps(answers, spec.items, ID)
    answered = [(item, v) for item, v in zip(spec.items, values, strict=True) if v is not None]
    total = sum(item.points_for(v) for item, v in answered)
    unanswered = tuple(item.id for item, v in zip(spec.items, values, strict=True) if v is None)
    rule = spec.scoring
    if len(unanswered) > rule.max_missing:
        return OdiResult(
            scored=False,
            reason=(
                f"{len(unanswered)} sections unanswered; ODI is not scored when more than "
                f"{rule.max_missing} are missing"
            ),
            percent=None,
            band=None,
            total=total,
            answered=len(answered),
            unanswered=unanswered,
        )
    maximum = sum(item.max_points for item, _ in answered)  # 5 per answered section
    percent = rounded(total * 100, maximum, rule.decimals)
    return OdiResult(
        percent=percent,
        band=band_of(percent),
        total=total,
        answered=len(answered),
        unanswered=unanswered,
    )


def is_meaningful_improvement(baseline: float, now: float) -> bool:
    """True when the percent fell by at least the minimal important change (data: 10 points).

    Raises ``InvalidInput('odi.baseline' | 'odi.now', ...)`` unless each is a number 0-100.
    """
    start = number_in_range(baseline, 0, 100, f"{ID}.baseline", whole=False)
    end = number_in_range(now, 0, 100, f"{ID}.now", whole=False)
    return improved_enough(start, end, threshold_of(definition()))
