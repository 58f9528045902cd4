"""Schema of ``policy.yaml``: plan-wide numbers the engine uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backpath.knowledge.models import SourceIds, Tier


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PhaseCutoffs(_Strict):
    subacute_from: float = Field(gt=0)
    chronic_over: float = Field(gt=0)
    sources: SourceIds


class ReviewWeeks(_Strict):
    acute: float = Field(gt=0)
    subacute: float = Field(gt=0)
    chronic: float = Field(gt=0)
    urgent_referral: float = Field(gt=0)
    sources: SourceIds


class ConservativeCare(_Strict):
    min_weeks: float = Field(gt=0)
    responses: list[str]
    sources: SourceIds


class PriorNonResponse(_Strict):
    min_weeks: float = Field(gt=0)
    sources: SourceIds


class OlderAdult(_Strict):
    age: int = Field(ge=16, le=120)
    sources: SourceIds


class Policy(_Strict):
    phase_cutoffs_weeks: PhaseCutoffs
    review_in_weeks: ReviewWeeks
    adequate_conservative_care: ConservativeCare
    prior_non_response: PriorNonResponse
    older_adult: OlderAdult
    budget_tiers: dict[Tier, list[Tier]]

    def source_ids(self) -> set[str]:
        ids: set[str] = set()
        for part in (
            self.phase_cutoffs_weeks,
            self.review_in_weeks,
            self.adequate_conservative_care,
            self.prior_non_response,
            self.older_adult,
        ):
            ids.update(part.sources)
        return ids
