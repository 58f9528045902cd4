"""Validated questionnaires and screens: one module per instrument, each the same shape.

Every instrument module has ``definition()`` (its validated data file under ``data/``),
``score(answers)`` returning a frozen result, and its own tests. To add one, copy a
neighbour, write its data file, and list it in ``INSTRUMENTS``. No Django, no I/O beyond
reading the packaged data files.
"""

from __future__ import annotations

from typing import Any, Protocol

from backpath.errors import InvalidInput
from backpath.instruments import nrs, odi, peg, red_flags, rmdq, startback
from backpath.instruments.definition import InstrumentDefinition
from backpath.instruments.result import InstrumentResult


class Instrument(Protocol):
    """What every instrument module provides."""

    ID: str

    def definition(self) -> InstrumentDefinition[Any]: ...

    def score(self, answers: object) -> InstrumentResult: ...


INSTRUMENTS: dict[str, Instrument] = {
    "nrs": nrs,
    "odi": odi,
    "peg": peg,
    "red_flags": red_flags,
    "rmdq": rmdq,
    "startback": startback,
}


def score(instrument_id: str, answers: object) -> InstrumentResult:
    """Score ``answers`` with the named instrument.

    Raises ``InvalidInput('instrument', ...)`` for an unknown id, and the instrument's own
    ``InvalidInput`` for bad answers.
    """
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        raise InvalidInput(
            "instrument",
            f"unknown instrument {instrument_id!r}; allowed: {', '.join(sorted(INSTRUMENTS))}",
        )
    return instrument.score(answers)


__all__ = [
    "INSTRUMENTS",
    "Instrument",
    "InstrumentResult",
    "nrs",
    "odi",
    "peg",
    "red_flags",
    "rmdq",
    "score",
    "startback",
]
