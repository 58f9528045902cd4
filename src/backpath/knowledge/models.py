"""Schema of the clinical knowledge base.

Every YAML file under ``knowledge/data`` is validated against these models when loaded.
Models are frozen: the knowledge base is read-only once loaded. Unknown keys are rejected so
that a typo in a clinician's edit fails loudly instead of being silently ignored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Phase = Literal["acute", "subacute", "chronic"]
PHASES: tuple[Phase, ...] = ("acute", "subacute", "chronic")
RiskGroup = Literal["low", "medium", "high"]
LegPain = Literal["none", "above_knee", "below_knee"]
SourceIds = Annotated[list[str], Field(min_length=1)]
Text = Annotated[str, Field(min_length=3)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(StrEnum):
    self_care = "self_care"
    active_therapy = "active_therapy"
    manual_therapy = "manual_therapy"
    device = "device"
    psychological = "psychological"
    medication = "medication"
    supplement = "supplement"
    interventional = "interventional"
    investigational = "investigational"


class PreferenceTag(StrEnum):
    needles = "needles"
    medication = "medication"
    manual_therapy = "manual_therapy"
    devices = "devices"
    supplements = "supplements"
    injections = "injections"
    group_classes = "group_classes"


class Tier(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Invasiveness(StrEnum):
    none = "none"
    minimal = "minimal"
    moderate = "moderate"
    high = "high"


class Verdict(StrEnum):
    """A guideline's stance on a treatment for one phase."""

    recommend = "recommend"  # recommended or "consider" (any strength in favour)
    against = "against"  # recommends against / "do not offer"
    insufficient = "insufficient"  # evidence judged insufficient / no recommendation made
    not_addressed = "not_addressed"  # silent, or outside the guideline's scope


class ConsensusVerdict(StrEnum):
    """BackPath's documented consensus policy for one phase."""

    recommend = "recommend"
    against = "against"
    insufficient = "insufficient"
    not_indicated = "not_indicated"
    investigational = "investigational"


SourceKind = Literal[
    "guideline",
    "systematic_review",
    "trial",
    "regulatory",
    "framework",
    "clinical_reference",
    "editorial",
    "patient_information",
    "marketing",
]
NOT_EVIDENCE_KINDS: frozenset[str] = frozenset({"patient_information", "marketing"})
CLINICAL_SOURCE_KINDS: frozenset[str] = frozenset(get_args(SourceKind)) - NOT_EVIDENCE_KINDS
"""Kinds a clinical statement may cite. ``editorial`` is BackPath's own clinical review of a
fact no named source confirms yet; it must be marked unverified, so it is always shown as "to be
verified". ``patient_information`` (a health service's leaflet for the public) and
``marketing`` (a clinic's, a company's or a blog's page) are never evidence."""


