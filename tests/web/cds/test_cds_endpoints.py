"""The CDS Hooks endpoints over HTTP: discovery, the patient-view service, auth, CORS, errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath import DISCLAIMER
from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient

DISCOVERY = "/cds-services"
SERVICE = "/cds-services/backpath-patient-view"
EXAMPLES = Path(__file__).parents[2] / "interop" / "cds_examples"


def example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8"))
    return data


def token_for(user: User) -> str:
    return ApiToken.issue(user, name="EHR")[1]


def call(client: Client, body: Any, key: str | None, raw: bool = False) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    data = body if raw else json.dumps(body)
    return client.post(SERVICE, data, content_type="application/json", **headers)


@pytest.fixture
def ehr_key(clinician: User) -> str:
    """The clinic's EHR, registered as an integration user with a BackPath API token."""
    return token_for(clinician)


# --- discovery and CORS ------------------------------------------------------------------


def test_discovery_describes_the_service_with_the_spec_fields(client: Client) -> None:
    response = client.get(DISCOVERY)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    (service,) = response.json()["services"]
    assert set(service) == {"hook", "title", "description", "id", "prefetch", "usageRequirements"}
    assert service["hook"] == "patient-view"
    assert service["id"] == "backpath-patient-view"
    assert service["title"]
    assert DISCLAIMER in service["description"]
    assert service["prefetch"]["patient"] == "Patient/{{context.patientId}}"
    assert service["prefetch"]["conditions"].startswith("Condition?patient={{context.patientId}}")
    assert service["prefetch"]["observations"].startswith("Observation?patient=")
    assert service["prefetch"]["medications"].startswith("MedicationRequest?patient=")
    assert "Bearer" in service["usageRequirements"]


