"""The intake (``contract/intake.schema.json``) as a strict, immutable pydantic model.

Strict mode: a JSON string is not a number and 1 is not ``true``, as in the JSON Schema.
Extra fields are allowed (the contract says so) and kept but not interpreted.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backpath import contract
from backpath.errors import FieldError, InvalidInput, field_error

ConditionTag = Literal[
    "anticoagulant_therapy", "antiplatelet_therapy", "bleeding_disorder", "pregnancy",
    "osteoporosis", "peptic_ulcer_or_gi_bleed", "chronic_kidney_disease", "heart_failure",
    "cardiovascular_disease", "liver_disease", "nsaid_sensitive_asthma",
    "pacemaker_or_implanted_device", "active_cancer", "impaired_skin_sensation",
    "peripheral_vascular_disease", "cold_hypersensitivity", "spinal_fusion_or_implant",
    "inflammatory_arthritis", "spinal_instability", "substance_use_disorder", "sedative_use",
    "high_fall_risk", "serotonergic_medication", "gallbladder_disease", "shellfish_allergy",
    "diabetes", "epilepsy", "skin_lesion_at_site", "photosensitising_medication",
    "long_term_opioid_use", "long_term_gabapentinoid_use",
]  # fmt: skip
AvoidTag = Literal[
    "needles", "medication", "manual_therapy", "devices", "supplements", "injections",
    "group_classes",
]  # fmt: skip
Score0to10 = Annotated[int, Field(ge=0, le=10)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="allow")


class Patient(_Part):
    age: int = Field(ge=16, le=120)
    sex: Literal["female", "male", "other", "unknown"] | None = None
    pregnant: bool | None = None
    weight_kg: float | None = Field(default=None, gt=0, le=400)
    height_cm: float | None = Field(default=None, gt=0, le=250)


class Episode(_Part):
    duration_weeks: float = Field(ge=0, allow_inf_nan=False)
    region: Literal["low_back", "mid_back", "upper_back", "whole_back"] | None = None
    leg_pain: Literal["none", "above_knee", "below_knee"] | None = None
    suspected_cause: (
        Literal[
            "nonspecific", "muscle_strain", "ligament_sprain", "herniated_disc",
            "spinal_stenosis", "degenerative_disc", "osteoarthritis", "facet_joint",
            "spondylolisthesis", "unknown",
        ]
        | None
    ) = None  # fmt: skip
    prior_episodes: int | None = Field(default=None, ge=0)


class Pain(_Part):
    nrs_now: Score0to10
    nrs_week_average: Score0to10 | None = None


class RedFlags(_Part):
    saddle_anaesthesia: bool | None = None
    bladder_dysfunction: bool | None = None
    bowel_incontinence: bool | None = None
    bilateral_leg_symptoms: bool | None = None
    progressive_neurological_deficit: bool | None = None
    history_of_cancer: bool | None = None
    unexplained_weight_loss: bool | None = None
    fever_or_systemic_illness: bool | None = None
    iv_drug_use: bool | None = None
    immunosuppressed: bool | None = None
    major_trauma: bool | None = None
    minor_trauma_with_osteoporosis: bool | None = None
    long_term_corticosteroids: bool | None = None
    constant_night_pain: bool | None = None
    inflammatory_features: bool | None = None

    def answered(self) -> dict[str, bool]:
        """The flags that were asked, with their answers (omitted = not asked)."""
        return {f: v for f in contract.red_flag_ids() if (v := getattr(self, f)) is not None}


class Questionnaires(_Part):
    startback: (
        Annotated[list[Annotated[int, Field(ge=0, le=4)]], Field(min_length=9, max_length=9)] | None
    ) = None
    odi: (
        Annotated[
            list[Annotated[int, Field(ge=0, le=5)] | None], Field(min_length=10, max_length=10)
        ]
        | None
    ) = None
    rmdq: (
        Annotated[list[Annotated[int, Field(ge=0, le=1)]], Field(min_length=24, max_length=24)]
        | None
    ) = None
    peg: Annotated[list[Score0to10], Field(min_length=3, max_length=3)] | None = None


class Preferences(_Part):
    avoid: list[AvoidTag] = Field(default_factory=list)
    max_sessions_per_week: int | None = Field(default=None, ge=0, le=14)
    budget: Literal["low", "medium", "high"] | None = None

    @field_validator("avoid")
    @classmethod
    def _unique_avoid(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("items must be unique")
        return v


class PriorTreatment(_Part):
    treatment: str
    weeks: float = Field(ge=0, allow_inf_nan=False)
    response: Literal["none", "partial", "good", "adverse"]

    @field_validator("treatment")
    @classmethod
    def _known_treatment(cls, v: str) -> str:
        if v not in contract.treatment_ids():
            raise ValueError(f"unknown treatment id '{v}'; use an id from the plan schema")
        return v


class Intake(_Part):
    schema_: Literal["backpath.intake/1"] | None = Field(default=None, alias="schema")
    patient: Patient
    episode: Episode
    pain: Pain
    red_flags: RedFlags | None = None
    questionnaires: Questionnaires = Field(default_factory=Questionnaires)
    conditions: list[ConditionTag] = Field(default_factory=list)
    preferences: Preferences = Field(default_factory=Preferences)
    prior_treatments: list[PriorTreatment] = Field(default_factory=list)

    @field_validator("conditions")
    @classmethod
    def _unique_conditions(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError("items must be unique")
        return v


def _message(err: FieldError) -> str:
    msg = err.message.removeprefix("Value error, ")
    if err.kind == "missing":
        return "is required"
    if err.kind != "value_error":
        shown = repr(err.input)
        if len(shown) <= 40 and not isinstance(err.input, (dict, list)):
            return f"{msg} (got {shown})"
    return msg


def parse_intake(data: object) -> Intake:
    """Validate raw JSON data as an intake; raise ``InvalidInput`` naming the first bad field."""
    if not isinstance(data, dict):
        raise InvalidInput("(intake)", "must be a JSON object with patient, episode and pain")
    try:
        return Intake.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc)
        raise InvalidInput(err.field, _message(err)) from None
