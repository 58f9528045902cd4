"""What BackPath reads from an EHR during a launch, without a server: the Patient (leniently,
refusing only what it needs and cannot read), the SMART configuration, and which addresses
it may contact at all."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from backpath.web.launch.discovery import read_configuration
from backpath.web.launch.ehr_patient import read_patient
from backpath.web.launch.outbound import secure_address
from backpath.web.launch.refusals import REASONS, Refused

TODAY = dt.date(2026, 3, 2)
PATIENT: dict[str, Any] = {
    "resourceType": "Patient", "id": "p1",
    "name": [{"use": "nickname", "given": ["Addie"], "family": "B"},
             {"use": "official", "given": ["Ada", "Maria"], "family": "Byrne"}],
    "birthDate": "1975-04-02", "gender": "female",
    "identifier": [
        {"system": "urn:mrn", "value": "1", "type": {"coding": [{"display": "Medical record"}]}},
        {"system": "urn:mrn", "value": "1"},
        {"value": "no system"},
        "not an object",
    ],
    "unknownElement": {"ignored": True}, "_birthDate": {"extension": []},
}  # fmt: skip
CONFIG: dict[str, Any] = {
    "authorization_endpoint": "https://ehr.example/auth",
    "token_endpoint": "https://ehr.example/token",
    "code_challenge_methods_supported": ["S256"],
}


def test_the_official_name_full_birth_date_and_identifiers_are_read() -> None:
    found = read_patient(PATIENT, "p1", TODAY)
    assert (found.given_name, found.family_name) == ("Ada Maria", "Byrne")
    assert (found.birth_date, found.birth_year, found.sex) == (dt.date(1975, 4, 2), 1975, "female")
    assert found.identifier_pairs() == [("urn:mrn", "1")]
    assert found.identifiers[0].label == "Medical record"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"birthDate": "1975"}, (None, 1975)),
        ({"birthDate": "1975-04"}, (None, 1975)),
        ({"gender": "nonsense"}, "unknown"),
        ({"gender": None}, "unknown"),
    ],
)
def test_partial_dates_and_unknown_genders_are_read_as_far_as_they_go(
    change: dict[str, Any], expected: Any
) -> None:
    found = read_patient({**PATIENT, **change}, "p1", TODAY)
    got = (found.birth_date, found.birth_year) if "birthDate" in change else found.sex
    assert got == expected


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"birthDate": "02/04/1975"}, "birthDate"),
        ({"birthDate": "1975-02-30"}, "is no date"),
        ({"birthDate": "1850-01-01"}, "out of range"),
        ({"name": []}, "Patient.name"),
        ({"name": [{"given": ["Ada"]}]}, "Patient.name"),
        ({"identifier": [{"system": "urn:x", "value": " "}]}, "Patient.identifier"),
        ({"identifier": None}, "Patient.identifier"),
    ],
)
def test_what_backpath_needs_and_cannot_read_is_refused_by_name(
    change: dict[str, Any], said: str
) -> None:
    with pytest.raises(Refused) as refused:
        read_patient({**PATIENT, **change}, "p1", TODAY)
    assert refused.value.reason == "patient_unusable" and said in refused.value.detail


def test_another_resource_or_patient_is_not_read() -> None:
    for resource in ([], {**PATIENT, "id": "p2"}, {**PATIENT, "resourceType": "Person"}):
        with pytest.raises(Refused) as refused:
            read_patient(resource, "p1", TODAY)
        assert refused.value.reason == "patient_fetch"


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [
        (None, "client_secret_basic"),
        (["client_secret_basic", "client_secret_post"], "client_secret_basic"),
        (["private_key_jwt", "client_secret_post"], "client_secret_post"),
    ],
)
def test_the_secret_is_sent_as_the_ehr_offers(offered: Any, chosen: str) -> None:
    config = {**CONFIG, "token_endpoint_auth_methods_supported": offered}
    assert read_configuration({k: v for k, v in config.items() if v}).client_auth_method == chosen


def test_extra_configuration_is_ignored_and_missing_parts_named() -> None:
    assert read_configuration({**CONFIG, "capabilities": ["launch-ehr"], "x": 1}).jwks_uri is None
    with pytest.raises(Refused) as refused:
        read_configuration({**CONFIG, "token_endpoint": 7})
    assert refused.value.reason == "discovery" and "token_endpoint" in refused.value.detail


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://ehr.example/fhir", True),
        ("http://127.0.0.1:8080/fhir", True),
        ("http://localhost/fhir", True),
        ("http://[::1]:9000/fhir", True),
        ("http://ehr.example/fhir", False),
        ("http://10.0.0.5/fhir", False),
        ("https://user:pw@ehr.example/fhir", False),
        ("https://ehr.example/fhir#frag", False),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("https:///nohost", False),
        ("http://[::1/fhir", False),
    ],
)
def test_only_https_or_loopback_addresses_are_contacted(url: str, allowed: bool) -> None:
    assert secure_address(url) is allowed


def test_a_refusal_names_a_known_reason_and_keeps_its_detail_short() -> None:
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parents[3] / "src" / "backpath" / "web" / "launch"
    raised = {
        reason
        for path in folder.glob("*.py")
        for reason in re.findall(r"Refused\(\s*\"(\w+)\"", path.read_text("utf-8"))
    }
    assert len(raised) >= 10 and raised <= set(REASONS), raised - set(REASONS)
    long = Refused("token", "x " * 500)
    assert len(long.detail) == 240 and REASONS["token"].status == 502
    assert all(reason.status in (400, 403, 409, 422, 429, 502) for reason in REASONS.values())
