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


FREE_ALTERNATIVE = {"odi": "rmdq"}
"""What a deployment without a licence for an instrument uses instead (both measure disability
with their own minimal important change)."""


def definition(instrument_id: str) -> InstrumentDefinition[Any]:
    """The instrument's validated data; ``InvalidInput('instrument', ...)`` for an unknown id."""
    return _module(instrument_id).definition()


def usable(instrument_id: str, off: frozenset[str] = frozenset()) -> str | None:
    """The instrument to use for ``instrument_id`` when the deployment has turned ``off`` the
    ones it holds no licence for: itself, its free alternative, or None (nothing to use)."""
    if instrument_id not in off:
        return instrument_id
    alternative = FREE_ALTERNATIVE.get(instrument_id)
    return alternative if alternative is not None and alternative not in off else None


def _module(instrument_id: str) -> Instrument:
    instrument = INSTRUMENTS.get(instrument_id)
    if instrument is None:
        raise InvalidInput(
            "instrument",
            f"unknown instrument {instrument_id!r}; allowed: {', '.join(sorted(INSTRUMENTS))}",
        )
    return instrument


def score(instrument_id: str, answers: object) -> InstrumentResult:
    """Score ``answers`` with the named instrument.

    Raises ``InvalidInput('instrument', ...)`` for an unknown id, and the instrument's own
    ``InvalidInput`` for bad answers.
    """
    return _module(instrument_id).score(answers)


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
