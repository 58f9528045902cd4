"""CDS Hooks 2.0 shapes as pydantic models, with the specification's field names.

Requests are checked on the way in (a failure names the field, e.g. ``context.patientId``);
responses are built from these models so that a card can never leave with a missing
``summary``, a summary of 140 characters or more, or an unknown ``indicator``. Optional
fields without a value are left out of the JSON, as the specification asks.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

NonEmpty = Annotated[str, Field(min_length=1)]
FhirId = Annotated[str, Field(pattern=r"^[A-Za-z0-9\-.]{1,64}$")]
"""A FHIR resource id; checked because it is put into prefetch URLs."""
Indicator = Literal["info", "warning", "critical"]


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
    hookInstance: NonEmpty
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
    system: str | None = None
    code: NonEmpty
    display: str | None = None


class CardSource(_Out):
    label: NonEmpty
    url: str | None = None
    icon: str | None = None
    topic: Coding | None = None


class Link(_Out):
    label: NonEmpty
    url: NonEmpty
    type: Literal["absolute", "smart"]
    appContext: str | None = None


class Card(_Out):
    uuid: str | None = None
    summary: Annotated[str, Field(min_length=1, max_length=139)]
    detail: str | None = None
    """GitHub-flavoured Markdown."""
    indicator: Indicator
    source: CardSource
    links: list[Link] | None = None


class CdsResponse(_Out):
    cards: list[Card]
    systemActions: list[dict[str, Any]] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class CdsService(_Out):
    hook: NonEmpty
    title: str | None = None
    description: NonEmpty
    id: NonEmpty
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class Discovery(_Out):
    services: list[CdsService]

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
