"""Schema of ``triage.yaml``: how the condition list and the rest of the intake shape triage.

The red-flag screen (``instruments/data/red_flags.yaml``) says what each answered flag means.
This file adds what the screen alone cannot know:

- ``condition_flags``: a condition on the list counts as a red flag (active cancer is a cancer
  history); when the screen answered that flag "no", the disagreement is a named
  contradiction, resolved towards the flag.
- ``contradictions``: other disagreements in the intake, each named and resolved by keeping
  the condition tags that make care safer.
- ``rules``: combinations of flags with episode facts (leg pain, region) that set a
  disposition, like the screen's own rules.
- ``weak_flags``: flags that on their own, in the phases given, are a reason to look closer
  (a named concern with a review date) rather than an urgent referral.
- ``concerns``: facts that are a reason to look closer (age with a first episode, ...).

Every entry cites sources; the engine (``engine.triage``) only applies them.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from backpath.knowledge.models import LegPain, Phase, SourceIds, Text

Disposition = Literal["emergency", "urgent_referral", "referral_with_plan", "proceed"]
DISPOSITIONS: tuple[Disposition, ...] = (
    "emergency",
    "urgent_referral",
    "referral_with_plan",
    "proceed",
)
"""Most severe first; the same order as the plan contract's enum."""
Suspect = Literal[
    "cauda_equina",
    "metastatic_spinal_cord_compression",
    "malignancy",
    "infection",
    "fracture",
    "neurological_deficit",
    "axial_spondyloarthritis",
]


Timeframe = Literal["immediately", "same_day", "within_24_hours", "within_days", "routine"]
TIMEFRAMES: dict[Timeframe, tuple[Disposition, str]] = {
    "immediately": ("emergency", "now"),
    "same_day": ("urgent_referral", "today"),
    "within_24_hours": ("urgent_referral", "within 24 hours"),
    "within_days": ("urgent_referral", "within days"),
    "routine": ("referral_with_plan", "not urgent"),
}
"""Each timeframe, most urgent first, with the one disposition it belongs to and its words."""


def severity(disposition: Disposition) -> int:
    """0 for proceed, rising with urgency; compare dispositions with this."""
    return len(DISPOSITIONS) - 1 - DISPOSITIONS.index(disposition)


Region = Literal["low_back", "mid_back", "upper_back", "whole_back"]
Sex = Literal["female", "male", "other", "unknown"]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class When(_Strict):
    """Facts of one intake; every key given must hold (a list holds when any value matches)."""

    flags: list[Identifier] | None = Field(
        default=None, description="Any of these red flags present (after conditions count)."
    )
    conditions: list[Identifier] | None = Field(
        default=None, description="Any of these tags on the intake's condition list."
    )
    leg_pain: list[LegPain] | None = None
    region: list[Region] | None = None
    sex: list[Sex] | None = None
    pregnant: list[bool] | None = Field(default=None, description="patient.pregnant, if given.")
    phases: list[Phase] | None = None
    age_over: int | None = Field(default=None, ge=0, le=120)
    age_under: int | None = Field(default=None, ge=0, le=121)
    prior_episodes: list[int | None] | None = Field(
        default=None, description="episode.prior_episodes is one of these (null: not recorded)."
    )
    any_of: list[When] | None = Field(default=None, description="At least one of these holds.")

    def flag_ids(self) -> set[str]:
        return set(self.flags or ()) | {f for w in self.any_of or () for f in w.flag_ids()}

    def condition_tags(self) -> set[str]:
        nested = {c for w in self.any_of or () for c in w.condition_tags()}
        return set(self.conditions or ()) | nested


class ConditionFlag(_Strict):
    condition: Identifier
    flag: Identifier
    found: Text = Field(description="The disagreement, when the screen answered the flag no.")
    resolution: Text = Field(description="How it is resolved towards safety.")
    sources: SourceIds


class ContradictionRule(_Strict):
    id: Identifier
    when: When
    found: Text = Field(description="What disagrees, in plain words.")
    resolution: Text = Field(description="How it is resolved towards safety.")
    keep_conditions: list[Identifier] = Field(
        default_factory=list, description="Condition tags the person is treated as carrying."
    )
    sources: SourceIds


class TriageRule(_Strict):
    """A combination of flags with episode facts; fires like a red-flag rule."""

    id: Identifier
    label: Text
    when: When
    suspects: Annotated[list[Identifier], Field(min_length=1)]
    disposition: Literal["emergency", "urgent_referral", "referral_with_plan"]
    timeframe: Literal["immediately", "same_day", "within_24_hours", "within_days", "routine"]
    action: Text
    public_action: Text
    """The action in everyday words, for the person themself."""
    safety_net: Text | None = None
    sources: SourceIds


class ConcernText(_Strict):
    id: Identifier
    label: Text
    text: Text = Field(description="What to look at, for the clinician.")
    review_within_days: int = Field(ge=1, le=90)
    sources: SourceIds


class WeakFlag(_Strict):
    flag: Identifier
    phases: list[Phase] = Field(min_length=1, description="Phases in which it is weak alone.")
    unless_concerns: list[Identifier] = Field(
        default_factory=list,
        description="Concerns that, together with the flag, keep the flag's own urgent rule.",
    )
    concern: ConcernText


class ConcernRule(ConcernText):
    when: When


class TriageRules(_Strict):
    condition_flags: list[ConditionFlag]
    contradictions: list[ContradictionRule]
    rules: list[TriageRule]
    weak_flags: list[WeakFlag]
    concerns: list[ConcernRule]

    @model_validator(mode="after")
    def _ids_are_unique(self) -> TriageRules:
        ids = [c.id for c in self.contradictions] + [r.id for r in self.rules]
        ids += [w.concern.id for w in self.weak_flags] + [c.id for c in self.concerns]
        if repeated := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"ids must be unique; repeated: {', '.join(repeated)}")
        concern_ids = {c.id for c in self.concerns}
        for w in self.weak_flags:
            if unknown := [c for c in w.unless_concerns if c not in concern_ids]:
                raise ValueError(f"weak flag {w.flag}: unknown concerns {', '.join(unknown)}")
        return self

    def source_ids(self) -> set[str]:
        parts: list[ConditionFlag | ContradictionRule | TriageRule | ConcernText] = [
            *self.condition_flags, *self.contradictions, *self.rules, *self.concerns,
            *(w.concern for w in self.weak_flags),
        ]  # fmt: skip
        return {s for part in parts for s in part.sources}

    def flag_ids(self) -> set[str]:
        """Every red-flag id the rules name, for the cross-check with the screen."""
        ids = {c.flag for c in self.condition_flags} | {w.flag for w in self.weak_flags}
        for when in self._whens():
            ids |= when.flag_ids()
        return ids

    def _whens(self) -> list[When]:
        parts: list[ContradictionRule | TriageRule | ConcernRule] = [
            *self.contradictions, *self.rules, *self.concerns,
        ]  # fmt: skip
        return [p.when for p in parts]

    def condition_tags(self) -> set[str]:
        """Every condition tag the rules name, for the cross-check with conditions.yaml."""
        tags = {c.condition for c in self.condition_flags}
        for c in self.contradictions:
            tags |= set(c.keep_conditions)
        for when in self._whens():
            tags |= when.condition_tags()
        return tags
