"""What an export needs besides the intake and the plan: who the patient is, and diary scores."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
