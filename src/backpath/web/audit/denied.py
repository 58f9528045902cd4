"""Denied access to a patient's record into the audit trail: a 403 or 404 answered on any
address that names a patient, an episode or a plan (pages, API, FHIR), with the caller and the
real client address. Recording it in one middleware means no view can forget it."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from backpath.web.audit.record import client_ip, record_event

RECORD_PATHS = re.compile(
    r"^/(?:patients/\d+|patients/episodes/\d+|plans/episode/\d+|api/v1/patients/\d+"
    r"|fhir/(?:Patient|Observation|Condition|MedicationStatement|QuestionnaireResponse"
    r"|CarePlan)/[^/]+"
    r"|patients/\d+/invitation)"
)
DENIED = (403, 404)


class DeniedAccessAudit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in DENIED and RECORD_PATHS.match(request.path):
            user = getattr(request, "user", None)
            record_event(
                user if user is not None and user.is_authenticated else None,
                "denied", None, detail=f"{response.status_code} on a patient's record",
                path=request.path, method=request.method or "", ip=client_ip(request),
            )  # fmt: skip
        return response
