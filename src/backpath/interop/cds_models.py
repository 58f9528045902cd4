"""CDS Hooks 2.0 shapes as pydantic models, with the specification's field names.

Requests are checked on the way in (a failure names the field, e.g. ``context.patientId``);
responses are built from these models so that a card can never leave with a missing
``summary`` or ``uuid``, a summary of 140 characters or more, or an unknown ``indicator``.
Optional fields without a value are left out of the JSON, and no string, list or object may be
empty, as the specification asks (``null`` and empty values are not allowed).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, model_validator
from pydantic_core import PydanticCustomError

NonEmpty = Annotated[str, Field(min_length=1)]
FhirId = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")]
"""A FHIR resource id; checked because it is put into prefetch URLs."""
Indicator = Literal["info", "warning", "critical"]
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _uuid(value: str) -> str:
    if not _UUID.fullmatch(value):
        raise PydanticCustomError(
            "uuid", "must be a UUID such as d1577c69-dfbe-44ad-ba6d-3e05e953b2ea"
        )
    return value


Uuid = Annotated[str, AfterValidator(_uuid)]
"""A UUID in its usual text form (8-4-4-4-12 hexadecimal digits), as ``hookInstance`` and
``card.uuid`` are."""


class _Open(BaseModel):
    """Request parts: unknown fields (such as ``extension``) are allowed and ignored."""

    model_config = ConfigDict(extra="allow", frozen=True)


class FhirAuthorization(_Open):
    access_token: NonEmpty
    token_type: Literal["Bearer"]
    expires_in: int = Field(ge=0)
    scope: NonEmpty
    subject: NonEmpty


class PatientViewContext(_Open):
    userId: NonEmpty
    """The current user, e.g. ``Practitioner/123``."""
    patientId: FhirId
    encounterId: NonEmpty | None = None


class CdsRequest(_Open):
    """The body an EHR POSTs to ``/cds-services/{id}`` for the ``patient-view`` hook."""

    hook: Literal["patient-view"]
    hookInstance: Uuid
    fhirServer: HttpUrl | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: PatientViewContext
    prefetch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _authorization_needs_server(self) -> CdsRequest:
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirServer is required when fhirAuthorization is given")
        return self


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Coding(_Out):
    system: NonEmpty | None = None
    code: NonEmpty
    display: NonEmpty | None = None


class CardSource(_Out):
    label: NonEmpty
    url: NonEmpty | None = None
    icon: NonEmpty | None = None
    topic: Coding | None = None


class Link(_Out):
    label: NonEmpty
    url: NonEmpty
    type: Literal["absolute", "smart"]
    appContext: NonEmpty | None = None


class Card(_Out):
    uuid: Uuid
    """Names the card in the feedback the CDS client sends about it."""
    summary: Annotated[str, Field(min_length=1, max_length=139)]
    detail: NonEmpty | None = None
    """GitHub-flavoured Markdown."""
    indicator: Indicator
    source: CardSource
    links: Annotated[list[Link], Field(min_length=1)] | None = None


class CdsResponse(_Out):
    cards: list[Card]
    """May be empty (no guidance): the one empty value the specification allows."""
    systemActions: Annotated[list[dict[str, Any]], Field(min_length=1)] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CdsService(_Out):
    hook: NonEmpty
    title: NonEmpty | None = None
    description: NonEmpty
    id: NonEmpty
    prefetch: Annotated[dict[str, NonEmpty], Field(min_length=1)] | None = None
    usageRequirements: NonEmpty | None = None


class Discovery(_Out):
    services: list[CdsService]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


# --- Feedback (POST /cds-services/{id}/feedback) --------------------------------------------


class ReasonCoding(_Open):
    system: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    code: Annotated[str, Field(min_length=1, max_length=255)]
    display: Annotated[str, Field(min_length=1, max_length=255)] | None = None


class OverrideReason(_Open):
    reason: ReasonCoding | None = None
    userComment: Annotated[str, Field(min_length=1, max_length=2000)] | None = None


class AcceptedSuggestion(_Open):
    id: Annotated[str, Field(min_length=1, max_length=255)]


class Feedback(_Open):
    """What the user did with one card."""

    card: Uuid
    outcome: Literal["accepted", "overridden"]
    acceptedSuggestions: Annotated[list[AcceptedSuggestion], Field(min_length=1)] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime
    """When the user acted (the specification asks for UTC; a time without a zone is read as
    UTC)."""


class FeedbackRequest(_Open):
    feedback: Annotated[list[Feedback], Field(min_length=1, max_length=100)]
