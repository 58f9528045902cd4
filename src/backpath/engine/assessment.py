"""``assess(intake) -> Assessment``: triage, phase, risk group and scores.

Triage (``engine.triage``: the red-flag screen, the condition list, episode and age) decides
the disposition before anything else (safety rules 1 and 9); the plan is built from the
assessment afterwards, so no treatment logic can run ahead of triage.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from backpath.engine.intake import Intake
from backpath.engine.triage import Concern, Contradiction, Triage, triage_of
from backpath.instruments import odi, peg, rmdq, startback
from backpath.knowledge import Phase, load_knowledge

__all__ = ["Assessment", "Concern", "Contradiction", "Risk", "Scores", "Triage", "assess"]

RiskGroup = Literal["low", "medium", "high"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Risk(_Frozen):
    startback: RiskGroup
    startback_total: int
    startback_psychosocial: int


class Scores(_Frozen):
    nrs: int
    odi_percent: float | None = None
    rmdq: int | None = None
    peg: float | None = None
    notes: list[str] = []


class Assessment(_Frozen):
    intake: Intake
    triage: Triage
    phase: Phase
    risk: Risk | None
    scores: Scores
    conditions: frozenset[str]
    """Condition tags the person carries, including those BackPath derives (pregnancy, age)
    and those triage keeps when the intake contradicts itself (resolved towards safety)."""


def phase_of(duration_weeks: float) -> Phase:
    """acute < 4 weeks, subacute 4 to 12, chronic > 12 (cut-offs from policy.yaml)."""
    cut = load_knowledge().policy.phase_cutoffs_weeks
    if duration_weeks < cut.subacute_from:
        return "acute"
    if duration_weeks <= cut.chronic_over:
        return "subacute"
    return "chronic"


def _scores(intake: Intake) -> tuple[Scores, Risk | None]:
    q = intake.questionnaires
    notes: list[str] = []
    risk = None
    if q.startback is not None:
        sb = startback.score(q.startback)
        risk = Risk(
            startback=sb.group,
            startback_total=sb.total,
            startback_psychosocial=sb.psychosocial,
        )
    odi_percent = None
    if q.odi is not None:
        o = odi.score(q.odi)
        if o.scored:
            odi_percent = o.percent
        else:
            notes.append(f"Oswestry not scored: {o.reason}")
    scores = Scores(
        nrs=intake.pain.nrs_now,
        odi_percent=odi_percent,
        rmdq=rmdq.score(q.rmdq).total if q.rmdq is not None else None,
        peg=peg.score(q.peg).mean if q.peg is not None else None,
        notes=notes,
    )
    return scores, risk


def _conditions(intake: Intake) -> frozenset[str]:
    kb = load_knowledge()
    tags: set[str] = set(intake.conditions)
    if intake.patient.pregnant:
        tags.add("pregnancy")
    if intake.patient.age >= kb.policy.older_adult.age:
        tags.add("older_adult")
    for cond in kb.conditions.values():
        if cond.derived_from and "." in cond.derived_from and " " not in cond.derived_from:
            value = _field(intake, cond.derived_from)
            if value is True or (cond.derived_values and value in cond.derived_values):
                tags.add(cond.id)
    return frozenset(tags)


def _field(intake: Intake, path: str) -> object:
    """The intake value at a dotted path such as ``episode.region`` (None when absent)."""
    value: object = intake
    for part in path.split("."):
        value = getattr(value, part, None)
    return value


def assess(intake: Intake) -> Assessment:
    """Screen, stage and score one intake. Pure: same intake, same assessment."""
    scores, risk = _scores(intake)
    phase = phase_of(intake.episode.duration_weeks)
    triage, kept = triage_of(intake, phase)
    return Assessment(
        intake=intake,
        triage=triage,
        phase=phase,
        risk=risk,
        scores=scores,
        conditions=_conditions(intake) | kept,
    )
