"""An unexpected error on an address machines call still answers in their format: JSON with
``detail`` on the API and the CDS Hooks service, an OperationOutcome on FHIR, never Django's
HTML page. The error is logged with its trace for the operator; the caller gets no internals."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger("backpath.server_errors")
MESSAGE = "BackPath could not answer this request because of an error on the server; it has "
MESSAGE += "been logged. Try again later, or tell the people who run this server."


class MachineReadableErrors:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            log.exception("server error on %s %s", request.method, request.path)
            return JsonResponse({"detail": MESSAGE, "field": None}, status=500)
        if request.path.startswith("/cds-services"):  # CDS Hooks allows no null values
            log.exception("server error on %s %s", request.method, request.path)
            return JsonResponse({"detail": MESSAGE}, status=500)
        if request.path.startswith("/fhir/"):
            log.exception("server error on %s %s", request.method, request.path)
            issue = {"severity": "fatal", "code": "exception", "diagnostics": MESSAGE}
            outcome = {"resourceType": "OperationOutcome", "issue": [issue]}
            return JsonResponse(outcome, status=500, content_type="application/fhir+json")
        return None
