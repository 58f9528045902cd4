"""Who is calling the FHIR endpoints, and which patient they may read.

The rules are the REST API's (``backpath.web.api``), written once there and reused here:

- ``Authorization: Bearer <key>`` with an ``ApiToken``; a bad or revoked token is 401 even
  when a session cookie is also sent (a bad token is never silently replaced).
- Otherwise the signed-in browser session (these endpoints are read-only, so no CSRF).
- Neither: 401 with ``WWW-Authenticate: Bearer``.
- Patients are found through ``Patient.objects.visible_to``: staff see their clinic's, a
  patient only their own record; anything else, or an id that is not a number, is 404. Every
  resource of a record is reached through its patient, so the 404 of another clinic's
  resource is the very answer an unknown id gets (``not_found``).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backpath.web import lookups
from backpath.web.api.errors import LOGIN_NEEDED
from backpath.web.fhir.ids import PATIENT_ID
from backpath.web.fhir.responses import FhirError
from backpath.web.patients.models import Patient

__all__ = ["PATIENT_ID", "caller", "not_found", "visible_patient"]
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="BackPath"'}


def unauthorised(diagnostics: str) -> FhirError:
    return FhirError(401, "login", diagnostics, CHALLENGE)


def caller(request: HttpRequest) -> Any:
    """The authenticated user (also set as ``request.user`` for the audit trail)."""
    header = request.headers.get("Authorization")
    if header is not None:
        key = lookups.bearer_key(header)
        if key is None:
            raise unauthorised("Authorization: only 'Bearer <key>' with a BackPath API token.")
        user = lookups.api_token_user(key)
        if user is None:
            raise unauthorised("Authorization: the API token is unknown, expired or revoked.")
        refusal = lookups.token_refusal(user, "fhir", request.method or "GET")
        if refusal:
            raise FhirError(403, "forbidden", refusal)
        request.user = user
        return user
    if request.user.is_authenticated:
        return request.user
    raise unauthorised(LOGIN_NEEDED)


def not_found(resource_type: str, resource_id: str) -> FhirError:
    """The one answer for a resource that does not exist or that the caller may not see."""
    shown = resource_id[:64]
    return FhirError(404, "not-found", f"{resource_type}/{shown}: not found (or not yours).")


def visible_patient(user: Any, patient_id: str) -> Patient:
    """The patient ``user`` may read, or a 404 that does not reveal whether it exists."""
    if not PATIENT_ID.fullmatch(patient_id):
        raise not_found("Patient", patient_id)
    patient = (
        Patient.objects.visible_to(user).select_related("clinic").filter(pk=int(patient_id)).first()
    )
    if patient is None:
        raise not_found("Patient", patient_id)
    return patient
