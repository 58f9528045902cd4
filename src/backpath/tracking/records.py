"""What is recorded after a plan starts: scores, clinic sessions and adverse events.

The models check types only. A score's valid range depends on its measure, so ranges are
checked where records are used (``responder``, ``summarise``), and the ``InvalidInput``
raised there names the offending field, such as ``observations[2].value``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath.errors import InvalidInput
from backpath.instruments import nrs, peg, rmdq
from backpath.instruments.answers import number_in_range

Measure = Literal["nrs", "peg", "odi_percent", "rmdq"]
MEASURES: tuple[Measure, ...] = ("nrs", "peg", "odi_percent", "rmdq")
MEASURE_LABELS: dict[Measure, str] = {
    "nrs": "Pain (NRS 0-10)",
    "peg": "Pain and interference (PEG 0-10)",
    "odi_percent": "Disability (Oswestry %)",
    "rmdq": "Disability (Roland-Morris 0-24)",
}


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Observation(Frozen):
    """One follow-up score; higher is worse on all four measures."""

    measure: Measure
    value: float
    on: date


class SessionRecord(Frozen):
    """One planned clinic session of a treatment and whether it took place."""

    treatment: str
    on: date
    attended: bool


class AdverseEvent(Frozen):
    """Harm reported during care; ``treatment`` is None when not linked to one treatment."""

    treatment: str | None
    on: date
    description: Annotated[str, Field(min_length=1)]
    serious: bool


@dataclass(frozen=True, slots=True)
class Scale:
    low: float
    high: float
    whole: bool


@cache
def scale_of(measure: Measure) -> Scale:
    """The measure's range, read from the instrument data files where they define one."""
    if measure == "nrs":
        values = [o.value for o in nrs.definition().items[0].options]
        return Scale(min(values), max(values), whole=True)
    if measure == "peg":
        values = [o.value for item in peg.definition().items for o in item.options]
        return Scale(min(values), max(values), whole=False)
    if measure == "rmdq":
        return Scale(0, sum(item.max_points for item in rmdq.definition().items), whole=True)
    return Scale(0, 100, whole=False)  # the Oswestry is reported as a percent


def checked_value(measure: str, value: object, field: str) -> float:
    """``value`` as a float on ``measure``'s scale.

    Raises ``InvalidInput(field, ...)`` when out of range, or not whole on a whole-number
    scale (NRS, RMDQ); ``InvalidInput('measure', ...)`` for an unknown measure.
    """
    known = next((m for m in MEASURES if m == measure), None)
    if known is None:
        raise InvalidInput(
            "measure", f"unknown measure {measure!r}; allowed: {', '.join(MEASURES)}"
        )
    scale = scale_of(known)
    if scale.whole and isinstance(value, float) and value.is_integer():
        value = int(value)  # 7.0 from a float field is the whole number 7
    return number_in_range(value, scale.low, scale.high, field, whole=scale.whole)
