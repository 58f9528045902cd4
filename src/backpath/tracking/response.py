"""Did one measure change by enough to matter? ``responder(measure, baseline, current)``.

Improvement is the instruments' own minimal important change (their data files), so the
threshold lives in one place. Worse is the mirror image: a rise counts as worse when the
same change in reverse would count as an improvement. That keeps the two symmetric, with a
percent rule measured against the higher of the two scores.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from backpath.instruments import nrs, odi, rmdq
from backpath.instruments.change import improved_enough, threshold_of
from backpath.instruments.definition import MinimalImportantChange
from backpath.tracking.records import Frozen, Measure, checked_value

Status = Literal["improved", "no_meaningful_change", "worse"]

# The PEG has no published minimal important change in BackPath's evidence; it is a 0-10
# pain score, so it borrows the NRS rule, and says so in the threshold text.
PEG_NOTE = (
    "The PEG has no published minimal important change in BackPath's evidence, so this "
    "borrows the NRS rule (a 30% drop is a common responder definition for pain scores). "
)


class Response(Frozen):
    measure: Measure
    baseline: float
    current: float
    change: float
    """current - baseline; negative is better on all four measures."""
    percent_change: float | None
    """The change as a percent of baseline, one decimal; None when the baseline is 0."""
    status: Status
    threshold: str
    """The rule applied, in plain words."""
    sources: list[str]


def _mic(measure: Measure) -> MinimalImportantChange:
    if measure == "odi_percent":
        return threshold_of(odi.definition())
    if measure == "rmdq":
        return threshold_of(rmdq.definition())
    return threshold_of(nrs.definition())  # NRS, and the PEG borrowing it


def _improved(measure: Measure, start: float, end: float) -> bool:
    if measure == "nrs":
        return nrs.is_meaningful_improvement(int(start), int(end))
    if measure == "rmdq":
        return rmdq.is_meaningful_improvement(int(start), int(end))
    if measure == "odi_percent":
        return odi.is_meaningful_improvement(start, end)
    return improved_enough(start, end, _mic(measure))


def threshold_text(measure: Measure) -> str:
    """The rule for ``measure`` in plain words, including how PEG borrows the NRS rule."""
    mic = _mic(measure)
    unit = "percentage points" if measure == "odi_percent" else "points"
    amount = f"{mic.points:g} {unit}"
    if mic.percent is not None:
        amount += f" or {mic.percent:g}% of the starting score"
    rule = (
        f"A drop of at least {amount} is a meaningful improvement; a rise is meaningfully "
        "worse when the same change in reverse would be a meaningful improvement."
    )
    return PEG_NOTE + rule if measure == "peg" else rule


def responder(measure: Measure, baseline: float, current: float) -> Response:
    """Classify the change from ``baseline`` to ``current`` on one measure.

    Raises ``InvalidInput('<measure>.baseline' | '<measure>.current', ...)`` for a value off
    the measure's scale, and ``InvalidInput('measure', ...)`` for an unknown measure.
    """
    start = checked_value(measure, baseline, f"{measure}.baseline")
    end = checked_value(measure, current, f"{measure}.current")
    if _improved(measure, start, end):
        status: Status = "improved"
    elif _improved(measure, end, start):
        status = "worse"
    else:
        status = "no_meaningful_change"
    change = Decimal(str(end)) - Decimal(str(start))
    percent = None if start == 0 else float(round(change * 100 / Decimal(str(start)), 1))
    return Response(
        measure=measure,
        baseline=start,
        current=end,
        change=float(change),
        percent_change=percent,
        status=status,
        threshold=threshold_text(measure),
        sources=list(_mic(measure).sources),
    )
