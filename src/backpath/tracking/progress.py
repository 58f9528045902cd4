"""``summarise(...) -> Progress``: where a person stands against their baseline, as of a day.

Missing data is expected (people skip diary entries and questionnaires): a measure without a
follow-up, or without a baseline, is left out of the responses and named in ``notes``. The
overall status is judged on pain, the outcome every plan tracks: NRS, or the PEG when no NRS
follow-up exists. With no follow-up pain score the status is ``unknown`` unless another
measure got meaningfully worse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Literal

from backpath.errors import InvalidInput
from backpath.knowledge import load_knowledge
from backpath.tracking.records import (
    MEASURE_LABELS,
    MEASURES,
    AdverseEvent,
    Frozen,
    Measure,
    Observation,
    SessionRecord,
    checked_value,
)
from backpath.tracking.response import Response, responder

OverallStatus = Literal["improved", "no_meaningful_change", "worse", "unknown"]
PAIN_MEASURES: tuple[Measure, ...] = ("nrs", "peg")
"""In order of preference for judging the overall response."""


class LatestValue(Frozen):
    measure: Measure
    value: float
    on: date


class Attendance(Frozen):
    treatment: str
    attended: int
    planned: int
    """Sessions planned on or before the summary's day."""
    upcoming: int
    """Sessions planned after it."""

    @property
    def rate(self) -> float | None:
        return self.attended / self.planned if self.planned else None


class Progress(Frozen):
    today: date
    baseline: dict[Measure, float]
    latest: dict[Measure, LatestValue]
    responses: dict[Measure, Response]
    """One per measure with both a baseline and a follow-up."""
    status: OverallStatus
    status_measure: Measure | None
    """The measure that decided ``status``; None when it is unknown."""
    attendance: list[Attendance]
    """Per treatment, sorted by treatment id."""
    adverse_events: list[AdverseEvent]
    """Oldest first."""
    notes: list[str]

    def attended(self, treatment: str) -> int:
        """Sessions of ``treatment`` attended so far (0 when none are recorded)."""
        return sum(a.attended for a in self.attendance if a.treatment == treatment)

    def sessions_of(self, treatments: Iterable[str]) -> tuple[int, int]:
        """(attended, planned so far) summed over ``treatments``."""
        chosen = set(treatments)
        rows = [a for a in self.attendance if a.treatment in chosen]
        return sum(a.attended for a in rows), sum(a.planned for a in rows)


def _baseline(baseline: Mapping[Measure, float]) -> dict[Measure, float]:
    out: dict[Measure, float] = {}
    for key, value in baseline.items():
        measure = next((m for m in MEASURES if m == key), None)
        if measure is None:
            raise InvalidInput(
                f"baseline.{key}", f"unknown measure; allowed: {', '.join(MEASURES)}"
            )
        out[measure] = checked_value(measure, value, f"baseline.{key}")
    return out


def _not_after(on: date, today: date, field: str) -> None:
    if on > today:
        raise InvalidInput(field, f"{on.isoformat()} is after today ({today.isoformat()})")


def _known_treatment(treatment: str, field: str) -> None:
    if treatment not in load_knowledge().treatments:
        raise InvalidInput(field, f"unknown treatment {treatment!r}")


def _latest(observations: Sequence[Observation], today: date) -> dict[Measure, LatestValue]:
    latest: dict[Measure, LatestValue] = {}
    for i, o in enumerate(observations):
        value = checked_value(o.measure, o.value, f"observations[{i}].value")
        _not_after(o.on, today, f"observations[{i}].on")
        seen = latest.get(o.measure)
        if seen is None or o.on >= seen.on:  # same day: the later entry wins
            latest[o.measure] = LatestValue(measure=o.measure, value=value, on=o.on)
    return {m: latest[m] for m in MEASURES if m in latest}


def _attendance(sessions: Sequence[SessionRecord], today: date) -> list[Attendance]:
    counts: dict[str, list[int]] = {}
    for i, s in enumerate(sessions):
        _known_treatment(s.treatment, f"sessions[{i}].treatment")
        if s.on > today and s.attended:
            raise InvalidInput(
                f"sessions[{i}].attended", "a session after today cannot have been attended"
            )
        row = counts.setdefault(s.treatment, [0, 0, 0])
        if s.on > today:
            row[2] += 1
        else:
            row[0] += s.attended
            row[1] += 1
    return [
        Attendance(treatment=t, attended=a, planned=p, upcoming=u)
        for t, (a, p, u) in sorted(counts.items())
    ]


def _events(events: Sequence[AdverseEvent], today: date) -> list[AdverseEvent]:
    for i, e in enumerate(events):
        if e.treatment is not None:
            _known_treatment(e.treatment, f"adverse_events[{i}].treatment")
        _not_after(e.on, today, f"adverse_events[{i}].on")
    return sorted(events, key=lambda e: e.on)


def _overall(responses: dict[Measure, Response]) -> tuple[OverallStatus, Measure | None]:
    pain = next((m for m in PAIN_MEASURES if m in responses), None)
    if pain is not None and responses[pain].status == "improved":
        return "improved", pain
    worse = next((m for m, r in responses.items() if r.status == "worse"), None)
    if worse is not None:
        return "worse", worse
    return ("no_meaningful_change", pain) if pain is not None else ("unknown", None)


def _notes(
    base: dict[Measure, float],
    latest: dict[Measure, LatestValue],
    responses: dict[Measure, Response],
    status: OverallStatus,
) -> list[str]:
    notes = []
    for m in MEASURES:
        if m in base and m not in latest:
            notes.append(f"{MEASURE_LABELS[m]}: no follow-up score since baseline.")
        elif m in latest and m not in base:
            notes.append(f"{MEASURE_LABELS[m]}: no baseline, so its change cannot be judged.")
    if not any(m in responses for m in PAIN_MEASURES):
        notes.append("No follow-up pain score (NRS or PEG): record one to judge the response.")
    if status == "improved":
        notes += [
            f"{MEASURE_LABELS[m]} got meaningfully worse although pain improved; review it."
            for m, r in responses.items()
            if r.status == "worse"
        ]
    return notes


def summarise(
    baseline: Mapping[Measure, float],
    observations: Sequence[Observation],
    sessions: Sequence[SessionRecord],
    adverse_events: Sequence[AdverseEvent],
    today: date,
) -> Progress:
    """Summarise follow-up data as of ``today``. Pure; sessions after today count as upcoming.

    Raises ``InvalidInput`` naming the field (``baseline.nrs``, ``observations[i].value``,
    ``observations[i].on``, ``sessions[i].treatment``, ``adverse_events[i].on``, ...) for a
    score off its scale, a date after today, an unknown treatment id, or a future session
    marked as attended.
    """
    base = _baseline(baseline)
    latest = _latest(observations, today)
    responses = {
        m: responder(m, base[m], latest[m].value) for m in MEASURES if m in base and m in latest
    }
    status, decided_by = _overall(responses)
    return Progress(
        today=today,
        baseline=base,
        latest=latest,
        responses=responses,
        status=status,
        status_measure=decided_by,
        attendance=_attendance(sessions, today),
        adverse_events=_events(adverse_events, today),
        notes=_notes(base, latest, responses, status),
    )
