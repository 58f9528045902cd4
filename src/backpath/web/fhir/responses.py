"""FHIR JSON responses and errors: every error is an OperationOutcome, never HTML or a 500.

Content type ``application/fhir+json; fhirVersion=4.0; charset=utf-8``: the FHIR JSON type,
R4's version parameter (major.minor of 4.0.1, as FHIR's http page defines it) and UTF-8 as
the specification asks.
``_pretty=true`` indents the JSON; otherwise it is compact.

A read (``read_response``) carries ``ETag: W/"<versionId>"`` and ``Last-Modified`` (from
``meta.lastUpdated``), and answers ``If-None-Match`` / ``If-Modified-Since`` with a 304
through Django's own conditional-request handling (RFC 9110; weak comparison for ETags).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.operationoutcome import OperationOutcome, OperationOutcomeIssue

from backpath.errors import FhirError as FhirError  # re-exported for the FHIR views
from backpath.interop.narrative import with_narrative

FHIR_JSON = "application/fhir+json; fhirVersion=4.0; charset=utf-8"


def outcome(code: str, diagnostics: str, severity: str = "error") -> OperationOutcome:
    """An OperationOutcome with one issue (``code`` from the FHIR issue-type value set)."""
    issue = OperationOutcomeIssue(severity=severity, code=code, diagnostics=diagnostics)
    return with_narrative(OperationOutcome(issue=[issue]))


def fhir_json(
    request: HttpRequest, body: dict[str, Any], status: int = 200, private: bool = False
) -> HttpResponse:
    """``body`` as FHIR JSON; ``private`` (patient data) forbids any cache from keeping it."""
    pretty = request.GET.get("_pretty") == "true"
    text = json.dumps(body, indent=2 if pretty else None, ensure_ascii=False)
    response = HttpResponse(text, status=status, content_type=FHIR_JSON)
    if private:
        patch_cache_control(response, private=True, no_store=True)
    return response


def error_response(request: HttpRequest, error: FhirError) -> HttpResponse:
    body = outcome(error.code, error.diagnostics).model_dump(mode="json")
    response = fhir_json(request, body, error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def read_response(request: HttpRequest, resource: DomainResource, private: bool) -> HttpResponse:
    """``resource`` (with its ``meta``) as the answer to a read, or a 304 when the client's
    copy is current."""
    meta = resource.meta
    if meta is None or not meta.versionId or meta.lastUpdated is None:
        raise ValueError(f"{resource.get_resource_type()}/{resource.id} has no meta to serve")
    response = fhir_json(request, resource.model_dump(mode="json"), private=private)
    seconds = int(meta.lastUpdated.timestamp())
    response["ETag"] = f'W/"{meta.versionId}"'
    response["Last-Modified"] = http_date(seconds)
    answer: HttpResponse = get_conditional_response(
        request, etag=response["ETag"], last_modified=seconds, response=response
    )
    return answer
