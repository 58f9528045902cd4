"""Two-factor sign-in (django-otp): set up with an authenticator and recovery codes, required
for staff when BACKPATH_STAFF_MFA is on, a code after the password, turned on by a patient who
wants it; and the sessions' idle limits by role."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.logins import gate
from backpath.web.patients.models import Patient
from tests.web.builders import PASSWORD, logged_in


def sign_in(username: str) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, "the password sign-in failed"
    return client


def code_of(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def set_up(client: Client, user: User) -> list[str]:
    """Set up an authenticator through the pages; returns the recovery codes shown."""
    page = client.get(reverse("logins:mfa_setup"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    done = client.post(reverse("logins:mfa_setup"), {"code": code_of(user)})
    assert done.status_code == 200
    return re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())


@override_settings(BACKPATH_STAFF_MFA=True)
def test_staff_must_set_up_a_second_factor_before_anything_else(clinician: User) -> None:
    client = sign_in("clinician")
    assert client.get(reverse("patients:list")).headers["Location"] == reverse("logins:mfa_setup")
    api = client.get("/api/v1/patients")
    assert api.status_code == 403 and "Two-factor" in api.json()["detail"]
    codes = set_up(client, clinician)
    assert len(codes) == 10
    assert client.get(reverse("patients:list")).status_code == 200  # verified in this session
    assert AuditEvent.objects.filter(action="mfa_on", object_id=str(clinician.pk)).exists()


@override_settings(
    BACKPATH_STAFF_MFA=True, OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0
)  # django-otp slows retries after a wrong code; these tests do not wait for it
def test_after_the_password_a_code_or_a_recovery_code_is_due(clinician: User) -> None:
    codes = set_up(sign_in("clinician"), clinician)
    client = sign_in("clinician")
    assert client.get(reverse("patients:list")).headers["Location"] == reverse("logins:mfa_verify")
    wrong = client.post(reverse("logins:mfa_verify"), {"code": "000000"})
    assert wrong.status_code == 200 and "not right" in html.unescape(wrong.content.decode())
    client.post(reverse("logins:mfa_verify"), {"code": codes[0]})
    assert client.get(reverse("patients:list")).status_code == 200
    again = sign_in("clinician")  # a recovery code works once
    again.post(reverse("logins:mfa_verify"), {"code": codes[0]})
    assert again.get(reverse("patients:list")).status_code == 302


@override_settings(BACKPATH_STAFF_MFA=True)
def test_after_the_code_the_user_goes_where_they_were_going_on_this_site_only(
    clinician: User, patient: Patient
) -> None:
    codes = set_up(sign_in("clinician"), clinician)
    client = sign_in("clinician")
    wanted = reverse("patients:detail", args=[patient.pk]) + "?tab=alerts"
    assert client.get(wanted)["Location"] == reverse("logins:mfa_verify")
    done = client.post(reverse("logins:mfa_verify"), {"code": codes[0]})
    assert done["Location"] == wanted
    later = sign_in("clinician")
    session = later.session
    session[gate.AFTER] = "https://elsewhere.example/phish"
    session.save()
    done = later.post(reverse("logins:mfa_verify"), {"code": codes[1]})
    assert done["Location"] == reverse("accounts:home")


@override_settings(BACKPATH_STAFF_MFA=True)
def test_staff_cannot_turn_it_off_where_it_is_required(clinician: User) -> None:
    client = sign_in("clinician")
    set_up(client, clinician)
    client.post(reverse("logins:mfa"), {"action": "off"})
    assert TOTPDevice.objects.filter(user=clinician, confirmed=True).exists()


def test_a_patient_may_turn_it_on_and_off(patient: Patient) -> None:
    client = sign_in("patient")
    assert client.get(reverse("care:my_plan")).status_code == 200  # not required for patients
    set_up(client, patient.user)  # type: ignore[arg-type]
    later = sign_in("patient")
    assert later.get(reverse("care:my_plan")).headers["Location"] == reverse("logins:mfa_verify")
    later.post(reverse("logins:mfa_verify"), {"code": code_of(patient.user)})  # type: ignore[arg-type]
    later.post(reverse("logins:mfa"), {"action": "off"})
    assert not TOTPDevice.objects.filter(user=patient.user).exists()
    assert AuditEvent.objects.filter(action="mfa_off").exists()


@pytest.mark.parametrize(("who", "seconds"), [("clinician", 30 * 60), ("patient", 14 * 86400)])
def test_sessions_end_after_the_roles_idle_limit(who: str, seconds: int, request: Any) -> None:
    request.getfixturevalue("patient")
    client = sign_in(who)
    client.get(reverse("accounts:home"))
    assert client.session.get_expiry_age() == seconds


def test_the_idle_clock_restarts_once_a_minute_not_on_every_request(clinician: User) -> None:
    client = sign_in("clinician")
    client.get(reverse("accounts:home"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("accounts:home"))
    writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "session" in q["sql"]]
    assert writes == []  # the same minute: the session row is not written again
    session = client.session
    session[gate.SEEN] = 0  # as if the last request was long ago
    session.save()
    client.get(reverse("accounts:home"))
    assert client.session[gate.SEEN] > 0 and client.session.get_expiry_age() == 30 * 60


def test_signing_out_ends_the_session_on_the_server(clinician: User) -> None:
    client = sign_in("clinician")
    key = client.session.session_key
    client.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()


@override_settings(BACKPATH_STAFF_MFA=True)
def test_the_password_cannot_be_changed_before_the_second_factor(clinician: User) -> None:
    client = sign_in("clinician")
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response.headers["Location"] == reverse(
        "logins:mfa_setup"
    )


def test_a_lead_resets_a_lost_second_factor(clinician: User, lead: User) -> None:
    with override_settings(BACKPATH_STAFF_MFA=True):
        set_up(sign_in("clinician"), clinician)
        before = sign_in("clinician")
    response = logged_in(lead).post(reverse("logins:staff_reset_mfa", args=[clinician.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=clinician).exists()
    assert before.get(reverse("patients:list")).status_code == 302  # signed out everywhere
    with override_settings(BACKPATH_STAFF_MFA=True):
        after = sign_in("clinician")  # sets up again, as the clinic requires
        location = after.get(reverse("patients:list")).headers["Location"]
    assert location == reverse("logins:mfa_setup")
    assert AuditEvent.objects.filter(action="mfa_reset", object_id=str(clinician.pk)).exists()


def test_only_the_lead_resets_anothers_second_factor(clinician: User, lead: User) -> None:
    url = reverse("logins:staff_reset_mfa", args=[lead.pk])
    assert logged_in(clinician).post(url).status_code == 403