@pytest.mark.parametrize("url", [DISCOVERY, SERVICE])
def test_cors_preflight_is_answered_on_both_endpoints(client: Client, url: str) -> None:
    response = client.options(
        url,
        HTTP_ORIGIN="https://ehr.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_the_service_answers_get_with_405_and_cors_headers(client: Client) -> None:
    response = client.get(SERVICE)
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"


# --- who may call ------------------------------------------------------------------------


def test_no_token_is_401_saying_the_jwt_is_not_supported_yet(client: Client, db: Any) -> None:
    response = call(client, example("request_full"), None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "JWT" in response.json()["detail"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_token_such_as_a_jwt_is_401(client: Client, db: Any) -> None:
    response = call(client, example("request_full"), "eyJhbGciOiJFUzM4NCJ9.e30.c2ln")
    assert response.status_code == 401


def test_a_patient_users_token_is_403(client: Client, patient: Patient) -> None:
    response = call(client, example("request_full"), token_for(patient.user))
    assert response.status_code == 403


# --- the service -------------------------------------------------------------------------


def test_a_full_spec_shaped_request_gets_cards_and_is_audited(client: Client, ehr_key: str) -> None:
    response = call(client, example("request_full"), ehr_key)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    found = response.json()["cards"]
    assert [card["indicator"] for card in found] == ["warning", "info"]
    for card in found:
        assert set(card) <= {"uuid", "summary", "detail", "indicator", "source", "links"}
        assert card["source"]["label"] == "BackPath"
    (link,) = found[1]["links"]
    assert link == {
        "label": "Add this patient to BackPath",
        "url": "http://testserver" + reverse("patients:create"),
        "type": "absolute",
    }
    event = AuditEvent.objects.get(action="cds.patient-view")
    assert event.username == "clinician"
    assert "cards=warning,info" in event.detail


def test_a_single_resource_instead_of_a_searchset_reads_the_same(
    client: Client, ehr_key: str
) -> None:
    data = example("request_full")
    bundle_cards = call(client, data, ehr_key).json()["cards"]
    data["prefetch"]["conditions"] = data["prefetch"]["conditions"]["entry"][0]["resource"]
    single_cards = call(client, data, ehr_key).json()["cards"]
    assert [c["summary"] for c in single_cards] == [c["summary"] for c in bundle_cards]


def test_red_flags_give_a_critical_card_only(client: Client, ehr_key: str) -> None:
    response = call(client, example("request_red_flags"), ehr_key)
    assert [card["indicator"] for card in response.json()["cards"]] == ["critical"]


def _as_backpath_patient(patient: Patient, **changes: Any) -> dict[str, Any]:
    data = example("request_full")
    data["context"]["patientId"] = str(patient.pk)
    fields = {
        "id": str(patient.pk),
        "birthDate": f"{patient.birth_year}-06-01",
        "name": [{"family": patient.family_name}],
    }
    data["prefetch"]["patient"].update(fields | changes)
    return data


def test_a_visible_backpath_patient_gets_an_open_in_backpath_link(
    client: Client, ehr_key: str, patient: Patient
) -> None:
    response = call(client, _as_backpath_patient(patient), ehr_key)
    info = response.json()["cards"][-1]
    assert info["links"][0]["label"] == "Open in BackPath"
    assert info["links"][0]["url"] == "http://testserver" + reverse(
        "patients:detail", args=[patient.pk]
    )
    assert AuditEvent.objects.get(action="cds.patient-view").patient == patient


def test_an_id_match_with_another_birth_year_is_not_linked(
    client: Client, ehr_key: str, patient: Patient
) -> None:
    data = _as_backpath_patient(patient, birthDate="1930-01-01")
    info = call(client, data, ehr_key).json()["cards"][-1]
    assert info["links"][0]["label"] == "Add this patient to BackPath"


def test_another_clinics_patient_is_not_linked(
    client: Client, outsider: User, patient: Patient
) -> None:
    info = call(client, _as_backpath_patient(patient), token_for(outsider)).json()["cards"][-1]
    assert info["links"][0]["label"] == "Add this patient to BackPath"


# --- missing prefetch --------------------------------------------------------------------


class _Ehr(BaseHTTPRequestHandler):
    """A tiny FHIR server: empty searchsets, or HTTP 500 when ``failing``."""

    seen: list[tuple[str, str | None]] = []
    failing = False

    def do_GET(self) -> None:  # the name http.server calls
        _Ehr.seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps({"resourceType": "Bundle", "type": "searchset", "total": 0}).encode()
        self.send_response(500 if _Ehr.failing else 200)
        self.send_header("Content-Type", "application/fhir+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def ehr_server(settings: Any) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ehr)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Ehr.seen.clear()
    _Ehr.failing = False
    base = f"http://127.0.0.1:{server.server_address[1]}/fhir"
    settings.CDS_FHIR_SERVERS = [base]
    yield base
    server.shutdown()
    server.server_close()


def test_missing_prefetch_is_fetched_from_the_ehrs_fhir_server(
    client: Client, ehr_key: str, ehr_server: str
) -> None:
    data = example("request_patient_only")
    data["fhirServer"] = ehr_server
    response = call(client, data, ehr_key)
    assert response.status_code == 200
    paths = sorted(path.split("?")[0] for path, _ in _Ehr.seen)
    assert paths == [
        "/fhir/Condition",
        "/fhir/MedicationRequest",
        "/fhir/MedicationStatement",
        "/fhir/Observation",
        "/fhir/QuestionnaireResponse",
    ]
    assert {auth for _, auth in _Ehr.seen} == {"Bearer some-opaque-fhir-access-token"}
    assert "fetched=" in AuditEvent.objects.get(action="cds.patient-view").detail


def test_a_failing_fhir_server_is_412_naming_the_keys(
    client: Client, ehr_key: str, ehr_server: str
) -> None:
    _Ehr.failing = True
    data = example("request_patient_only")
    data["fhirServer"] = ehr_server
    response = call(client, data, ehr_key)
    assert response.status_code == 412
    missing = response.json()["missing"]
    assert set(missing) == {"conditions", "observations", "medications"}
    assert "HTTP 500" in missing["conditions"]


def test_a_fhir_server_off_the_allow_list_is_never_called(
    client: Client, ehr_key: str, ehr_server: str, settings: Any
) -> None:
    settings.CDS_FHIR_SERVERS = ["https://ehr.example/fhir"]
    data = example("request_patient_only")
    data["fhirServer"] = ehr_server
    response = call(client, data, ehr_key)
    assert response.status_code == 412
    assert _Ehr.seen == []
    assert "not one BackPath may fetch from" in response.json()["missing"]["conditions"]


def test_missing_prefetch_without_a_fhir_server_is_412_with_a_clear_message(
    client: Client, ehr_key: str
) -> None:
    data = example("request_patient_only")
    del data["fhirServer"], data["fhirAuthorization"]
    response = call(client, data, ehr_key)
    assert response.status_code == 412
    body = response.json()
    assert "conditions: not in prefetch, and no fhirServer was given" in body["detail"]
    assert set(body["missing"]) == {"conditions", "observations", "medications"}
    assert "status=412" in AuditEvent.objects.get(action="cds.patient-view").detail


# --- bad requests ------------------------------------------------------------------------


def test_bad_json_is_400_on_the_body(client: Client, ehr_key: str) -> None:
    response = call(client, b'{"hook": ', ehr_key, raw=True)
    assert response.status_code == 400
    assert response.json()["field"] == "body"


def test_a_wrong_hook_is_400_naming_hook_and_the_allowed_value(
    client: Client, ehr_key: str
) -> None:
    data = example("request_full") | {"hook": "order-sign"}
    body = call(client, data, ehr_key).json()
    assert body == {"detail": "must be 'patient-view' for this service", "field": "hook"}


def test_invalid_fhir_in_prefetch_is_400_naming_the_field(client: Client, ehr_key: str) -> None:
    data = example("request_full")
    data["prefetch"]["patient"]["birthDate"] = "23/12/1925"
    response = call(client, data, ehr_key)
    assert response.status_code == 400
    assert response.json()["field"] == "prefetch.patient.birthDate"


def test_a_request_without_context_patient_id_is_400(client: Client, ehr_key: str) -> None:
    data = example("request_full")
    del data["context"]["patientId"]
    response = call(client, data, ehr_key)
    assert response.status_code == 400
    assert response.json() == {"detail": "required", "field": "context.patientId"}


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=200)
def test_a_body_over_the_size_limit_is_413_not_a_server_error(client: Client, ehr_key: str) -> None:
    response = call(client, example("request_full"), ehr_key)
    assert response.status_code == 413
    assert response.json()["field"] == "body"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
SHAPED = st.fixed_dictionaries(
    {},
    optional={
        "hook": st.sampled_from(["patient-view", "order-sign"]) | JSON,
        "hookInstance": st.uuids().map(str) | JSON,
        "context": st.fixed_dictionaries(
            {}, optional={"userId": JSON, "patientId": st.just("1288992") | JSON}
        )
        | JSON,
        "prefetch": st.dictionaries(
            st.sampled_from(["patient", "conditions", "observations", "medications"]),
            JSON
            | st.fixed_dictionaries(
                {"resourceType": st.sampled_from(["Patient", "Bundle", "Condition", "Nope"])},
                optional={"entry": JSON, "birthDate": JSON, "type": JSON, "code": JSON},
            ),
        ),
        "fhirAuthorization": JSON,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.binary(max_size=40) | JSON.map(json.dumps).map(str.encode) | SHAPED.map(
    lambda d: json.dumps(d).encode()))  # fmt: skip
def test_no_body_gives_a_server_error(client: Client, ehr_key: str, body: bytes) -> None:
    response = call(client, body, ehr_key, raw=True)
    assert response.status_code in {200, 400, 412}
    assert response["Content-Type"] == "application/json"