class Source(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    kind: SourceKind
    authors: Text
    year: int = Field(ge=1950, le=2100)
    title: Text
    published_in: str | None = None
    doi: str | None = None
    url: str | None = None
    verified: bool = Field(
        description="False when the evidence file marks the fact as not yet confirmed (M)."
    )
    note: str | None = None

    @model_validator(mode="after")
    def _editorial_is_unverified(self) -> Source:
        if self.kind == "editorial" and self.verified:
            raise ValueError("an editorial source is BackPath's own review: verified must be false")
        return self

    @property
    def clinical(self) -> bool:
        """Whether a clinical statement may cite this source (see ``CLINICAL_SOURCE_KINDS``)."""
        return self.kind in CLINICAL_SOURCE_KINDS

    @property
    def href(self) -> str:
        """Where a reader can find it: the DOI link when there is a DOI, else the URL, else ""."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return self.url or ""


class Condition(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    label: Text
    description: Text
    derived_from: str | None = Field(
        default=None, description="Intake field this tag is derived from, when not entered."
    )
    derived_values: list[str] | None = Field(
        default=None,
        description="The values of ``derived_from`` that set the tag (none given: true sets it).",
    )
    plan_note: str | None = Field(
        default=None, description="A note every plan of a person carrying the tag shows."
    )
    sources: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _note_needs_source(self) -> Condition:
        if self.plan_note and not self.sources:
            raise ValueError("a plan_note is a clinical statement and needs sources")
        if self.derived_values and not self.derived_from:
            raise ValueError("derived_values needs derived_from")
        return self


class Course(Strict):
    """A typical course: clinic sessions, or a home routine."""

    delivery: Literal["sessions", "home_routine", "medication", "procedure"]
    minutes_per_session: int | None = Field(default=None, ge=1, le=600)
    sessions_per_week: int | None = Field(default=None, ge=1, le=14)
    weeks: float | None = Field(default=None, gt=0, le=104)
    routine: str | None = Field(default=None, description="Plain words, e.g. 'daily, 20 minutes'.")

    @model_validator(mode="after")
    def _sessions_need_numbers(self) -> Course:
        if self.delivery == "sessions" and not (
            self.minutes_per_session and self.sessions_per_week and self.weeks
        ):
            raise ValueError(
                "a course delivered in sessions needs minutes_per_session, "
                "sessions_per_week and weeks"
            )
        if self.delivery != "sessions" and not self.routine:
            raise ValueError(f"a course delivered as {self.delivery} needs a routine")
        return self


class AfterFailed(Strict):
    """A guideline's precondition: each step names treatments of which at least one must
    have been tried without enough benefit (response none or partial) or not tolerated."""

    steps: Annotated[list[Annotated[list[str], Field(min_length=1)]], Field(min_length=1)]
    description: Text = Field(description="The precondition in plain words.")


class GuidelineVerdict(Strict):
    verdict: Verdict
    strength: str | None = Field(default=None, description="e.g. strong, weak, conditional")
    certainty: Literal["high", "moderate", "low", "very_low"] | None = None
    note: str | None = None
    sources: list[str] = Field(default_factory=list)
    after_failed: AfterFailed | None = Field(
        default=None, description="A recommendation that holds only after these have failed."
    )

    @model_validator(mode="after")
    def _stance_needs_source(self) -> GuidelineVerdict:
        if self.verdict != Verdict.not_addressed and not self.sources:
            raise ValueError("a verdict other than not_addressed needs sources")
        return self


class GuidelinePhases(Strict):
    """Verdict per phase; ``any`` fills each phase not given explicitly."""

    any: GuidelineVerdict | None = None
    acute: GuidelineVerdict | None = None
    subacute: GuidelineVerdict | None = None
    chronic: GuidelineVerdict | None = None

    @model_validator(mode="after")
    def _covers_every_phase(self) -> GuidelinePhases:
        missing = [p for p in PHASES if getattr(self, p) is None and self.any is None]
        if missing:
            raise ValueError(f"no verdict for phase(s) {', '.join(missing)} and no 'any'")
        return self

    def for_phase(self, phase: Phase) -> GuidelineVerdict:
        verdict = getattr(self, phase) or self.any
        assert verdict is not None  # guaranteed by the validator
        return verdict


class Guidelines(Strict):
    acp2017: GuidelinePhases
    nice_ng59: GuidelinePhases
    who2023: GuidelinePhases


class LineWhen(Strict):
    """Conditions under which a different line applies (all given conditions must hold)."""

    risk: list[RiskGroup] | None = None
    min_nrs: int | None = Field(default=None, ge=0, le=10)
    leg_pain: list[LegPain] | None = None


class LineRule(Strict):
    line: int = Field(ge=1, le=3)
    when: LineWhen


class ConsensusEntry(Strict):
    verdict: ConsensusVerdict
    line: int | None = Field(default=None, ge=1, le=3)
    line_rules: list[LineRule] = Field(
        default_factory=list, description="First matching rule overrides line."
    )
    only_when: LineWhen | None = Field(
        default=None, description="Recommended only when this holds; otherwise not indicated now."
    )
    otherwise: str | None = Field(default=None, description="Why, when only_when does not hold.")
    rationale: Text = Field(description="Why, in plain words; becomes the plan's 'why'.")
    sources: SourceIds

    @model_validator(mode="after")
    def _line_iff_recommended(self) -> ConsensusEntry:
        recommended = self.verdict == ConsensusVerdict.recommend
        if recommended and self.line is None:
            raise ValueError("a recommended entry needs a line (1, 2 or 3)")
        if not recommended and (self.line or self.line_rules or self.only_when):
            raise ValueError("only a recommended entry takes line, line_rules or only_when")
        if (self.only_when is None) != (self.otherwise is None):
            raise ValueError("only_when and otherwise go together")
        return self


class Consensus(Strict):
    acute: ConsensusEntry
    subacute: ConsensusEntry
    chronic: ConsensusEntry

    def for_phase(self, phase: Phase) -> ConsensusEntry:
        entry: ConsensusEntry = getattr(self, phase)
        return entry


class Indication(Strict):
    """What must be true for the treatment to be indicated at all."""

    phases: list[Phase] | None = Field(
        default=None, description="The phases it is indicated in (none given: any phase)."
    )
    leg_pain: list[LegPain] | None = None
    suspected_cause: list[str] | None = None
    not_suspected_cause: list[str] | None = Field(
        default=None, description="Suspected causes for which it is not indicated."
    )
    min_nrs: int | None = Field(default=None, ge=0, le=10)
    min_bmi: float | None = Field(default=None, gt=0)
    min_duration_weeks: float | None = Field(default=None, gt=0)
    after_conservative_care: bool = False
    after_psychological_care: bool = False
    """Also after an adequate trial of a psychological therapy that did not help enough."""
    description: Text = Field(description="The indication in plain words.")
    sources: SourceIds


class Contraindication(Strict):
    condition: str = Field(description="A condition tag from conditions.yaml.")
    also: list[str] = Field(
        default_factory=list,
        description="Further condition tags that must all be carried too for it to apply.",
    )
    kind: Literal["contraindication", "interaction"]
    severity: Literal["absolute", "relative"]
    reason: Text
    precaution: str | None = Field(
        default=None, description="For relative ones: what to do; shown in the plan."
    )
    sources: SourceIds

    @model_validator(mode="after")
    def _relative_needs_precaution(self) -> Contraindication:
        if self.severity == "relative" and not self.precaution:
            raise ValueError("a relative contraindication needs a precaution")
        return self


class Effect(Strict):
    phase: Phase | Literal["any"]
    outcome: Text
    comparator: Text
    estimate: Text
    certainty: Literal["high", "moderate", "low", "very_low", "unclear"]
    sources: SourceIds


class SeedClaim(Strict):
    seed: str = Field(pattern=r"^\d{3}_[0-9a-f]{16}\.txt$")
    claim: Text = Field(description="What the seed claims, paraphrased.")
    evidence: Text = Field(description="What the evidence says, in own words.")
    agreement: Literal["agrees", "partly", "conflicts", "unsupported"]
    sources: SourceIds


class SafetyLimits(Strict):
    """Hard limits that no guideline profile can override."""

    min_line: int = Field(default=1, ge=1, le=3)
    excluded_phases: list[Phase] = Field(default_factory=list)
    reason: Text


class Treatment(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: Text
    category: Category
    description: Text
    how_it_works: Text
    what_to_expect: Text
    course: Course
    invasiveness: Invasiveness
    cost_tier: Tier
    preference_tags: list[PreferenceTag] = Field(default_factory=list)
    exercise_based: bool = False
    comfort_measure: bool = False
    equivalence_group: str | None = None
    usual_line: int = Field(ge=1, le=3, description="Line when a profile recommends it.")
    guidelines: Guidelines
    consensus: Consensus
    effects: list[Effect] = Field(default_factory=list)
    indication: Indication | None = None
    contraindications: list[Contraindication] = Field(default_factory=list)
    safety: SafetyLimits | None = None
    seed_claims: list[SeedClaim] = Field(default_factory=list)

    def source_ids(self) -> set[str]:
        """Every source id the file cites, for cross-reference checks."""
        ids = self.clinical_source_ids()
        for s in self.seed_claims:
            ids.update(s.sources)
        return ids

    def clinical_source_ids(self) -> set[str]:
        """The source ids of the card's clinical statements: everything but ``seed_claims``
        (which compare the seed articles with the evidence and are not advice)."""
        ids: set[str] = set()
        for g in (self.guidelines.acp2017, self.guidelines.nice_ng59, self.guidelines.who2023):
            for v in (g.any, g.acute, g.subacute, g.chronic):
                if v is not None:
                    ids.update(v.sources)
        for p in PHASES:
            ids.update(self.consensus.for_phase(p).sources)
        for e in self.effects:
            ids.update(e.sources)
        for c in self.contraindications:
            ids.update(c.sources)
        if self.indication:
            ids.update(self.indication.sources)
        return ids
