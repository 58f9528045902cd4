"""An unexpected error on the API, CDS Hooks or FHIR still answers in the caller's format
(JSON, an OperationOutcome), logs the trace for the operator and shows the caller none."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.patients.models import Patient


def boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("secret internals")


@pytest.fixture
def bearer(clinician: User) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {ApiToken.issue(clinician)[1]}"}


def test_an_api_server_error_is_json(
    bearer: dict[str, str], patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backpath.web.lookups.patient_for", boom)
    response = Client(raise_request_exception=False).get(f"/api/v1/patients/{patient.pk}", **bearer)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert "error on the server" in response.json()["detail"]
    assert "secret internals" not in response.content.decode()


def test_a_cds_server_error_is_json(
    bearer: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backpath.web.cds.views.posted", boom)
    response = Client(raise_request_exception=False).post(
        "/cds-services/backpath-patient-view", "{}", content_type="application/json", **bearer
    )
    assert response.status_code == 500 and "detail" in response.json()
    assert "field" not in response.json()  # CDS Hooks allows no null values


def test_a_fhir_server_error_is_an_operation_outcome(
    bearer: dict[str, str], patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("backpath.web.fhir.views.visible_patient", boom)
    response = Client(raise_request_exception=False).get(f"/fhir/Patient/{patient.pk}", **bearer)
    assert response.status_code == 500
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["code"] == "exception"
