"""The REST API's edges: assess round trip, OpenAPI, who may call what, tokens and CSRF."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from backpath import DISCLAIMER, contract
from backpath.engine import assess_and_plan
from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.api.models import ApiToken
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.conftest import make_intake
from tests.web.builders import logged_in, make_user

ASSESS = "/api/v1/assess"
CSRF_SECRET = "A" * 32  # a well-formed CSRF secret; Django accepts it in cookie and header


def post_json(client: Client, url: str, data: Any, **extra: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def new_token(username: str, name: str = "") -> str:
    out = io.StringIO()
    call_command("create_api_token", username, "--name", name, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def a_patient(clinic: Clinic, family_name: str) -> Patient:
    patient = Patient.objects.create(
        clinic=clinic, given_name="Kim", family_name=family_name, birth_year=1969
    )
    Episode.objects.create(patient=patient)
    return patient


def publish_a_plan(patient: Patient) -> PlanVersion:
    return PlanVersion.objects.create(
        episode=patient.current_episode(),
        number=1,
        plan=assess_and_plan(make_intake()).to_json_dict(),
        status=PlanVersion.Status.PUBLISHED,
    )


# --- assess ---------------------------------------------------------------------------------


def test_assess_returns_the_same_plan_as_the_engine_and_it_fits_the_contract(
    clinician: User,
) -> None:
    data = make_intake()
    response = post_json(logged_in(clinician), ASSESS, data)
    assert response.status_code == 200
    assert response.json() == assess_and_plan(data).to_json_dict()
    jsonschema.validate(response.json(), contract.schema("plan"))


def test_assess_takes_the_guideline_profile_from_the_query(clinician: User) -> None:
    data = make_intake()
    response = post_json(logged_in(clinician), f"{ASSESS}?guideline=nice", data)
    assert response.status_code == 200
    assert response.json() == assess_and_plan(data, "nice").to_json_dict()
    assert response.json()["guideline_profile"] == "nice"


def test_assess_refuses_an_unknown_guideline_naming_the_parameter(clinician: User) -> None:
    response = post_json(logged_in(clinician), f"{ASSESS}?guideline=cochrane", make_intake())
    assert response.status_code == 422 and response.json()["field"] == "guideline"


@pytest.mark.parametrize(
    ("intake", "field"),
    [
        (make_intake(pain={"nrs_now": 11}), "pain.nrs_now"),
        (make_intake(pain={"nrs_now": "seven"}), "pain.nrs_now"),
        ({"schema": "backpath.intake/1"}, "patient"),
        ([1, 2, 3], "(intake)"),
    ],
    ids=["out of range", "wrong type", "missing part", "not an object"],
)
def test_an_invalid_intake_is_422_naming_the_field(
    clinician: User, intake: Any, field: str
) -> None:
    response = post_json(logged_in(clinician), ASSESS, intake)
    assert response.status_code == 422
    assert response.json()["field"] == field and field in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"schema": "backpath.intake/1", ', "application/json"),
        (b"", "application/json"),
        (b"\xff\xfe not utf-8", "application/json"),
        (json.dumps(make_intake()).encode(), "text/plain"),
        (b"patient=adult", "application/x-www-form-urlencoded"),
    ],
    ids=["broken JSON", "empty", "not UTF-8", "text/plain", "form-encoded"],
)
def test_a_body_that_is_not_json_is_422_naming_the_body_never_500(
    clinician: User, body: bytes, content_type: str
) -> None:
    response = logged_in(clinician).post(ASSESS, body, content_type=content_type)
    assert response.status_code == 422 and response.json()["field"] == "body"


# --- OpenAPI --------------------------------------------------------------------------------


def test_the_openapi_document_lists_every_path_and_says_it_supports_judgement(
    db: Any,
) -> None:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert set(doc["paths"]) == {
        "/api/v1/assess",
        "/api/v1/patients",
        "/api/v1/worklist",
        "/api/v1/patients/{patient_id}",
        "/api/v1/patients/{patient_id}/plan",
        "/api/v1/patients/{patient_id}/diary",
        "/api/v1/patients/{patient_id}/program",
        "/api/v1/patients/{patient_id}/exercise-log",
        "/api/v1/patients/{patient_id}/invitation",
        "/api/v1/staff",
        "/api/v1/staff/{user_id}/deactivate",
        "/api/v1/exercises",
        "/api/v1/alerts",
        "/api/v1/alerts/{alert_id}/acknowledge",
    }
    assert DISCLAIMER in doc["info"]["description"]


def test_every_reference_in_the_openapi_document_resolves(db: Any) -> None:
    doc = Client().get("/api/openapi.json").json()
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            refs.extend([node["$ref"]] if "$ref" in node else [])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(doc)
    schemas = doc["components"]["schemas"]
    assert "#/components/schemas/Plan" in refs and "#/components/schemas/Intake" in refs
    assert all(ref.removeprefix("#/components/schemas/") in schemas for ref in refs)


def test_the_interactive_docs_page_is_served(db: Any) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200 and b"/api/openapi.json" in response.content
    assert b"cdn.jsdelivr.net" not in response.content  # served locally, works offline


# --- who may call what ----------------------------------------------------------------------


@pytest.fixture
def world(clinic: Clinic, other_clinic: Clinic, clinician: User, patient: Patient) -> Any:
    """The patient with a published plan, a neighbour in their clinic and one elsewhere."""
    publish_a_plan(patient)
    neighbour = a_patient(clinic, "Neighbour")
    publish_a_plan(neighbour)
    elsewhere = a_patient(other_clinic, "Elsewhere")
    publish_a_plan(elsewhere)
    return {"patient": patient, "neighbour": neighbour, "elsewhere": elsewhere}


NRS_ENTRY = {"kind": "nrs", "value": 4}


def call(client: Client, endpoint: str, patient_id: int) -> Any:
    if endpoint == "assess":
        return post_json(client, ASSESS, make_intake())
    if endpoint == "list":
        return client.get("/api/v1/patients")
    if endpoint == "detail":
        return client.get(f"/api/v1/patients/{patient_id}")
    if endpoint == "plan":
        return client.get(f"/api/v1/patients/{patient_id}/plan")
    return post_json(client, f"/api/v1/patients/{patient_id}/diary", NRS_ENTRY)


def client_of(persona: str, request: Any, world: Any) -> Client:
    if persona == "anonymous":
        return Client()
    if persona == "patient":
        return logged_in(world["patient"].user)
    return logged_in(request.getfixturevalue(persona))


ENDPOINTS = ["assess", "list", "detail", "plan", "diary"]
# (persona, target patient) -> status for assess, list, detail, plan, diary
MATRIX = {
    ("anonymous", "patient"): [401, 401, 401, 401, 401],
    ("clinician", "patient"): [200, 200, 200, 200, 201],
    ("lead", "patient"): [200, 200, 200, 200, 201],
    ("outsider", "patient"): [200, 200, 404, 404, 404],
    ("patient", "patient"): [200, 403, 200, 200, 201],
    ("patient", "neighbour"): [200, 403, 404, 404, 404],
    ("clinician", "elsewhere"): [200, 200, 404, 404, 404],
}


@pytest.mark.parametrize(
    ("persona", "target", "endpoint", "status"),
    [
        (persona, target, endpoint, status)
        for (persona, target), statuses in MATRIX.items()
        for endpoint, status in zip(ENDPOINTS, statuses, strict=True)
    ],
)
def test_each_persona_gets_the_status_its_access_allows(
    request: Any, world: Any, persona: str, target: str, endpoint: str, status: int
) -> None:
    response = call(client_of(persona, request, world), endpoint, world[target].pk)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    if status >= 400:
        assert response.json()["detail"]
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_patient_id_that_does_not_exist_is_404(clinician: User) -> None:
    assert logged_in(clinician).get("/api/v1/patients/999999").json() == {
        "detail": "Not found.",
        "field": None,
    }


def test_an_admin_without_a_clinic_sees_no_patient(world: Any) -> None:
    admin = make_user("root", Role.ADMIN, None)
    client = logged_in(admin)
    assert client.get("/api/v1/patients").status_code == 403
    assert client.get(f"/api/v1/patients/{world['patient'].pk}").status_code == 404


# --- tokens ---------------------------------------------------------------------------------


def test_a_token_from_the_command_authenticates_a_script_without_csrf(
    clinician: User, patient: Patient
) -> None:
    key = new_token("clinician", "EHR sync")
    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest() and token.name == "EHR sync"
    client = Client(enforce_csrf_checks=True)
    assert client.get("/api/v1/patients", **bearer(key)).json()["count"] == 1
    response = post_json(client, f"/api/v1/patients/{patient.pk}/diary", NRS_ENTRY, **bearer(key))
    assert response.status_code == 201
    token.refresh_from_db()
    assert token.last_used is not None
    audit = AuditEvent.objects.get(action="create")
    assert audit.username == "clinician" and audit.patient == patient


def test_a_patients_token_cannot_list_patients(patient: Patient) -> None:
    key = new_token("patient")
    assert Client().get("/api/v1/patients", **bearer(key)).status_code == 403
    assert Client().get(f"/api/v1/patients/{patient.pk}", **bearer(key)).status_code == 200


@pytest.mark.parametrize("how", ["revoked", "unknown", "empty", "inactive user"])
def test_a_bad_token_is_401_even_with_a_session(clinician: User, how: str) -> None:
    key = new_token("clinician")
    if how == "revoked":
        ApiToken.objects.get().revoke()
    elif how == "unknown":
        key = key[:-4] + "xxxx"
    elif how == "empty":
        key = ""
    else:
        User.objects.filter(pk=clinician.pk).update(is_active=False)
    assert Client().get("/api/v1/patients", **bearer(key)).status_code == 401
    if how != "inactive user":
        assert logged_in(clinician).get("/api/v1/patients", **bearer(key)).status_code == 401


def test_the_token_command_names_a_missing_user(db: Any) -> None:
    with pytest.raises(CommandError, match="username: no user 'nobody'"):
        call_command("create_api_token", "nobody", stdout=io.StringIO())


# --- CSRF -----------------------------------------------------------------------------------


def test_a_session_post_without_the_csrf_token_is_refused(clinician: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    response = post_json(client, ASSESS, make_intake())
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def test_a_session_post_with_the_csrf_token_is_accepted(clinician: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    client.cookies["csrftoken"] = CSRF_SECRET
    response = post_json(client, ASSESS, make_intake(), HTTP_X_CSRFTOKEN=CSRF_SECRET)
    assert response.status_code == 200


def test_a_session_get_needs_no_csrf_token(clinician: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    assert client.get("/api/v1/patients").status_code == 200


def test_an_anonymous_post_is_401_not_a_csrf_failure(db: Any) -> None:
    response = post_json(Client(enforce_csrf_checks=True), ASSESS, make_intake())
    assert response.status_code == 401
