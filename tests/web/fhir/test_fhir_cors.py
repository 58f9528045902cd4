"""CORS on the FHIR endpoints: browser apps of the origins the operator listed may call with
a bearer token; no other origin may, and cookies never travel across origins."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from backpath.web import settings as backpath_settings
from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from tests.web.fhir.fhir_calls import bearer, diagnostics, fhir

APP = "https://app.example.org"
ALLOWED = override_settings(BACKPATH_FHIR_CORS_ORIGINS=(APP,))


def preflight(client: Client, path: str, origin: str = APP, method: str = "GET") -> Any:
    return client.options(
        path,
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, if-none-match",
    )


@pytest.mark.django_db
@ALLOWED
def test_a_listed_origin_gets_a_preflight_naming_what_it_may_send() -> None:
    response = preflight(Client(), "/fhir/Patient/1")
    assert response.status_code == 204 and response.content == b""
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"Authorization", "Content-Type", "If-None-Match", "Prefer"} <= allowed
    assert "Access-Control-Allow-Credentials" not in response
    assert "Origin" in response["Vary"]


@ALLOWED
def test_a_listed_origin_reads_with_a_bearer_token_and_sees_the_etag(
    clinician: User, patient: Patient
) -> None:
    client = bearer(clinician)
    response = client.get(f"/fhir/Patient/{patient.pk}", HTTP_ORIGIN=APP)
    fhir(response)
    assert response["Access-Control-Allow-Origin"] == APP
    exposed = {h.strip() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"ETag", "Last-Modified", "Location"} <= exposed
    assert "Access-Control-Allow-Credentials" not in response
    again = client.get(f"/fhir/Patient/{patient.pk}", HTTP_ORIGIN=APP,
                       HTTP_IF_NONE_MATCH=response["ETag"])  # fmt: skip
    assert again.status_code == 304 and again["Access-Control-Allow-Origin"] == APP


@ALLOWED
def test_errors_reach_a_listed_origins_script_too(patient: Patient) -> None:
    for path, status in ((f"/fhir/Patient/{patient.pk}", 401), ("/fhir/Encounter/1", 404)):
        response = Client().get(path, HTTP_ORIGIN=APP)
        diagnostics(response, status)
        assert response["Access-Control-Allow-Origin"] == APP


@pytest.mark.django_db
@ALLOWED
def test_an_origin_not_listed_gets_no_cors_headers() -> None:
    other = "https://evil.example"
    refused = preflight(Client(), "/fhir/metadata", origin=other)
    assert "Origin https://evil.example" in diagnostics(refused, 403)
    assert "Access-Control-Allow-Origin" not in refused
    response = Client().get("/fhir/metadata", HTTP_ORIGIN=other)
    fhir(response)
    assert "Access-Control-Allow-Origin" not in response and "Origin" in response["Vary"]


@pytest.mark.django_db
def test_without_a_list_no_origin_may_call() -> None:
    refused = preflight(Client(), "/fhir/metadata")
    diagnostics(refused, 403)
    response = Client().get("/fhir/metadata", HTTP_ORIGIN=APP)
    assert "Access-Control-Allow-Origin" not in response
    assert fhir(response)["rest"][0]["security"]["cors"] is False


@pytest.mark.django_db
@override_settings(BACKPATH_FHIR_CORS_ORIGINS=("*",))
def test_a_star_allows_every_origin_without_credentials() -> None:
    response = Client().get("/fhir/metadata", HTTP_ORIGIN="https://any.example")
    assert response["Access-Control-Allow-Origin"] == "https://any.example"
    assert "Access-Control-Allow-Credentials" not in response
    assert fhir(response)["rest"][0]["security"]["cors"] is True


@pytest.mark.django_db
@ALLOWED
def test_an_options_request_that_is_no_preflight_is_a_405() -> None:
    response = Client().options("/fhir/Patient/1")
    assert "OPTIONS" in diagnostics(response, 405)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ()),
        (
            "https://a.example, http://127.0.0.1:8080",
            ("https://a.example", "http://127.0.0.1:8080"),
        ),
        ("HTTPS://App.Example", ("https://app.example",)),
        ("*", ("*",)),
        ("http://[::1]:3000", ("http://[::1]:3000",)),
    ],
)
def test_the_origin_list_is_read_from_the_environment(
    value: str, expected: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKPATH_FHIR_CORS_ORIGINS", value)
    assert backpath_settings._origins("BACKPATH_FHIR_CORS_ORIGINS") == expected


@pytest.mark.parametrize(
    "value", ["app.example", "https://app.example/", "ftp://x.example", "null"]
)
def test_an_origin_that_is_not_one_stops_start_up(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKPATH_FHIR_CORS_ORIGINS", value)
    with pytest.raises(ImproperlyConfigured, match="BACKPATH_FHIR_CORS_ORIGINS"):
        backpath_settings._origins("BACKPATH_FHIR_CORS_ORIGINS")
