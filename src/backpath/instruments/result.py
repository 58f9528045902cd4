"""The shape every instrument result shares, and how numbers are rounded for reporting."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict


class InstrumentResult(BaseModel):
    """Base of every ``score`` result.

    ``scored`` is False when the answers are valid but the published rule declines to give a
    score (e.g. too many ODI sections missing); ``reason`` then says why in plain words.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    instrument: str
    scored: bool = True
    reason: str | None = None

    @property
    def headline(self) -> float | None:
        """The one number a diary charts and compares this result by (pain now, PEG mean,
        Oswestry percent, Roland-Morris total, STarT Back total); None when the answers are
        valid but not scored, or when the instrument has no single number (red flags)."""
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples become lists)."""
        return self.model_dump(mode="json")


def rounded(numerator: int, denominator: int, places: int) -> float:
    """``numerator / denominator`` rounded half up to ``places`` decimals.

    Exact decimal arithmetic, so a score never lands on the wrong side of a band because of
    binary floating point or Python's round-half-to-even.
    """
    quotient = Decimal(numerator) / Decimal(denominator)
    return float(quotient.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))
