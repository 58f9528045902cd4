"""Schema of ``policy.yaml``: plan-wide numbers the engine uses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from backpath.knowledge.models import Category, SourceIds, Text, Tier


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


class AdviceAndActivityOnly(_Strict):
    """No pain and at most minimal disability: only these categories are offered."""

    max_nrs: int = Field(ge=0, le=10)
    max_odi_percent: float = Field(ge=0, le=100)
    max_rmdq: int = Field(ge=0, le=24)
    categories: list[Category]
    why: Text
    sources: SourceIds


class NoPromotion(_Strict):
    """Categories a pain-score line rule never lifts while a relative contraindication applies."""

    categories: list[Category]
    why: Text
    sources: SourceIds


class ExerciseAfterFailure(_Strict):
    """Exercise that failed or flared is offered again changed, not dropped or repeated."""

    flared: Text
    failed: Text
    promote: list[str] = Field(description="Treatments moved to line 1 when exercise failed.")
    promote_why: Text
    sources: SourceIds


class LineLimits(_Strict):
    """How many of one kind a plan lists at one line."""

    one_at_line_1: list[Category] = Field(
        description="At most one treatment of these categories at line 1."
    )
    preferred: list[str] = Field(
        description="Which one stays at line 1 when several qualify, best supported first."
    )
    one_per_group_at_line_2: bool = Field(
        description="Of equivalent options at line 2, the best is listed; the rest are shown "
        "as alternatives to it."
    )
    sources: SourceIds


class Policy(_Strict):
    phase_cutoffs_weeks: PhaseCutoffs
    review_in_weeks: ReviewWeeks
    adequate_conservative_care: ConservativeCare
    prior_non_response: PriorNonResponse
    older_adult: OlderAdult
    budget_tiers: dict[Tier, list[Tier]]
    advice_and_activity_only: AdviceAndActivityOnly
    no_promotion: NoPromotion
    exercise_after_failure: ExerciseAfterFailure
    line_limits: LineLimits

    def source_ids(self) -> set[str]:
        ids: set[str] = set()
        for part in (
            self.phase_cutoffs_weeks,
            self.review_in_weeks,
            self.adequate_conservative_care,
            self.prior_non_response,
            self.older_adult,
            self.advice_and_activity_only,
            self.no_promotion,
            self.exercise_after_failure,
            self.line_limits,
        ):
            ids.update(part.sources)
        return ids
