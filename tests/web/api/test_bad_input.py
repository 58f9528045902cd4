"""Bad input never gives a 500 or half-written data: paging beyond range, digits that are not
ASCII, dates out of range, NUL characters (PostgreSQL cannot store them) and deeply nested
JSON are each a 422 naming the field."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Patient


@pytest.fixture
def api(clinician: User) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(clinician)[1]}")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("offset=99999999999999999999", "offset"),
        ("limit=99999999999999999999", "limit"),
        ("offset=-1", "offset"),
        ("offset=%D9%A1%D9%A2", "offset"),  # Arabic-Indic digits
        ("limit=%EF%BC%95", "limit"),  # a full-width 5
        ("offset=1e3", "offset"),
    ],
)
def test_paging_out_of_range_is_422_naming_the_parameter(
    api: Client, query: str, field: str
) -> None:
    response = api.get(f"/api/v1/patients?{query}")
    assert response.status_code == 422 and response.json()["field"] == field


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "nrs", "value": 3, "note": "bad\x00note"}, "note"),
        ({"kind": "nrs", "value": 3, "on": "99999-01-01"}, "on"),
        ({"kind": "nrs", "value": 3, "on": "0001-01-01"}, "on"),
        ({"kind": "nrs", "value": 10**30}, "value"),
    ],
)
def test_a_bad_diary_entry_is_422_and_stores_nothing(
    api: Client, patient: Patient, body: dict[str, object], field: str
) -> None:
    response = api.post(f"/api/v1/patients/{patient.pk}/diary", json.dumps(body),
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == field
    assert not DiaryEntry.objects.exists()


def test_deeply_nested_json_is_422_not_a_crash(api: Client, patient: Patient) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api.post(f"/api/v1/patients/{patient.pk}/diary", body,
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and response.json()["field"] == "body"
