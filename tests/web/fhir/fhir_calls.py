"""Calling the FHIR endpoints in the tests: a bearer client, and the checks every answer
must pass (status, content type, its model, HL7's R4 JSON schema, a narrative on each
resource, meta on each served resource)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from tests.fhir_schema import assert_valid_r4

BASE = "http://testserver/fhir"
FHIR_JSON = "application/fhir+json; fhirVersion=4.0; charset=utf-8"


def bearer(user: User) -> Client:
    _, key = ApiToken.issue(user, "fhir test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def fhir(response: Any, status: int = 200) -> dict[str, Any]:
    """The body, after checking status and content type and validating it with its model
    and with HL7's R4 JSON schema; every resource has a narrative, and every resource but an
    OperationOutcome (and the Bundle) has meta.versionId and meta.lastUpdated."""
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == FHIR_JSON
    body: dict[str, Any] = json.loads(response.content)
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    assert_valid_r4(body)
    inner = [e["resource"] for e in body.get("entry", [])]
    for resource in inner if body["resourceType"] == "Bundle" else [body]:
        assert resource["text"]["status"] == "generated", resource["resourceType"]
        if resource["resourceType"] != "OperationOutcome":
            assert resource["meta"]["versionId"] and resource["meta"]["lastUpdated"], resource
    return body


def diagnostics(response: Any, status: int) -> str:
    body = fhir(response, status)
    assert body["resourceType"] == "OperationOutcome"
    (issue,) = body["issue"]
    assert issue["severity"] == "error"
    text: str = issue["diagnostics"]
    return text


def resources(bundle: dict[str, Any], kind: str | None = None) -> list[dict[str, Any]]:
    found = [e["resource"] for e in bundle["entry"]]
    return [r for r in found if kind is None or r["resourceType"] == kind]


def matches(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "match"]


def link(bundle: dict[str, Any], relation: str) -> str | None:
    found = [item["url"] for item in bundle["link"] if item["relation"] == relation]
    return found[0] if found else None
