"""Minimal important change: did a score improve by enough to matter to the person?

Lower scores are better on every instrument that uses this (pain, disability). Thresholds
come from each data file's ``minimal_important_change`` block, never from code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from backpath.errors import KnowledgeBaseError
from backpath.instruments.definition import InstrumentDefinition, MinimalImportantChange


def threshold_of(definition: InstrumentDefinition[Any]) -> MinimalImportantChange:
    """The instrument's threshold; raises ``KnowledgeBaseError`` if its data file lacks one."""
    if definition.minimal_important_change is None:
        raise KnowledgeBaseError(
            f"{definition.id}.yaml", "minimal_important_change", "required for this instrument"
        )
    return definition.minimal_important_change


def improved_enough(baseline: float, now: float, threshold: MinimalImportantChange) -> bool:
    """True when the drop reaches ``points``, or ``percent`` of baseline when that is set.

    A score that stayed the same or got worse is never an improvement, whatever the baseline.
    Decimal arithmetic keeps 35.6 -> 25.6 a drop of exactly 10.
    """
    start, end = Decimal(str(baseline)), Decimal(str(now))
    drop = start - end
    if drop <= 0:
        return False
    if drop >= Decimal(str(threshold.points)):
        return True
    if threshold.percent is None:
        return False
    return drop * 100 >= Decimal(str(threshold.percent)) * start
