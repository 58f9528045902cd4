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
from backpath.web.patients import identity
from backpath.web.patients.models import Patient
from tests.web.builders import second_patient
from tests.web.ehr_double import null_or_empty

DISCOVERY = "/cds-services"
SERVICE = "/cds-services/backpath-patient-view"
EXAMPLES = Path(__file__).parents[2] / "interop" / "cds_examples"
PUBLIC = "https://clinic.example"
"""BackPath's public address: card links lead there, whatever address the EHR called."""


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


def test_no_credentials_is_401_asking_for_the_signed_jwt(client: Client, db: Any) -> None:
    response = call(client, example("request_full"), None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert "signed JWT" in response.json()["detail"]
    assert response.json()["field"] == "Authorization"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert AuditEvent.objects.get(action="cds.refused").detail.startswith("status=401")


def test_an_unknown_token_is_401_naming_the_header(client: Client, db: Any) -> None:
    response = call(client, example("request_full"), "bp_not-a-token-anyone-holds")
    assert response.status_code == 401
    assert response.json()["field"] == "Authorization"
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'


def test_a_jwt_of_no_registered_ehr_is_401(client: Client, db: Any) -> None:
    response = call(client, example("request_full"), "eyJhbGciOiJFUzM4NCJ9.e30.c2ln")
    assert response.status_code == 401
    assert response.json()["field"] == "jwt.kid"


def test_a_patient_users_token_is_403(client: Client, patient: Patient) -> None:
    response = call(client, example("request_full"), token_for(patient.user))
    assert response.status_code == 403
    event = AuditEvent.objects.get(action="cds.refused")
    assert (event.user, event.clinic) == (patient.user, patient.clinic)


# --- the service -------------------------------------------------------------------------


@override_settings(BACKPATH_BASE_URL=PUBLIC)
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
        "url": PUBLIC + reverse("patients:create"),
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


EHR_MRN = "urn:oid:2.16.840.1.113883.19.5"
"""The identifier system of the EHR's own record numbers in these tests."""


@pytest.fixture
def numbered(patient: Patient) -> Patient:
    """The patient with the clinic's record number and an identifier from the EHR."""
    patient.clinic_identifier = "HBC-0042"
    patient.save(update_fields=["clinic_identifier"])
    identity.remember(patient, [(EHR_MRN, "MRN-77")], source="test")
    return patient


def _as_ehr_patient(patient: Patient, identifiers: list[dict[str, str]],
                    **changes: Any) -> dict[str, Any]:  # fmt: skip
    """The request an EHR sends for ``patient``: its own Patient id (never BackPath's key),
    the given identifiers, and the patient's birth year and family name."""
    data = example("request_full")
    data["context"]["patientId"] = "ehr-patient-9"
    fields = {
        "id": "ehr-patient-9",
        "identifier": identifiers,
        "birthDate": f"{patient.birth_year}-06-01",
        "name": [{"family": patient.family_name}],
    }
    data["prefetch"]["patient"].update(fields | changes)
    return data


def record_number(patient: Patient) -> dict[str, str]:
    return {"system": identity.record_number_system(patient.clinic), "value": "HBC-0042"}


def _link_label(response: Any) -> str:
    label: str = response.json()["cards"][-1]["links"][0]["label"]
    return label


@override_settings(BACKPATH_BASE_URL=PUBLIC)
def test_the_clinics_record_number_links_the_patient(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    response = call(client, _as_ehr_patient(numbered, [record_number(numbered)]), ehr_key)
    info = response.json()["cards"][-1]
    assert info["links"][0]["label"] == "Open in BackPath"
    assert info["links"][0]["url"] == PUBLIC + reverse("patients:detail", args=[numbered.pk])
    event = AuditEvent.objects.get(action="cds.patient-view")
    assert event.patient == numbered and "match=identifier" in event.detail


def test_an_ehr_identifier_stored_for_the_patient_links_the_patient(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    data = _as_ehr_patient(numbered, [{"system": EHR_MRN, "value": "MRN-77"}])
    assert _link_label(call(client, data, ehr_key)) == "Open in BackPath"


def test_backpaths_database_key_never_links_the_patient(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    data = _as_ehr_patient(numbered, [], id=str(numbered.pk))
    data["context"]["patientId"] = str(numbered.pk)
    assert _link_label(call(client, data, ehr_key)) == "Add this patient to BackPath"
    another_system = [{"system": "urn:oid:1.2.3", "value": str(numbered.pk)}]
    data = _as_ehr_patient(numbered, another_system)
    assert _link_label(call(client, data, ehr_key)) == "Add this patient to BackPath"


def test_an_identifier_match_with_another_birth_year_is_not_linked(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    data = _as_ehr_patient(numbered, [record_number(numbered)], birthDate="1930-01-01")
    assert _link_label(call(client, data, ehr_key)) == "Add this patient to BackPath"
    assert "match=disagrees" in AuditEvent.objects.get(action="cds.patient-view").detail


def test_an_identifier_match_with_another_family_name_is_not_linked(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    data = _as_ehr_patient(numbered, [record_number(numbered)], name=[{"family": "Other"}])
    assert _link_label(call(client, data, ehr_key)) == "Add this patient to BackPath"


def test_identifiers_naming_two_patients_link_neither(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    other = second_patient(numbered.clinic)
    identity.remember(other, [(EHR_MRN, "MRN-78")], source="test")
    both = [record_number(numbered), {"system": EHR_MRN, "value": "MRN-78"}]
    assert _link_label(call(client, _as_ehr_patient(numbered, both), ehr_key)) == (
        "Add this patient to BackPath"
    )
    assert "match=ambiguous" in AuditEvent.objects.get(action="cds.patient-view").detail


def test_another_clinics_patient_is_not_linked(
    client: Client, outsider: User, numbered: Patient
) -> None:
    data = _as_ehr_patient(numbered, [record_number(numbered), {"system": EHR_MRN,
                                                                  "value": "MRN-77"}])  # fmt: skip
    assert _link_label(call(client, data, token_for(outsider))) == "Add this patient to BackPath"


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


def test_an_invalid_condition_is_left_out_and_said_not_a_400(client: Client, ehr_key: str) -> None:
    data = example("request_full")
    data["prefetch"]["conditions"]["entry"][0]["resource"]["onsetDateTime"] = "23/12/2025"
    response = call(client, data, ehr_key)
    assert response.status_code == 200, response.content
    info = response.json()["cards"][-1]
    assert info["summary"].startswith("EHR data unreadable: conditions;")
    assert "prefetch.conditions.entry\\[0\\].resource.onsetDateTime" in info["detail"]
    assert "unreadable=1" in AuditEvent.objects.get(action="cds.patient-view").detail


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
    assert null_or_empty(response.json()) == []


def test_a_registered_smart_ehr_gets_a_smart_launch_link(
    client: Client, ehr_key: str, numbered: Patient
) -> None:
    from backpath.web.launch.addresses import launch_url
    from backpath.web.launch.registration import deactivate, register

    data = _as_ehr_patient(numbered, [record_number(numbered)])
    data["fhirServer"] = "https://ehr.example.org/fhir/R4"
    plain = call(client, data, ehr_key).json()["cards"][-1]["links"][0]
    assert plain["type"] == "absolute"
    ehr = register(numbered.clinic, name="Test EHR", iss="https://ehr.example.org/fhir/R4",
                   client_id="backpath", client_secret="s3cret")  # fmt: skip
    link = call(client, data, ehr_key).json()["cards"][-1]["links"][0]
    assert link == {"label": "Open in BackPath", "url": launch_url(), "type": "smart"}
    assert link["url"].endswith("/launch/smart")
    deactivate(ehr)
    assert call(client, data, ehr_key).json()["cards"][-1]["links"][0]["type"] == "absolute"
