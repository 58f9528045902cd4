"""The SMART EHR launch against the mock EHR: the patient matched on identifiers is opened, a
new one is created only after the clinician confirms, an ambiguous match opens nothing, and
the sign-in (with two factors where required) keeps the launch."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.launch.models import SmartEhr
from backpath.web.patients import identity
from backpath.web.patients.models import Patient, PatientIdentifier
from tests.mock_ehr import CLIENT_ID, MRN_SYSTEM, MockEhr, s256
from tests.web.builders import PASSWORD, logged_in, second_patient
from tests.web.launch.builders import (
    INSURANCE,
    MRN,
    at_ehr,
    back_from_ehr,
    launch,
    local,
    register,
    to_ehr,
)

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_the_launch_sends_the_browser_to_the_ehr_with_pkce_state_aud_and_launch(
    clinician: User, ehr: MockEhr
) -> None:
    smart = register(clinician.clinic, ehr)  # type: ignore[arg-type]
    started = to_ehr(logged_in(clinician), ehr, "pat-1")
    assert started.status_code == 302
    url = urlsplit(started["Location"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ehr.issuer}/authorize"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == "http://testserver/launch/smart/callback"
    assert query["scope"] == "launch openid fhirUser patient/*.read"
    assert query["aud"] == ehr.fhir and query["launch"]
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 30
    event = AuditEvent.objects.get(action="smart_launch")
    assert event.object_id == str(smart.pk) and event.username == "clinician"


def test_an_existing_patient_is_opened_by_the_ehrs_identifier(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "earlier import")
    client = logged_in(clinician)
    opened = launch(client, ehr, "pat-1")
    assert opened.status_code == 302
    assert opened["Location"] == reverse("patients:detail", args=[patient.pk])
    page = client.get(opened["Location"])
    assert "Opened from Mock EHR" in text(page)
    (exchange,) = ehr.token_requests  # the code, its verifier and redirect URI; secret in Basic
    assert exchange["grant_type"] == "authorization_code" and "client_secret" not in exchange
    read = AuditEvent.objects.get(action="read", patient=patient, detail__startswith="SMART")
    assert "Practitioner/dr-lee" in read.detail  # from the verified id_token
    assert (
        Patient.objects.count() == 1
        and not PatientIdentifier.objects.filter(system=INSURANCE).exists()
    )


def test_the_clinics_record_number_matches_too(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    clinic = clinician.clinic
    clinic.record_number_system = MRN_SYSTEM  # type: ignore[union-attr]
    clinic.save()  # type: ignore[union-attr]
    patient.clinic_identifier = MRN
    patient.save()
    register(clinic, ehr)  # type: ignore[arg-type]
    opened = launch(logged_in(clinician), ehr, "pat-1")
    assert opened["Location"] == reverse("patients:detail", args=[patient.pk])


def test_the_access_token_is_kept_nowhere(clinician: User, patient: Patient, ehr: MockEhr) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "earlier import")
    client = logged_in(clinician)
    launch(client, ehr, "pat-1")
    (token,) = ehr.tokens
    stored = [json.dumps(s.get_decoded()) for s in Session.objects.all()]
    assert stored and not any(token in s for s in stored)
    assert not AuditEvent.objects.filter(detail__contains=token).exists()


def test_a_new_patient_is_created_only_when_the_clinician_confirms(
    clinician: User, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    client = logged_in(clinician)
    asked = launch(client, ehr, "pat-1")
    assert asked.status_code == 302 and "/launch/smart/new/" in asked["Location"]
    page = client.get(asked["Location"])
    shown = text(page)
    assert page.status_code == 200 and Patient.objects.count() == 0
    for expected in ("Ada Maria Byrne", "2 April 1975", MRN, MRN_SYSTEM, "INS-9921",
                     "Medical record number", "does not replace"):  # fmt: skip
        assert expected in shown, expected
    created = client.post(asked["Location"])
    patient = Patient.objects.get()
    assert created["Location"] == reverse("patients:detail", args=[patient.pk])
    assert (patient.given_name, patient.family_name, patient.sex) == ("Ada Maria", "Byrne",
                                                                       "female")  # fmt: skip
    assert str(patient.date_of_birth) == "1975-04-02" and patient.birth_year == 1975
    assert patient.created_by == clinician and patient.episodes.count() == 1
    assert sorted(identity.identifiers_of(patient)) == sorted([(INSURANCE, "INS-9921"),
                                                              (MRN_SYSTEM, MRN)])  # fmt: skip
    assert AuditEvent.objects.filter(action="create", patient=patient,
                                     detail__contains="confirmed").exists()  # fmt: skip
    assert client.post(asked["Location"]).status_code == 400  # the confirmation works once
    assert Patient.objects.count() == 1
    again = launch(client, ehr, "pat-1")  # the next launch opens the same record
    assert again["Location"] == reverse("patients:detail", args=[patient.pk])


def test_a_patient_added_meanwhile_is_opened_rather_than_added_twice(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    client = logged_in(clinician)
    asked = launch(client, ehr, "pat-1")
    identity.remember(patient, [(INSURANCE, "INS-9921")], "by hand")
    opened = client.post(asked["Location"])
    assert opened["Location"] == reverse("patients:detail", args=[patient.pk])
    assert Patient.objects.count() == 1


def test_identifiers_naming_two_patients_open_nothing(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "EHR")
    identity.remember(second_patient(patient.clinic), [(INSURANCE, "INS-9921")], "EHR")
    answer = launch(logged_in(clinician), ehr, "pat-1")
    assert answer.status_code == 409
    assert "More than one BackPath patient matches" in text(answer)
    assert "Nothing was opened" in text(answer)
    assert AuditEvent.objects.filter(action="smart_refused", detail__contains="ambiguous").exists()
    assert not AuditEvent.objects.filter(action="read", patient__isnull=False).exists()


def test_a_clinician_not_signed_in_signs_in_and_the_launch_continues(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "EHR")
    client = Client()
    asked = to_ehr(client, ehr, "pat-1")
    assert asked.status_code == 302 and asked["Location"].startswith("/login/")
    assert ehr.seen == []  # nothing is asked of the EHR before the sign-in
    signed = client.post(asked["Location"], {"username": "clinician", "password": PASSWORD})
    assert signed["Location"] == reverse("launch:resume")
    page = client.get(signed["Location"])
    assert page.status_code == 200 and "Continue to Mock EHR" in text(page)
    onward = page.context["url"]
    assert onward.startswith(f"{ehr.issuer}/authorize?")
    opened = back_from_ehr(client, onward)
    assert opened["Location"] == reverse("patients:detail", args=[patient.pk])
    assert client.get(reverse("launch:resume")).status_code == 400  # the wait is over


@override_settings(BACKPATH_STAFF_MFA=True)
def test_with_two_factor_sign_in_the_launch_continues_after_the_code(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    device = TOTPDevice.objects.create(user=clinician, name="app", confirmed=True)
    client = Client()
    asked = to_ehr(client, ehr, "pat-1")
    client.post(asked["Location"], {"username": "clinician", "password": PASSWORD})
    gate = client.get(reverse("launch:resume"))
    assert gate["Location"] == reverse("logins:mfa_verify")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"
    verified = client.post(reverse("logins:mfa_verify"), {"code": code})
    assert verified["Location"] == reverse("launch:resume")
    assert "Continue to Mock EHR" in text(client.get(verified["Location"]))


@override_settings(BACKPATH_STAFF_MFA=True)
def test_a_launch_reaching_a_session_that_owes_its_second_factor_continues_after_it(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    device = TOTPDevice.objects.create(user=clinician, name="app", confirmed=True)
    client = Client()
    client.post(reverse("accounts:login"), {"username": "clinician", "password": PASSWORD})
    launch_url = local(ehr.new_launch("pat-1"))
    assert client.get(launch_url)["Location"] == reverse("logins:mfa_verify")
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}"
    verified = client.post(reverse("logins:mfa_verify"), {"code": code})
    assert verified["Location"] == launch_url
    # The browser follows the form's redirect as a same-origin navigation: a link, not a
    # redirect, leads on to the EHR (the form page's policy would block a redirect).
    page = client.get(launch_url, headers={"Sec-Fetch-Site": "same-origin"})
    assert page.status_code == 200 and "Continue to Mock EHR" in text(page)
    opened = back_from_ehr(client, page.context["url"])
    assert opened.status_code == 302 and "/launch/smart/new/" in opened["Location"]


def test_the_smart_configuration_is_fetched_once_for_several_launches(
    clinician: User, patient: Patient, ehr: MockEhr
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "EHR")
    client = logged_in(clinician)
    for _ in range(3):
        assert launch(client, ehr, "pat-1").status_code == 302
    fetched = [p for _, p in ehr.seen if p.endswith("smart-configuration")]
    assert fetched == ["/fhir/.well-known/smart-configuration"]


def test_the_client_secret_is_stored_encrypted_and_survives_a_key_rotation(
    clinician: User, patient: Patient, ehr: MockEhr, settings: Any
) -> None:
    smart = register(clinician.clinic, ehr)  # type: ignore[arg-type]
    identity.remember(patient, [(MRN_SYSTEM, MRN)], "EHR")
    row = SmartEhr.objects.values_list("client_secret_sealed", flat=True).get()
    assert "mock-ehr-secret" not in row and smart.client_secret() == "mock-ehr-secret-7c1e0f"
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-" + "x" * 50
    assert launch(logged_in(clinician), ehr, "pat-1").status_code == 302


def test_a_verifier_that_does_not_match_the_challenge_is_refused_by_the_ehr(
    clinician: User, ehr: MockEhr
) -> None:
    """The mock checks PKCE honestly: a wrong verifier gets no token."""
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    client = logged_in(clinician)
    started = to_ehr(client, ehr, "pat-1")
    session = client.session
    (state,) = session["smart_launch_flows"]
    session["smart_launch_flows"][state]["verifier"] = "x" * 64
    session.save()
    answer = back_from_ehr(client, started["Location"])
    assert answer.status_code == 502 and "invalid_grant" in text(answer)
    assert s256("x" * 64) != parse_qs(urlsplit(started["Location"]).query)["code_challenge"][0]


def test_the_mock_ehr_refuses_an_unregistered_redirect_uri(
    clinician: User, ehr: MockEhr, settings: Any
) -> None:
    register(clinician.clinic, ehr)  # type: ignore[arg-type]
    settings.BACKPATH_BASE_URL = "http://elsewhere.example"
    started = to_ehr(logged_in(clinician), ehr, "pat-1")
    assert at_ehr(started["Location"]).status_code == 400


def test_local_keeps_the_query() -> None:
    assert local("http://testserver/launch/smart?iss=a&launch=b") == "/launch/smart?iss=a&launch=b"
