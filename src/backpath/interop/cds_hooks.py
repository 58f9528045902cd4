"""BackPath's CDS Hooks 2.0 service for the ``patient-view`` hook, without the web parts.

The web edge (``backpath.web.cds``) calls, in order:

1. ``discovery()`` for ``GET /cds-services``;
2. ``parse_request(body)``: the JSON body checked against the specification's request shape
   (``InvalidInput`` naming the field -> 400);
3. ``gather(call)``: the prefetch, or the missing queries fetched from ``fhirServer``
   (``InvalidInput`` -> 400 for a prefetch of the wrong shape or an invalid Patient,
   ``PrefetchUnavailable`` -> 412 naming the keys and why; any other invalid resource is left
   out and said on the cards);
4. ``build_cards(data, links=...)``: the cards (critical, warning, info);

and ``parse_feedback(body)`` for ``POST /cds-services/{id}/feedback``.

Trust: as the specification asks, the CDS client signs a JWT for every call; the web edge
verifies it against the keys of an EHR the clinic registered (``backpath.web.ehrs``). What
differs from the specification is ``AUTH_DEVIATION``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError

from backpath import DISCLAIMER
from backpath.errors import FetchError, InvalidInput, PrefetchUnavailable, field_error
from backpath.interop.cds_cards import build_cards
from backpath.interop.cds_models import (
    CdsRequest,
    CdsService,
    Discovery,
    FeedbackRequest,
    Link,
)
from backpath.interop.cds_prefetch import PREFETCH, PatientData, fetch_json, gather

SERVICE_ID = "backpath-patient-view"
HOOK = "patient-view"
AUTH_DEVIATION = (
    "Send the CDS client's signed JWT (RS384 or ES384) as 'Authorization: Bearer <JWT>' with "
    "every call of the service and its feedback endpoint; the EHR (its iss and JWK Set) must "
    "be registered with BackPath by the clinic, aud is the URL called, and each jti is "
    "accepted once. A jku header is not followed (keys come from the registration), discovery "
    "needs no JWT, and a clinic's BackPath API token with the CDS Hooks scope is accepted "
    "instead of a JWT."
)


def service() -> CdsService:
    return CdsService(
        hook=HOOK,
        id=SERVICE_ID,
        title="BackPath back-pain decision support",
        description=(
            "When a patient's chart is opened: red flags that need emergency or urgent care, "
            "medicines that clash with the person's conditions (such as an NSAID with an "
            "anticoagulant), the STarT Back risk group, and a short form of BackPath's "
            f"evidence-based, non-surgical plan with a link into BackPath. {DISCLAIMER}"
        ),
        prefetch=dict(PREFETCH),
        usageRequirements=(
            f"{AUTH_DEVIATION} Prefetch (or fhirServer with fhirAuthorization) must supply "
            "patient, conditions, observations and medications; medicationStatements and "
            "questionnaireResponses (BackPath's own questionnaires) are optional. The patient "
            "is matched to BackPath's record by Patient.identifier (system and value). "
            "Feedback on a card (by its uuid) is accepted at this service's /feedback."
        ),
    )


def discovery() -> dict[str, Any]:
    """The body of ``GET /cds-services``."""
    return Discovery(services=[service()]).to_json()


def _json_object(body: bytes | str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("body", f"must be JSON ({' '.join(str(exc).split())[:200]})") from None
    if not isinstance(data, dict):
        raise InvalidInput("body", f"must be a JSON object ({what})")
    return data


def parse_request(body: bytes | str) -> CdsRequest:
    """The request body as a ``CdsRequest``; ``InvalidInput`` names the first bad field."""
    data = _json_object(body, "a CDS Hooks request")
    try:
        return CdsRequest.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc)
        message = "required" if err.kind == "missing" else err.message
        if err.kind == "literal_error" and err.field == "hook":
            message = f"must be '{HOOK}' for this service"
        raise InvalidInput(err.field or "body", message) from None


def parse_feedback(body: bytes | str) -> FeedbackRequest:
    """A feedback body (``{"feedback": [...]}``); ``InvalidInput`` names the first bad field,
    e.g. ``feedback[0].outcome``. ``acceptedSuggestions`` belongs to (and is required for) an
    ``accepted`` outcome, ``overrideReason`` to an ``overridden`` one."""
    data = _json_object(body, "CDS Hooks feedback")
    try:
        request = FeedbackRequest.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc)
        message = "required" if err.kind == "missing" else err.message
        raise InvalidInput(err.field or "body", message) from None
    for index, item in enumerate(request.feedback):
        where = f"feedback[{index}]"
        if item.outcome == "accepted" and not item.acceptedSuggestions:
            raise InvalidInput(f"{where}.acceptedSuggestions", "required for outcome 'accepted'")
        if item.outcome == "overridden" and item.acceptedSuggestions:
            raise InvalidInput(f"{where}.acceptedSuggestions", "only for outcome 'accepted'")
        if item.overrideReason is not None:
            if item.outcome != "overridden":
                raise InvalidInput(f"{where}.overrideReason", "only for outcome 'overridden'")
            if item.overrideReason.reason is None and item.overrideReason.userComment is None:
                raise InvalidInput(f"{where}.overrideReason", "give reason or userComment")
    return request


def patient_identifiers(data: PatientData) -> list[tuple[str, str]]:
    """The prefetched Patient's identifiers as (system, value); those missing either are
    left out, since an identifier matches only with its system."""
    return [
        (str(i.system), str(i.value)) for i in data.patient.identifier or [] if i.system and i.value
    ]


def patient_identity(data: PatientData) -> tuple[int | None, frozenset[str]]:
    """Birth year and family names of the prefetched Patient, to confirm a match."""
    birth = data.patient.birthDate
    text = birth.isoformat() if isinstance(birth, date) else str(birth or "")
    year = int(text[:4]) if text[:4].isdigit() else None
    names = frozenset(
        str(name.family).casefold() for name in data.patient.name or [] if name.family
    )
    return year, names


__all__ = [
    "AUTH_DEVIATION",
    "HOOK",
    "SERVICE_ID",
    "FetchError",
    "Link",
    "PatientData",
    "PrefetchUnavailable",
    "build_cards",
    "discovery",
    "fetch_json",
    "gather",
    "parse_feedback",
    "parse_request",
    "patient_identifiers",
    "patient_identity",
]
