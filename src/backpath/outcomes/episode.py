"""One episode's result: did the person respond, how soon, and were the questionnaires done?

- **Primary measure**: the first of Oswestry, Roland-Morris, PEG and pain NRS that has both a
  baseline and a later score. Disability comes first because it is the usual primary outcome
  of back-pain care; pain stands in when no disability questionnaire was repeated.
- **Responder**: the last score in the episode improved on the baseline by the instrument's
  minimal important change (``tracking.response.responder``, thresholds from the instruments'
  data files). Each of the four measures is judged the same way on its own.
- **Time to response**: days from the episode's start to the first score that reached it.
- **Questionnaires**: baseline (a disability questionnaire in the plan's scores), review (a
  disability questionnaire or PEG after the first week and before the discharge window, for
  episodes that lasted four weeks or more) and discharge (a disability questionnaire in the
  two weeks before a closed episode ended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from backpath.knowledge import Phase
from backpath.tracking import Measure, Observation
from backpath.tracking.records import scale_of
from backpath.tracking.response import responder

PRIMARY_ORDER: tuple[Measure, ...] = ("odi_percent", "rmdq", "peg", "nrs")
DISABILITY: frozenset[Measure] = frozenset({"odi_percent", "rmdq"})
REVIEW_MEASURES: frozenset[Measure] = DISABILITY | {"peg"}
FIRST_WEEK = dt.timedelta(days=7)
DISCHARGE_WINDOW = dt.timedelta(days=14)
REVIEW_DUE_AFTER = dt.timedelta(days=28)
RED_FLAG_DISPOSITIONS = frozenset({"emergency", "urgent_referral"})


@dataclass(frozen=True)
class EpisodeFacts:
    """What the records say about one episode, gathered by the web layer."""

    opened: dt.date
    closed: dt.date | None
    baseline: Mapping[Measure, float]
    observations: tuple[Observation, ...] = ()
    phase: Phase | None = None
    startback: str | None = None
    age: int | None = None
    duration_weeks: float | None = None
    disposition: str | None = None
    accepted: frozenset[str] = frozenset()
    """Treatments the patient was offered: line 1 of the plan they were given, and items a
    clinician accepted or added."""
    sessions: Mapping[str, int] = field(default_factory=dict)
    """Attended clinic sessions per treatment."""
    adverse_events: int = 0
    serious_adverse_events: int = 0
    exercises_due: int = 0
    exercises_done: int = 0


@dataclass(frozen=True)
class EpisodeOutcome:
    primary: Measure | None
    responder: bool | None
    """None when no measure has a baseline and a later score."""
    by_measure: dict[Measure, bool | None]
    days_to_response: int | None
    baseline_severity: float | None
    """The primary measure's baseline as a share of its scale (0 best, 1 worst)."""
    baseline_done: bool
    review_done: bool | None
    """None when the episode was too short for a review to be due."""
    discharge_done: bool | None
    """None for an open episode."""
    red_flag_referral: bool


def _follow_ups(facts: EpisodeFacts, measure: Measure, today: dt.date) -> list[Observation]:
    end = facts.closed or today
    return sorted(
        (o for o in facts.observations
         if o.measure == measure and facts.opened < o.on <= end),
        key=lambda o: o.on,
    )  # fmt: skip


def _improved(measure: Measure, baseline: float, value: float) -> bool:
    return responder(measure, baseline, value).status == "improved"


def outcome_of(facts: EpisodeFacts, today: dt.date) -> EpisodeOutcome:
    """The episode's result as of ``today`` (the end of an open episode).

    Raises the tracking domain's ``InvalidInput`` for a score off its measure's scale.
    """
    by_measure: dict[Measure, bool | None] = {}
    primary: Measure | None = None
    for measure in PRIMARY_ORDER:
        later = _follow_ups(facts, measure, today)
        if measure not in facts.baseline or not later:
            by_measure[measure] = None
            continue
        by_measure[measure] = _improved(measure, facts.baseline[measure], later[-1].value)
        primary = primary or measure
    days = None
    severity = None
    if primary is not None:
        base = facts.baseline[primary]
        severity = round(base / scale_of(primary).high, 4)
        first = next((o for o in _follow_ups(facts, primary, today)
                      if _improved(primary, base, o.value)), None)  # fmt: skip
        if first is not None and by_measure[primary]:
            days = (first.on - facts.opened).days
    return EpisodeOutcome(
        primary=primary,
        responder=by_measure[primary] if primary else None,
        by_measure=by_measure,
        days_to_response=days,
        baseline_severity=severity,
        baseline_done=bool(DISABILITY & set(facts.baseline)),
        review_done=_review_done(facts, today),
        discharge_done=_discharge_done(facts),
        red_flag_referral=facts.disposition in RED_FLAG_DISPOSITIONS,
    )


def _review_done(facts: EpisodeFacts, today: dt.date) -> bool | None:
    end = facts.closed or today
    if end - facts.opened < REVIEW_DUE_AFTER:
        return None
    start = facts.opened + FIRST_WEEK
    stop = end - DISCHARGE_WINDOW if facts.closed else end
    return any(start < o.on <= stop for o in facts.observations if o.measure in REVIEW_MEASURES)


def _discharge_done(facts: EpisodeFacts) -> bool | None:
    if facts.closed is None:
        return None
    start = facts.closed - DISCHARGE_WINDOW
    return any(
        start <= o.on <= facts.closed and o.on > facts.opened
        for o in facts.observations
        if o.measure in DISABILITY
    )
