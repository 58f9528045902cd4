"""What an export needs besides the intake and the plan: who the patient is, and diary scores.

For a patient's whole record (``everything_resources``) also the episodes, each with its
intake and its plan versions as stored.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath.engine.stored_plan import StoredPlan


class PatientInfo(BaseModel):
    """Who the bundle is about; BackPath keeps only a birth year."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")
    given: str
    family: str
    birth_year: int = Field(ge=1850, le=2200)
    sex: Literal["female", "male", "other", "unknown"] = "unknown"


class DiaryRecord(BaseModel):
    """One dated diary score (answers optional, kept for reference)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    date: date
    kind: Literal["nrs", "peg", "odi", "rmdq"]
    value: float
    answers: tuple[int | None, ...] = ()
    key: str | None = Field(default=None, pattern=r"^[A-Za-z0-9\-.]{1,32}$")
    """A stable key (e.g. the diary row's id) for the Observation id; default: its position."""


class PlanRecord(BaseModel):
    """One stored version of an episode's plan."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: int = Field(ge=1)
    status: Literal["draft", "published", "superseded"]
    """BackPath's status; the export maps it to a FHIR CarePlan status."""
    created: datetime
    plan: StoredPlan
    """The stored plan (``stored_plan.read_stored_plan``)."""


class EpisodeRecord(BaseModel):
    """One episode of back pain: its intake (once completed) and its plan versions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9\-.]{1,32}$")
    intake: dict[str, Any] | None = None
    """A valid backpath.intake/1 document, or None while the intake is not complete."""
    recorded: datetime | None = None
    """When the intake was completed; dates its responses, observations and conditions."""
    closed: bool = False
    plans: tuple[PlanRecord, ...] = ()
    """Oldest first; the last one is the current version."""
