"""The lead's EHRs page: the clinic's registrations, adding one (field errors named), and
deactivating; leads only, and another clinic's registration looks like none at all."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.ehrs.models import EhrRegistration
from tests.web.builders import logged_in
from tests.web.ehr_double import ISS, Ehr, JwksServer, ec_key, public, rsa_key

PAGE = "/ehrs/"


def form(**changes: Any) -> dict[str, str]:
    fields = {"name": "Epic at Harbour", "iss": ISS, "jwks_url": "",
              "jwks": json.dumps(public(rsa_key(), ec_key())), "tenant": ""}  # fmt: skip
    return fields | changes


def errors(response: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = response.context["form"].errors
    return found


def test_the_lead_sees_the_page_with_what_the_ehr_team_needs(lead: User, ehr: Ehr) -> None:
    response = logged_in(lead).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "https://backpath.test/cds-services/backpath-patient-view" in text
    assert "RS384" in text and "No EHR is registered yet" in text
    assert "does not replace" in text  # the disclaimer, from the base layout
    assert 'href="/ehrs/"' in text  # in the lead's menu


def test_the_lead_registers_an_ehr_with_its_jwk_set(lead: User, ehr: Ehr) -> None:
    client = logged_in(lead)
    response = client.post(PAGE, form(tenant="harbour-back"))
    assert response.status_code == 302
    registration = EhrRegistration.objects.get()
    assert (registration.clinic, registration.iss, registration.tenant) == (
        lead.clinic, ISS, "harbour-back",
    )  # fmt: skip
    assert registration.created_by == lead and registration.stored_kids == ["ehr-rsa-1", "ehr-ec-1"]
    assert all("d" not in key for key in registration.jwks["keys"])
    page = client.get(PAGE).content.decode()
    assert "Epic at Harbour" in page and "ehr-rsa-1, ehr-ec-1" in page
    assert AuditEvent.objects.get(action="ehr.register").username == "lead"


def test_the_lead_registers_an_ehr_by_an_allowed_jwks_url(
    lead: User, jwks_server: JwksServer
) -> None:
    response = logged_in(lead).post(PAGE, form(jwks="", jwks_url=jwks_server.url))
    assert response.status_code == 302
    assert EhrRegistration.objects.get().jwks_url == jwks_server.url


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": ""}, "name", "required"),
        ({"iss": "not a uri"}, "iss", "spaces"),
        ({"iss": "ehr"}, "iss", "issuer URI"),
        ({"jwks": ""}, "jwks_url", "either"),
        ({"jwks_url": "https://keys.ehr.example/jwks.json"}, "jwks_url", "either"),
        ({"jwks": "", "jwks_url": "https://keys.ehr.example/jwks.json"}, "jwks_url", "allow-list"),
        ({"jwks": "", "jwks_url": "http://keys.ehr.example/jwks.json"}, "jwks_url", "https"),
        ({"jwks": "{not json"}, "jwks", "not JSON"),
        ({"jwks": "[]"}, "jwks", "JWK Set"),
        ({"jwks": json.dumps({"keys": [rsa_key().as_dict(private=True)]})}, "jwks", "private"),
        ({"jwks": json.dumps({"keys": [{"kty": "oct", "k": "c2VjcmV0"}]})}, "jwks", "symmetric"),
    ],
    ids=[
        "no name",
        "spaces in iss",
        "iss not a URI",
        "no keys",
        "both",
        "URL not allowed",
        "plain http",
        "not JSON",
        "not a set",
        "private key",
        "symmetric key",
    ],
)
def test_a_bad_registration_names_the_field_and_stores_nothing(
    lead: User, ehr: Ehr, changes: dict[str, str], field: str, words: str
) -> None:
    response = logged_in(lead).post(PAGE, form(**changes))
    assert response.status_code == 400
    assert words in " ".join(errors(response)[field])
    assert 'role="alert"' in response.content.decode()
    assert not EhrRegistration.objects.exists()


def test_an_issuer_another_clinic_holds_is_refused(
    lead: User, ehr: Ehr, other_clinic: Clinic
) -> None:
    ehr.register(other_clinic)
    response = logged_in(lead).post(PAGE, form())
    assert response.status_code == 400
    assert "already holds this issuer" in errors(response)["iss"][0]


def test_the_lead_deactivates_a_registration_and_may_register_the_issuer_again(
    lead: User, ehr: Ehr
) -> None:
    registration = ehr.register(lead.clinic)
    client = logged_in(lead)
    assert client.post(f"/ehrs/{registration.pk}/deactivate/").status_code == 302
    registration.refresh_from_db()
    assert not registration.active and registration.deactivated_by == lead
    assert "Deactivated" in client.get(PAGE).content.decode()
    assert AuditEvent.objects.filter(action="ehr.deactivate", username="lead").exists()
    assert client.post(PAGE, form()).status_code == 302
    assert EhrRegistration.objects.filter(iss=ISS, active=True).count() == 1


def test_a_get_does_not_deactivate(lead: User, ehr: Ehr) -> None:
    registration = ehr.register(lead.clinic)
    logged_in(lead).get(f"/ehrs/{registration.pk}/deactivate/")
    registration.refresh_from_db()
    assert registration.active


def test_a_clinician_is_refused_the_page_and_its_actions(clinician: User, ehr: Ehr) -> None:
    registration = ehr.register(clinician.clinic)
    client = logged_in(clinician)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, form(iss="https://other.example")).status_code == 403
    assert client.post(f"/ehrs/{registration.pk}/deactivate/").status_code == 403
    registration.refresh_from_db()
    assert registration.active and EhrRegistration.objects.count() == 1
    assert 'href="/ehrs/"' not in client.get("/patients/").content.decode()


def test_a_patient_is_refused(patient: Any) -> None:
    assert logged_in(patient.user).get(PAGE).status_code == 403


def test_another_clinics_registration_is_not_found_and_not_listed(
    lead: User, ehr: Ehr, other_clinic: Clinic
) -> None:
    theirs = ehr.register(other_clinic, name="Hillside EHR")
    client = logged_in(lead)
    assert client.post(f"/ehrs/{theirs.pk}/deactivate/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.active
    assert "Hillside EHR" not in client.get(PAGE).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(db: Any) -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


TEXT = st.text(max_size=40) | st.sampled_from(["https://ehr.example", "http://[::1", "x:y", ""])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=TEXT, iss=TEXT, jwks_url=TEXT, tenant=TEXT,
    jwks=TEXT | st.sampled_from(['{"keys": [{"kty": "RSA"}]}', '{"keys": 1}', "[[[[", "null"]),
)  # fmt: skip
def test_no_form_input_gives_a_server_error(
    lead: User, ehr: Ehr, name: str, iss: str, jwks_url: str, tenant: str, jwks: str
) -> None:
    data = {"name": name, "iss": iss, "jwks_url": jwks_url, "jwks": jwks, "tenant": tenant}
    assert logged_in(lead).post(PAGE, data).status_code in {302, 400}
