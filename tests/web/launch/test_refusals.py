"""Every refusal of a SMART launch is a clear page with its own status, never a server error,
opens nothing and is in the audit trail: unknown or missing issuer, wrong clinic, a patient's
login, a broken or unsuitable EHR configuration, a bad, reused, expired or someone else's
state, the EHR's own refusal, a failed token exchange, an id_token that does not verify, no
patient context, a failed Patient read and a Patient BackPath cannot use."""

from __future__ import annotations

import html
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from joserfc import jwt
from joserfc.jwk import RSAKey

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.launch.models import SmartEhr
from backpath.web.launch.registration import deactivate
from backpath.web.patients import identity
from backpath.web.patients.models import Patient
from tests.mock_ehr import MRN_SYSTEM, MockEhr
from tests.web.builders import logged_in
from tests.web.launch.builders import MRN, ehr_answer, launch, local, register, to_ehr

pytestmark = pytest.mark.django_db


def refused(response: Any, status: int, title: str, reason: str, opened_before: int = 0) -> None:
    """The page says what happened, the status is the refusal's, the audit trail has it, and
    no patient record was read (beyond ``opened_before`` reads earlier in the test)."""
    page = html.unescape(response.content.decode())
    assert response.status_code == status, page[:800]
    assert title in page and "Nothing was opened in BackPath" in page
    assert "does not replace" in page  # the base layout's disclaimer
    assert AuditEvent.objects.filter(action="smart_refused", detail__contains=reason).exists()
    reads = AuditEvent.objects.filter(action="read", patient__isnull=False).count()
    assert reads == opened_before


@pytest.fixture
def smart(clinician: User, ehr: MockEhr) -> SmartEhr:
    return register(clinician.clinic, ehr)  # type: ignore[arg-type]


@pytest.fixture
def known(patient: Patient) -> Patient:
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "EHR")
    return patient


# --- before BackPath contacts the EHR ------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?iss=http://127.0.0.1:1/fhir", "?launch=abc"])
def test_a_launch_without_iss_and_launch_is_incomplete(db: Any, query: str) -> None:
    refused(Client().get(f"/launch/smart{query}"), 400, "The launch is incomplete", "incomplete")


def test_an_unregistered_issuer_is_refused_without_contacting_it(
    clinician: User, ehr: MockEhr
) -> None:
    answer = to_ehr(logged_in(clinician), ehr, "pat-1")
    refused(answer, 400, "This EHR is not registered", "unknown_ehr")
    assert ehr.seen == []
    refused(Client().get(local(ehr.new_launch("pat-1"))), 400, "not registered", "unknown_ehr")


def test_a_deactivated_registration_no_longer_launches(
    clinician: User, ehr: MockEhr, smart: SmartEhr
) -> None:
    deactivate(smart)
    refused(to_ehr(logged_in(clinician), ehr, "pat-1"), 400, "not registered", "unknown_ehr")


def test_a_clinician_of_another_clinic_is_refused(
    outsider: User, ehr: MockEhr, smart: SmartEhr
) -> None:
    answer = to_ehr(logged_in(outsider), ehr, "pat-1")
    refused(answer, 403, "This EHR is not registered for your clinic", "wrong_clinic")
    assert "Mock EHR" not in answer.content.decode()  # another clinic's registration stays unnamed
    assert ehr.seen == []


def test_a_patients_login_cannot_launch(known: Patient, ehr: MockEhr, smart: SmartEhr) -> None:
    answer = to_ehr(logged_in(known.user), ehr, "pat-1")  # type: ignore[arg-type]
    refused(answer, 403, "Only clinic staff", "not_staff")


# --- the EHR's SMART configuration ------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"code_challenge_methods_supported": ["plain"]}, "S256"),
        ({"code_challenge_methods_supported": None}, "code_challenge_methods_supported"),
        ({"response_types_supported": ["token"]}, "response_types_supported"),
        ({"grant_types_supported": ["client_credentials"]}, "grant_types_supported"),
        ({"token_endpoint_auth_methods_supported": ["private_key_jwt"]}, "client_secret"),
        ({"authorization_endpoint": None}, "authorization_endpoint"),
        ({"token_endpoint": "http://ehr.example/token"}, "not an https address"),
    ],
)
def test_a_smart_configuration_without_what_backpath_needs_is_refused(
    clinician: User, ehr: MockEhr, smart: SmartEhr, change: dict[str, Any], reason: str
) -> None:
    ehr.config.update(change)
    ehr.config = {k: v for k, v in ehr.config.items() if v is not None}
    answer = to_ehr(logged_in(clinician), ehr, "pat-1")
    assert answer.status_code == 502 and reason in html.unescape(answer.content.decode())
    assert AuditEvent.objects.filter(action="smart_refused", detail__contains=reason).exists()


