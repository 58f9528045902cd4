"""A plan as BackPath stores it: the contract plan plus the clinician's decisions, read by one
function into one typed, immutable model.

The stored JSON is the engine's plan (``Plan.to_json_dict``) changed by clinician edits
(``plan_edits``, program edits) and reviews (``plan_revision``). Those add, on an item, the
decision that put it there (``clinician``); everything else is the contract's own fields.
``read_stored_plan`` validates a stored document once, where it is loaded, and names the
field when it is not valid; ``StoredPlan.to_json_dict`` gives back exactly the keys that were
read (an older plan without a newer optional field stays without it).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpath.engine.assessment import Risk
from backpath.engine.plan_models import (
    NotRecommendedItem,
    Plan,
    PlanScores,
    Profile,
    RecommendedItem,
)
from backpath.engine.program_models import HomeProgram
from backpath.engine.triage import Triage
from backpath.errors import InvalidInput, field_error
from backpath.knowledge import Phase


class _Stored(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class LeftOutBefore(_Stored):
    """Why BackPath had left out an item the clinician added."""

    reason: str | None = None
    why: str = ""


class ClinicianDecision(_Stored):
    """The decision a clinician recorded on an item, with its reason."""

    action: Literal["accept", "drop", "add"]
    reason: str
    was_line: int | None = None
    """For a dropped item: the line it stood at."""
    was: LeftOutBefore | None = None
    """For an added item: why BackPath had left it out."""


class StoredRecommended(RecommendedItem):
    """A recommended item as stored: the engine's item plus the decision that put it there."""

    clinician: ClinicianDecision | None = None


class StoredLeftOut(NotRecommendedItem):
    """A left-out item as stored: the engine's item plus the decision that took it out."""

    clinician: ClinicianDecision | None = None


class StoredPlan(_Stored):
    """One stored plan version's document."""

    schema_: Literal["backpath.plan/1"] = Field("backpath.plan/1", alias="schema")
    triage: Triage
    phase: Phase
    risk: Risk | None = None
    scores: PlanScores
    guideline_profile: Profile = "consensus"
    recommended: tuple[StoredRecommended, ...] = ()
    not_recommended: tuple[StoredLeftOut, ...] = ()
    review_in_weeks: float | None = None
    notes: tuple[str, ...] = ()
    disclaimer: str = ""
    home_program: HomeProgram | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The stored JSON: the keys that were read or set, ``schema`` first (never a null:
        the contract has none)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)
        data["schema"] = self.schema_
        return {"schema": data.pop("schema"), **data}

    def to_plan(self) -> Plan:
        """The engine's ``Plan`` of this document (the clinician's decisions left aside), as
        ``adapt`` reviews it."""
        skip = {"__all__": {"clinician"}}
        data = self.model_dump(exclude={"recommended": skip, "not_recommended": skip})
        return Plan.model_validate(data)

    def checked(self) -> StoredPlan:
        """This document validated again (an edit builds its new plan with ``model_copy``,
        which does not validate): what the one writer of plan versions stores.

        Raises:
            InvalidInput: the edited document does not fit (names the field).
        """
        return read_stored_plan(self.to_json_dict())

    def with_program(self, program: HomeProgram) -> StoredPlan:
        """A copy of this plan carrying ``program`` (a clinician's change to the program)."""
        return self.model_copy(update={"home_program": program})

    def recommended_item(self, treatment: str) -> StoredRecommended | None:
        """The recommended entry for ``treatment``, if it is recommended."""
        return next((r for r in self.recommended if r.treatment == treatment), None)

    def item(self, treatment: str) -> StoredRecommended | StoredLeftOut | None:
        """The recommended or left-out entry for ``treatment``."""
        found: list[StoredRecommended | StoredLeftOut] = [
            *(r for r in self.recommended if r.treatment == treatment),
            *(n for n in self.not_recommended if n.treatment == treatment),
        ]
        return found[0] if found else None


def read_stored_plan(data: dict[str, Any]) -> StoredPlan:
    """The one reader of a stored plan document.

    Raises:
        InvalidInput: the document does not match the model (names the field, e.g.
            ``home_program.exercises.0.dose``).
    """
    try:
        return StoredPlan.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, dotted_indexes=True)
        raise InvalidInput(err.field or "plan", err.message) from None
