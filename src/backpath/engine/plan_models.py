"""The plan (``contract/plan.schema.json``) as immutable pydantic models.

``Plan.to_json_dict()`` is the contract's JSON: what ``backpath assess --format json`` prints
and what ``POST /api/v1/assess`` returns.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from backpath.engine.assessment import Risk, Triage
from backpath.engine.program_models import HomeProgram
from backpath.knowledge import Phase

Reason = Literal[
    "contraindicated",
    "interaction",
    "preference",
    "evidence_against",
    "insufficient_evidence",
    "not_indicated_now",
    "investigational",
    "red_flag",
    "budget",
    "not_offered",
    "clinical_judgement",
]
REASON_LABELS: dict[str, str] = {
    "contraindicated": "Contraindicated",
    "interaction": "Interaction with a medicine or condition",
    "preference": "The patient's preference",
    "evidence_against": "Evidence against",
    "insufficient_evidence": "Insufficient evidence",
    "not_indicated_now": "Not indicated now",
    "investigational": "Investigational (research only)",
    "red_flag": "Red flag: not until serious disease is ruled out",
    "budget": "Outside the patient's budget",
    "not_offered": "Not offered at this clinic",
    "clinical_judgement": "Clinical judgement",
}
"""Human labels for the contract's not-recommended reasons (pages, CLI, plan edits)."""
Profile = Literal["consensus", "acp", "nice", "who"]
PROFILES: tuple[Profile, ...] = ("consensus", "acp", "nice", "who")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Schedule(_Frozen):
    per_week: int | None = None
    minutes: int | None = None
    weeks: float | None = None
    sessions: int | None = None
    routine: str | None = None


class RecommendedItem(_Frozen):
    treatment: str
    name: str
    category: str
    line: int
    why: str
    precautions: tuple[str, ...]
    schedule: Schedule
    sources: tuple[str, ...]
    alternative_to: str | None = None
    """At line 2: an equivalent option kept as an alternative to this treatment id, listed
    after it rather than on its own (an extra field the contract allows)."""


class NotRecommendedItem(_Frozen):
    treatment: str
    name: str
    reason: Reason
    why: str
    sources: tuple[str, ...]


class PlanScores(_Frozen):
    nrs: int
    odi_percent: float | None = None
    rmdq: int | None = None
    peg: float | None = None


class Plan(_Frozen):
    schema_: Literal["backpath.plan/1"] = "backpath.plan/1"
    triage: Triage
    phase: Phase
    risk: Risk | None
    scores: PlanScores
    guideline_profile: Profile
    recommended: list[RecommendedItem]
    not_recommended: list[NotRecommendedItem]
    review_in_weeks: float | None
    notes: list[str]
    disclaimer: str
    home_program: HomeProgram | None = None
    """The exercises of the plan's exercise-based items (docs/home-program.md); an extra field
    the contract allows."""

    def to_json_dict(self) -> dict[str, Any]:
        """The contract JSON; optional fields that are unknown are left out, not null."""
        data = self.model_dump(mode="json", exclude_none=True)
        return {"schema": data.pop("schema_"), **data}


def nest_alternatives(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Items listed once: an equivalent option marked ``alternative_to`` another item of the
    same list goes into that item's ``alternatives`` instead of standing on its own."""
    listed = {i["treatment"]: {**i, "alternatives": []} for i in items}
    out = []
    for item in listed.values():
        primary = listed.get(item.get("alternative_to") or "")
        if primary is not None and primary is not item:
            primary["alternatives"].append(item)
        else:
            out.append(item)
    return out