@pytest.mark.parametrize(
    ("canned", "said"),
    [
        ((302, b"", {"Location": "http://169.254.169.254/latest"}), "HTTP 302"),
        ((500, b"{}", {}), "HTTP 500"),
        ((200, b"<html>not json</html>", {"Content-Type": "text/html"}), "did not answer JSON"),
        ((200, b"[1, 2]", {}), "not a JSON object"),
        ((200, b'{"a": "' + b"x" * 70_000 + b'"}', {}), "more than 65536 bytes"),
    ],
)
def test_a_broken_smart_configuration_is_refused_and_no_redirect_is_followed(
    clinician: User, ehr: MockEhr, smart: SmartEhr, canned: Any, said: str
) -> None:
    ehr.canned["/fhir/.well-known/smart-configuration"] = canned
    answer = to_ehr(logged_in(clinician), ehr, "pat-1")
    refused(answer, 502, "could not read the EHR's SMART configuration", said)


def test_an_ehr_that_does_not_answer_is_refused(clinician: User, ehr: MockEhr) -> None:
    smart = register(clinician.clinic, ehr)  # type: ignore[arg-type]
    ehr.stop()
    answer = to_ehr(logged_in(clinician), ehr, "pat-1")
    refused(answer, 502, "SMART configuration", "could not be reached")
    assert smart.pk


# --- the state -------------------------------------------------------------------------------


def test_an_unknown_state_is_refused(clinician: User, smart: SmartEhr) -> None:
    answer = logged_in(clinician).get("/launch/smart/callback?code=abc&state=forged")
    refused(answer, 400, "This launch cannot be finished", "bad_state")


def test_a_state_works_once(clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr) -> None:
    client = logged_in(clinician)
    answer = ehr_answer(client, ehr)
    assert client.get(answer).status_code == 302
    refused(client.get(answer), 400, "This launch cannot be finished", "bad_state", 1)


def test_a_state_from_another_browser_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    answer = ehr_answer(logged_in(clinician), ehr)
    refused(logged_in(clinician).get(answer), 400, "cannot be finished", "bad_state")
    assert ehr.token_requests == []  # the code was never sent for a token


def test_a_late_answer_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr, settings: Any
) -> None:
    client = logged_in(clinician)
    answer = ehr_answer(client, ehr)
    settings.BACKPATH_SMART_STATE_MINUTES = 0
    refused(client.get(answer), 400, "This launch took too long", "expired")


def test_a_state_started_by_another_user_is_refused(
    clinician: User, lead: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    client = logged_in(clinician)
    answer = ehr_answer(client, ehr)
    session = client.session
    (state,) = session["smart_launch_flows"]
    session["smart_launch_flows"][state]["user"] = lead.pk
    session.save()
    refused(client.get(answer), 403, "started by someone else", "wrong_user")


def test_a_clinician_moved_to_another_clinic_during_the_launch_is_refused(
    clinician: User, other_clinic: Any, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    client = logged_in(clinician)
    answer = ehr_answer(client, ehr)
    clinician.clinic = other_clinic
    clinician.save()
    refused(client.get(answer), 403, "not registered for your clinic", "wrong_clinic")
    assert ehr.token_requests == []


def test_a_registration_deactivated_during_the_launch_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    client = logged_in(clinician)
    answer = ehr_answer(client, ehr)
    deactivate(smart)
    refused(client.get(answer), 400, "registration was turned off", "ehr_inactive")


# --- the EHR's answers -------------------------------------------------------------------------


def test_the_ehrs_refusal_is_shown(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    client = logged_in(clinician)
    started = to_ehr(client, ehr, "pat-1")
    state = started["Location"].split("state=")[1].split("&")[0]
    answer = client.get(f"/launch/smart/callback?error=access_denied&state={state}")
    refused(answer, 400, "The EHR did not give BackPath access", "access_denied")
    assert ehr.token_requests == []


def test_a_wrong_client_secret_gets_no_token(clinician: User, known: Patient, ehr: MockEhr) -> None:
    register(clinician.clinic, ehr, secret="not-the-secret")  # type: ignore[arg-type]
    answer = launch(logged_in(clinician), ehr, "pat-1")
    refused(answer, 502, "The EHR refused to give BackPath access", "invalid_client")


def test_a_token_endpoint_that_fails_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    ehr.config["token_endpoint"] = f"{ehr.base}/nowhere"
    answer = launch(logged_in(clinician), ehr, "pat-1")
    assert answer.status_code == 502
    assert AuditEvent.objects.filter(action="smart_refused", detail__contains="token").exists()


def test_a_token_without_patient_context_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    ehr.token_extra = {"patient": None}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "did not say which patient",
            "no_patient")  # fmt: skip


def test_a_patient_context_that_is_not_a_fhir_id_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    ehr.token_extra = {"patient": "../Practitioner/x"}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "which patient", "not a FHIR id")
    assert not any("Practitioner" in path for _, path in ehr.seen)


def test_a_token_that_is_not_bearer_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    ehr.token_extra = {"token_type": "mac"}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "refused to give", "Bearer")


