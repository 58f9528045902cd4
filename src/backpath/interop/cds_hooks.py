"""BackPath's CDS Hooks 2.0 service for the ``patient-view`` hook, without the web parts.

The web edge (``backpath.web.cds``) calls, in order:

1. ``discovery()`` for ``GET /cds-services``;
2. ``parse_request(body)``: the JSON body checked against the specification's request shape
   (``InvalidInput`` naming the field -> 400);
3. ``gather(call)``: the prefetch, or the missing queries fetched from ``fhirServer``
   (``InvalidInput`` -> 400, ``PrefetchUnavailable`` -> 412 naming the keys and why);
4. ``build_cards(data, links=...)``: the cards (critical, warning, info).

Trust: the specification has the CDS client sign a JWT for every call. BackPath does not
verify such JWTs yet; a clinic registers its EHR as an integration user instead and the EHR
sends that user's BackPath API token as ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pydantic import ValidationError

from backpath import DISCLAIMER
from backpath.errors import FetchError, InvalidInput, PrefetchUnavailable, field_error
from backpath.interop.cds_cards import build_cards
from backpath.interop.cds_models import CdsRequest, CdsService, Discovery, Link
from backpath.interop.cds_prefetch import PREFETCH, PatientData, fetch_json, gather

SERVICE_ID = "backpath-patient-view"
HOOK = "patient-view"
AUTH_DEVIATION = (
    "BackPath does not yet verify the CDS client's signed JWT: send the BackPath API token "
    "of the clinic's integration user as 'Authorization: Bearer <token>'."
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
            "questionnaireResponses (BackPath's own questionnaires) are optional."
        ),
    )


def discovery() -> dict[str, Any]:
    """The body of ``GET /cds-services``."""
    return Discovery(services=[service()]).to_json()


def parse_request(body: bytes | str) -> CdsRequest:
    """The request body as a ``CdsRequest``; ``InvalidInput`` names the first bad field."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput("body", f"must be JSON ({' '.join(str(exc).split())[:200]})") from None
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object (a CDS Hooks request)")
    try:
        return CdsRequest.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc)
        message = "required" if err.kind == "missing" else err.message
        if err.kind == "literal_error" and err.field == "hook":
            message = f"must be '{HOOK}' for this service"
        raise InvalidInput(err.field or "body", message) from None


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
    "parse_request",
    "patient_identity",
]
