"""No ``null`` and no empty value (``""``, ``[]``, ``{}``) in any body ``/cds-services`` sends,
errors included, as CDS Hooks requires; and ``hookInstance`` must be a UUID."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from backpath.web.accounts.models import Clinic, User
from backpath.web.api.models import ApiToken
from backpath.web.patients.models import Patient
from tests.web.ehr_double import FEEDBACK, SERVICE, Ehr, bearer, null_or_empty

EXAMPLES = Path(__file__).parents[2] / "interop" / "cds_examples"


def example(name: str, *, drop: tuple[str, ...] = (), **changes: Any) -> str:
    data = json.loads((EXAMPLES / f"{name}.json").read_text("utf-8")) | changes
    return json.dumps({key: value for key, value in data.items() if key not in drop})


def test_the_check_finds_nulls_and_empties_anywhere() -> None:
    body = {"a": None, "b": [{"c": ""}], "d": {}, "cards": [], "e": [1, {"f": []}]}
    assert null_or_empty(body) == ["$.a", "$.b[0].c", "$.d", "$.e[1].f"]


def post(path: str, body: str, auth: dict[str, str]) -> Any:
    return Client(raise_request_exception=False).post(
        path, body, content_type="application/json", **auth
    )


def test_no_answer_of_the_service_holds_null_or_empty_values(
    ehr: Ehr, clinic: Clinic, clinician: User, patient: Patient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    ehr.register(clinic)
    token = bearer(ApiToken.issue(clinician)[1])
    answers = {
        "discovery": Client().get("/cds-services"),
        "cards (JWT)": post(SERVICE, example("request_full"), bearer(ehr.jwt())),
        "cards (token)": post(SERVICE, example("request_red_flags"), token),
        "400 JSON": post(SERVICE, "{", token),
        "400 field": post(SERVICE, example("request_full", hook="order-sign"), token),
        "401 none": post(SERVICE, example("request_full"), {}),
        "401 JWT": post(SERVICE, example("request_full"), bearer(ehr.jwt(aud="x"))),
        "403": post(SERVICE, example("request_full"), bearer(ApiToken.issue(patient.user)[1])),
        "404": post("/cds-services/no-such-service", "{}", token),
        "405": Client().get(SERVICE),
        "412": post(
            SERVICE,
            example("request_patient_only", drop=("fhirServer", "fhirAuthorization")),
            token,
        ),
        "feedback 400": post(FEEDBACK, '{"feedback": []}', bearer(ehr.jwt(FEEDBACK))),
    }
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        answers["413"] = post(SERVICE, example("request_full"), token)
    monkeypatch.setattr("backpath.web.cds.views.posted", lambda request, action: 1 / 0)
    answers["500"] = post(SERVICE, "{}", token)
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {"discovery": 200, "cards (JWT)": 200, "cards (token)": 200,
                        "400 JSON": 400, "400 field": 400, "401 none": 401, "401 JWT": 401,
                        "403": 403, "404": 404, "405": 405, "412": 412, "feedback 400": 400,
                        "413": 413, "500": 500}  # fmt: skip
    found = {name: null_or_empty(response.json()) for name, response in answers.items()}
    assert found == {name: [] for name in answers}


@pytest.mark.parametrize("value", ["not-a-uuid", "d1577c69dfbe44adba6d3e05e953b2ea", "", 7])
def test_a_hook_instance_that_is_not_a_uuid_is_400_naming_it(clinician: User, value: Any) -> None:
    token = bearer(ApiToken.issue(clinician)[1])
    response = post(SERVICE, example("request_full", hookInstance=value), token)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "hookInstance"
    if isinstance(value, str):
        assert "UUID" in body["detail"]


def test_an_uppercase_uuid_is_a_uuid(clinician: User) -> None:
    token = bearer(ApiToken.issue(clinician)[1])
    body = example("request_full", hookInstance="D1577C69-DFBE-44AD-BA6D-3E05E953B2EA")
    assert post(SERVICE, body, token).status_code == 200