@pytest.mark.parametrize(
    ("claims", "said"),
    [
        ({"aud": "someone-else"}, "aud"),
        ({"iss": "http://127.0.0.1:1/other"}, "iss"),
        ({"exp": 1_000_000}, "Expired"),
    ],
)
def test_an_id_token_with_wrong_claims_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr, claims: dict[str, Any],
    said: str,
) -> None:  # fmt: skip
    ehr.token_extra = {"id_token": ehr.id_token(**claims)}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "could not be verified", said)


def test_an_id_token_signed_with_another_key_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    other = RSAKey.generate_key(2048, parameters={"kid": "mock-ehr-1"})
    forged = jwt.encode({"alg": "RS256", "kid": "mock-ehr-1"}, {"sub": "x"}, other)
    ehr.token_extra = {"id_token": forged}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "could not be verified",
            "BadSignatureError")  # fmt: skip


def test_an_unsigned_or_hmac_id_token_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    import base64

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    ehr.token_extra = {"id_token": f"{part({'alg': 'none'})}.{part({'sub': 'x'})}."}
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "could not be verified", "id_token")


def test_an_id_token_without_published_keys_is_not_used(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    del ehr.config["jwks_uri"]
    opened = launch(logged_in(clinician), ehr, "pat-1")
    assert opened["Location"] == reverse("patients:detail", args=[known.pk])
    read = AuditEvent.objects.get(action="read", detail__startswith="SMART")
    assert "dr-lee" not in read.detail  # an unverified claim is not believed


@pytest.mark.parametrize("status", [404, 500, 401])
def test_a_failed_patient_read_is_refused(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr, status: int
) -> None:
    ehr.patient_status = status
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502,
            "could not read the patient from the EHR", f"HTTP {status}")  # fmt: skip


def test_a_patient_read_that_redirects_is_not_followed(
    clinician: User, known: Patient, ehr: MockEhr, smart: SmartEhr
) -> None:
    ehr.canned["/fhir/Patient/pat-1"] = (302, b"", {"Location": f"{ehr.base}/auth/jwks"})
    refused(launch(logged_in(clinician), ehr, "pat-1"), 502, "could not read the patient",
            "HTTP 302")  # fmt: skip
    assert ("GET", "/auth/jwks") in ehr.seen  # the id_token check's read, once only
    assert [p for _, p in ehr.seen].count("/auth/jwks") == 1


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"identifier": [{"value": "no-system"}]}, "Patient.identifier"),
        ({"name": [{"text": "Ada Byrne"}]}, "Patient.name"),
        ({"birthDate": None}, "Patient.birthDate"),
        ({"birthDate": "2999-01-01"}, "out of range"),
        ({"id": "pat-2"}, "another patient"),
        ({"resourceType": "Practitioner"}, "not answer with a Patient"),
    ],
)
def test_a_patient_backpath_cannot_use_opens_and_creates_nothing(
    clinician: User, ehr: MockEhr, smart: SmartEhr, change: dict[str, Any], said: str
) -> None:
    ehr.patients["pat-1"].update(change)
    answer = launch(logged_in(clinician), ehr, "pat-1")
    assert answer.status_code in (422, 502)
    assert said in html.unescape(answer.content.decode())
    assert Patient.objects.count() == 0


def test_an_unknown_confirmation_is_refused(clinician: User) -> None:
    answer = logged_in(clinician).post("/launch/smart/new/forged/")
    refused(answer, 400, "This launch cannot be finished", "bad_state")


def test_a_confirmation_is_only_for_who_launched(
    clinician: User, lead: User, ehr: MockEhr, smart: SmartEhr
) -> None:
    client = logged_in(clinician)
    asked = launch(client, ehr, "pat-1")
    session = client.session
    (key,) = session["smart_launch_new_patients"]
    session["smart_launch_new_patients"][key]["user"] = lead.pk
    session.save()
    refused(client.post(asked["Location"]), 403, "started by someone else", "wrong_user")
    assert Patient.objects.count() == 0


def test_a_flood_of_launches_from_one_address_is_slowed_without_filling_the_audit_trail(
    db: Any,
) -> None:
    client = Client()
    answers = [client.get("/launch/smart?iss=https://nobody.example/fhir&launch=x").status_code
               for _ in range(35)]  # fmt: skip
    assert answers[:30] == [400] * 30 and answers[30:] == [429] * 5
    assert AuditEvent.objects.filter(action="smart_refused").count() == 30
    limited = client.get("/launch/smart/callback")
    assert limited.status_code == 429
    assert "Too many launches" in html.unescape(limited.content.decode())
