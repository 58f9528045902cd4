"""PEG: three 0-10 items (pain, enjoyment, general activity); the score is their mean."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from backpath.instruments.answers import answer_list
from backpath.instruments.definition import InstrumentDefinition, Scoring, load_definition
from backpath.instruments.result import InstrumentResult, rounded

ID = "peg"


class PegScoring(Scoring):
    decimals: Annotated[int, Field(ge=0, le=3)]


class PegResult(InstrumentResult):
    instrument: Literal["peg"] = "peg"
    mean: float
    """0-10, higher is worse; no bands (published ones are unvalidated)."""

    @property
    def headline(self) -> float | None:
        return self.mean


def definition() -> InstrumentDefinition[PegScoring]:
    """The validated data file (``data/peg.yaml``); raises KnowledgeBaseError if it is bad."""
    return load_definition(ID, PegScoring)


def score(answers: object) -> PegResult:
    """Score three answers, each an int 0-10.

    Raises ``InvalidInput('peg' | 'peg[i]', ...)`` on a wrong length or a bad answer.
    """
    spec = definition()
    values = answer_list(answers, spec.items, ID)
    total = sum(item.points_for(v) for item, v in zip(spec.items, values, strict=True))
    return PegResult(mean=rounded(total, len(values), spec.scoring.decimals))
