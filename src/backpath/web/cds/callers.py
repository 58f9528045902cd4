"""Who is calling the CDS service, written once for the service and its feedback endpoint.

- An EHR's signed JWT (``Authorization: Bearer <header.payload.signature>``), verified by
  ``backpath.web.ehrs.jwt_verify`` with the ``aud`` of the URL called: the caller is the
  registration, acting for its clinic.
- Or, as before, a BackPath API token of a clinic's staff user whose scope allows CDS Hooks.

A refusal is a 401 (403 for a token whose owner or scope may not call) whose JSON names what
was wrong, and an audit event ``cds.refused`` (for the registration's clinic when the issuer
is known); no key material is ever echoed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse

from backpath.web import lookups
from backpath.web.accounts.models import Clinic
from backpath.web.audit.record import client_ip, record_event
from backpath.web.cds.responses import error, not_allowed
from backpath.web.ehrs import jwt_verify
from backpath.web.ehrs.models import EhrRegistration

log = logging.getLogger("backpath.cds")
REFUSED = "cds.refused"
NO_CREDENTIALS = (
    "Authentication required: send the EHR's signed JWT (or a BackPath API token) as "
    "'Authorization: Bearer <JWT>'."
)


@dataclass(frozen=True)
class Caller:
    clinic: Clinic
    name: str
    """Who the audit trail names: the token's user, or ``ehr:<registration name>``."""
    user: Any = None
    registration: EhrRegistration | None = None


def audit(request: HttpRequest, caller: Caller, action: str, obj: Any, *, patient: Any = None,
          detail: str = "") -> None:  # fmt: skip
    """An event of an authenticated call, in the caller's name and clinic."""
    record_event(
        caller.user, action, obj, patient=patient, clinic=caller.clinic, detail=detail,
        path=request.path, method=request.method or "", ip=client_ip(request) or None,
        username=caller.name,
    )  # fmt: skip


def _refuse(
    request: HttpRequest,
    status: int,
    detail: str,
    field: str | None = None,
    *,
    registration: EhrRegistration | None = None,
    user: Any = None,
    sent: bool = True,
) -> JsonResponse:
    """The refusal, logged and audited for whoever is known: the registration (its clinic) or
    the token's user; an unknown caller's event has no clinic."""
    who = registration.audit_name if registration else getattr(user, "username", "")
    log.warning("CDS call refused (%s) %s: %s %s", status, who or "unknown caller", field, detail)
    record_event(
        user, REFUSED, registration, clinic=registration.clinic if registration else None,
        detail=f"status={status} {field + ': ' if field else ''}{detail}", path=request.path,
        method=request.method or "", ip=client_ip(request) or None, username=who,
    )  # fmt: skip
    return error(status, detail, field, invalid_token=sent and status == 401)


def _signed(request: HttpRequest, token: str) -> Caller | JsonResponse:
    try:
        verified = jwt_verify.verify(token, jwt_verify.audience(request.path))
    except jwt_verify.Refused as exc:
        return _refuse(request, 401, exc.message, exc.field, registration=exc.registration)
    found = verified.registration
    return Caller(clinic=found.clinic, name=found.audit_name, registration=found)


def _token(request: HttpRequest, key: str) -> Caller | JsonResponse:
    user = lookups.api_token_user(key)
    if user is None:
        return _refuse(request, 401, "The token is unknown, expired or revoked.", "Authorization")
    refusal = lookups.token_refusal(user, "cds", request.method or "POST")
    if refusal:
        return _refuse(request, 403, refusal, user=user)
    if not user.is_clinic_staff:
        return _refuse(request, 403, "The CDS service is for a clinic's EHRs and staff.", user=user)
    return Caller(clinic=user.clinic, name=user.username, user=user)


def authenticate(request: HttpRequest) -> Caller | JsonResponse:
    """The caller, or the refusal to answer with. A bearer value with dots is read as a JWT
    (BackPath's API tokens have none)."""
    key = lookups.bearer_key(request.headers.get("Authorization"))
    if key is None:
        return _refuse(request, 401, NO_CREDENTIALS, "Authorization", sent=False)
    return _signed(request, key) if "." in key else _token(request, key)


def posted(request: HttpRequest, action: str) -> tuple[Caller, bytes] | JsonResponse:
    """The caller and body of a POST to a CDS Hooks endpoint, or the answer refusing it: 405
    for another method, 401/403 for the caller, 413 (audited) for a body too large."""
    if request.method != "POST":
        return not_allowed("POST")
    caller = authenticate(request)
    if isinstance(caller, JsonResponse):
        return caller
    try:
        return caller, request.body
    except RequestDataTooBig:
        audit(request, caller, action, None, detail="status=413")
        return error(413, "The request body is larger than this server accepts.", "body")
