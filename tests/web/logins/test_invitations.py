"""Invitations and one-time links: a link lets its person choose a password once, within
72 hours; a newer invitation or a revocation kills the older link; an expired or used link
says what to do. Staff are invited by the lead, patients by any clinician."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from backpath import DISCLAIMER
from backpath.web.accounts.models import Role, User
from backpath.web.api.models import ApiToken
from backpath.web.audit.models import AuditEvent
from backpath.web.logins import lifecycle
from backpath.web.patients.models import Patient
from tests.web.builders import PASSWORD, logged_in, make_user

NEW_PASSWORD = "a-long-new-passphrase-42"
LINK = re.compile(r"https?://\S+/(?:welcome|password/reset)/[\w-]+/[\w-]+/")


def link_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return urlparse(found.group(0)).path


def choose_password(client: Client, path: str, password: str = NEW_PASSWORD) -> Any:
    """Open the one-time link (Django moves the token into the session) and post a password."""
    opened = client.get(path)
    if opened.status_code != 302:
        return opened
    return client.post(opened.headers["Location"], {"new_password1": password,
                                                    "new_password2": password})  # fmt: skip


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


# --- Staff, invited by the lead --------------------------------------------------------------


def test_the_lead_invites_a_clinician_who_chooses_a_password_and_signs_in(lead: User) -> None:
    response = logged_in(lead).post(
        reverse("logins:staff"),
        {"name": "Sam Okafor", "email": "Sam@Harbour.example", "role": "clinician"},
    )
    assert response.status_code == 302
    new = User.objects.get(username="sam@harbour.example")
    assert (new.role, new.clinic, new.has_usable_password()) == ("clinician", lead.clinic, False)
    (message,) = mail.outbox
    assert message.to == ["sam@harbour.example"] and "Harbour Back Clinic" in message.subject
    assert DISCLAIMER in message.body
    client = Client()
    done = choose_password(client, link_in(message))
    assert done.status_code == 302
    assert client.get(reverse("accounts:home")).headers["Location"].endswith("/patients/")
    assert AuditEvent.objects.filter(action="invite", object_id=str(new.pk)).exists()
    assert AuditEvent.objects.filter(action="activate", object_id=str(new.pk)).exists()


def test_a_link_works_once(lead: User) -> None:
    user, link = lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "Kim", "lead")
    path = urlparse(link.url).path
    assert choose_password(Client(), path).status_code == 302
    again = choose_password(Client(), path, "another-long-passphrase-7")
    assert again.status_code == 200 and "This link no longer works" in text(again)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@override_settings(PASSWORD_RESET_TIMEOUT=-1)
def test_an_expired_link_says_what_to_do(lead: User) -> None:
    _, link = lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "Kim", "lead")
    page = text(Client().get(urlparse(link.url).path))
    assert "This link no longer works" in page and "new invitation" in page


def test_the_link_lasts_72_hours_by_default(lead: User) -> None:
    _, link = lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "Kim", "lead")
    user = User.objects.get(username="kim@harbour.example")
    assert 71.9 * 3600 < (link.expires - user.date_joined).total_seconds() <= 72 * 3600 + 5


def test_a_second_invitation_kills_the_first_link(lead: User) -> None:
    user, first = lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "K", "lead")
    response = logged_in(lead).post(reverse("logins:staff_resend", args=[user.pk]))
    assert response.status_code == 302
    assert "no longer works" in text(Client().get(urlparse(first.url).path))
    assert choose_password(Client(), link_in(mail.outbox[-1])).status_code == 302


def test_a_staff_password_needs_12_characters(lead: User) -> None:
    _, link = lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "Kim", "lead")
    response = choose_password(Client(), urlparse(link.url).path, "short-pw-9x")
    assert response.status_code == 200 and "at least 12 characters" in text(response)


def test_an_email_that_already_has_a_login_is_refused_naming_the_field(lead: User) -> None:
    lifecycle.invite_staff(lifecycle.Actor(lead), "kim@harbour.example", "Kim", "lead")
    response = logged_in(lead).post(
        reverse("logins:staff"), {"name": "Kim", "email": "KIM@harbour.example", "role": "lead"}
    )
    assert response.status_code == 200 and "already has a BackPath login" in text(response)


def test_only_the_lead_manages_staff(clinician: User, lead: User, outsider: User) -> None:
    assert logged_in(clinician).get(reverse("logins:staff")).status_code == 403
    url = reverse("logins:staff_deactivate", args=[outsider.pk])
    assert logged_in(lead).post(url).status_code == 404  # another clinic's: as if absent
    outsider.refresh_from_db()
    assert outsider.is_active


def test_deactivation_signs_out_at_once_and_revokes_tokens(lead: User, clinician: User) -> None:
    theirs = logged_in(clinician)
    _, key = ApiToken.issue(clinician, "script")
    assert theirs.get(reverse("patients:list")).status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/v1/patients", **auth).status_code == 200
    logged_in(lead).post(reverse("logins:staff_deactivate", args=[clinician.pk]))
    assert theirs.get(reverse("patients:list")).status_code == 302  # back to sign-in
    assert Client().get("/api/v1/patients", **auth).status_code == 401
    again = Client()
    again.post(reverse("accounts:login"), {"username": "clinician", "password": PASSWORD})
    assert again.get(reverse("patients:list")).status_code == 302  # not signed in
    assert ApiToken.objects.get(user=clinician).revoked is not None
    assert AuditEvent.objects.filter(action="deactivate", object_id=str(clinician.pk)).exists()
    assert User.objects.filter(pk=clinician.pk).exists()  # records and audit trail stay


def test_the_lead_changes_a_role_but_not_their_own(lead: User, clinician: User) -> None:
    client = logged_in(lead)
    client.post(reverse("logins:staff_role", args=[clinician.pk]), {"role": "lead"})
    clinician.refresh_from_db()
    assert clinician.role == "lead"
    client.post(reverse("logins:staff_role", args=[lead.pk]), {"role": "clinician"})
    lead.refresh_from_db()
    assert lead.role == "lead"


# --- Patients, invited by a clinician ----------------------------------------------------------


@pytest.fixture
def newcomer(clinician: User) -> Patient:
    """A patient without a login yet, with an email on file."""
    return Patient.objects.create(
        clinic=clinician.clinic, given_name="Noor", family_name="Haddad", birth_year=1980,
        email="noor@example.org", created_by=clinician,
    )  # fmt: skip


def test_a_patient_invited_by_email_chooses_a_password_and_lands_in_their_pages(
    clinician: User, newcomer: Patient
) -> None:
    record = reverse("patients:detail", args=[newcomer.pk])
    assert "No login yet" in text(logged_in(clinician).get(record))
    response = logged_in(clinician).post(
        reverse("logins:patient_invite", args=[newcomer.pk]), {"how": "email"}
    )
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.login_state == "invited" and newcomer.user.role == Role.PATIENT
    assert "Invited as noor@example.org" in text(logged_in(clinician).get(record))
    client = Client()
    assert choose_password(client, link_in(mail.outbox[-1]), "patient-pass-1").status_code == 302
    landing = client.get(client.get(reverse("accounts:home")).headers["Location"])
    assert landing.headers["Location"].endswith("/me/plan/")  # no program yet
    newcomer.refresh_from_db()
    assert newcomer.login_state == "active"
    assert "Active: noor@example.org" in text(logged_in(clinician).get(record))


def test_a_printed_letter_carries_the_link_and_its_qr_code(
    clinician: User, newcomer: Patient
) -> None:
    Patient.objects.filter(pk=newcomer.pk).update(email="")
    response = logged_in(clinician).post(
        reverse("logins:patient_invite", args=[newcomer.pk]), {"how": "letter"}
    )
    page = text(response)
    assert response.status_code == 200 and "<svg" in page and "/welcome/" in page
    assert response.headers["Cache-Control"] == "private, no-store"
    newcomer.refresh_from_db()
    assert newcomer.user is not None and newcomer.user.username.startswith("bp-")
    assert newcomer.user.username in page and not mail.outbox
    path = re.search(r"https?://[^\s<]+(/welcome/[\w-]+/[\w-]+/)", page).group(1)  # type: ignore[union-attr]
    assert choose_password(Client(), path, "patient-pass-1").status_code == 302


def test_an_email_invitation_needs_an_email_on_file(clinician: User, newcomer: Patient) -> None:
    Patient.objects.filter(pk=newcomer.pk).update(email="")
    client = logged_in(clinician)
    client.post(reverse("logins:patient_invite", args=[newcomer.pk]), {"how": "email"})
    newcomer.refresh_from_db()
    assert newcomer.user is None and not mail.outbox


def test_revoking_a_patients_invitation_kills_the_link(clinician: User, newcomer: Patient) -> None:
    _, link = lifecycle.invite_patient(lifecycle.Actor(clinician), newcomer, by_email=True)
    logged_in(clinician).post(reverse("logins:patient_revoke", args=[newcomer.pk]))
    assert "no longer works" in text(Client().get(urlparse(link.url).path))
    assert AuditEvent.objects.filter(action="revoke", patient=newcomer).exists()


def test_another_clinics_patient_cannot_be_invited(outsider: User, newcomer: Patient) -> None:
    url = reverse("logins:patient_invite", args=[newcomer.pk])
    assert logged_in(outsider).post(url, {"how": "email"}).status_code == 404


# --- The API -----------------------------------------------------------------------------


def bearer(user: User) -> dict[str, str]:
    _, key = ApiToken.issue(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_api_invites_a_patient_and_answers_409_once_the_login_is_active(
    clinician: User, newcomer: Patient, patient: Patient
) -> None:
    client, auth = Client(), bearer(clinician)
    response = client.post(f"/api/v1/patients/{newcomer.pk}/invitation", **auth)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["emailed"] is True and "/welcome/" in body["url"] and body["expires"]
    assert mail.outbox[-1].to == ["noor@example.org"]
    active = client.post(f"/api/v1/patients/{patient.pk}/invitation", **auth)
    assert active.status_code == 409 and "already has an active login" in active.json()["detail"]


def test_api_staff_endpoints_are_for_the_lead(lead: User, clinician: User, outsider: User) -> None:
    client = Client()
    assert client.get("/api/v1/staff", **bearer(clinician)).status_code == 403
    listed = client.get("/api/v1/staff", **bearer(lead)).json()
    assert {m["email"] or m["id"] for m in listed["items"]} and listed["count"] == 2
    made = client.post(
        "/api/v1/staff", {"email": "jo@harbour.example", "name": "Jo Lee", "role": "clinician"},
        content_type="application/json", **bearer(lead),
    )  # fmt: skip
    assert made.status_code == 201 and made.json()["expires"]
    bad = client.post(
        "/api/v1/staff", {"email": "x@harbour.example", "role": "admin"},
        content_type="application/json", **bearer(lead),
    )  # fmt: skip
    assert bad.status_code == 422 and bad.json()["field"] == "role"
    other = client.post(f"/api/v1/staff/{outsider.pk}/deactivate", **bearer(lead))
    assert other.status_code == 404
    gone = client.post(f"/api/v1/staff/{clinician.pk}/deactivate", **bearer(lead))
    assert gone.status_code == 200 and gone.json()["state"] == "deactivated"


def test_a_patient_cannot_use_the_staff_api(patient: Patient) -> None:
    assert Client().get("/api/v1/staff", **bearer(patient.user)).status_code == 403


def test_account_pages_carry_the_disclaimer(lead: User) -> None:
    for page in (
        logged_in(lead).get(reverse("logins:staff")),
        Client().get(reverse("logins:reset")),
    ):
        assert DISCLAIMER in text(page)


def test_make_user_is_the_builder_for_extra_staff(clinic: Any) -> None:
    assert make_user("extra", Role.CLINICIAN, clinic).clinic == clinic
