"""A clinic goes live, in Chromium: ``createclinic`` → the lead chooses a password from the
emailed link → turns on two-factor sign-in → invites a clinician → the clinician accepts →
adds a patient with an email → invites them → the patient accepts and sees Today; a forgotten
password is reset; a deactivated clinician is signed out at once and their token stops."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.patients.models import Patient
from tests.browser.axe import assert_accessible
from tests.browser.conftest import context_options, shot
from tests.web.builders import complete_intake, logged_in, with_program

LEAD_PW, CLINICIAN_PW, PATIENT_PW = (
    "lead-passphrase-long-1",
    "clinician-passphrase-2",
    "patient-pw-3",
)
LINK = re.compile(r"https?://\S+?(/(?:welcome|password/reset)/[\w-]+/[\w-]+/)")


def last_link(to: str) -> str:
    message = next(m for m in reversed(mail.outbox) if to in m.to)
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


def choose_password(page: Any, path: str, password: str, button: str) -> None:
    page.goto(path)
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(password)
    page.get_by_role("button", name=button).click()
    page.wait_for_load_state()


def sign_in(page: Any, username: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_a_clinic_goes_live(page: Any, browser: Any, live_server: Any,
                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("SECRET_KEY", settings.SECRET_KEY)
    command = ["createclinic", "Riverside Physio", "--lead-email", "lee@riverside.example",
               "--lead-name", "Lee Park"]  # fmt: skip
    made = CliRunner().invoke(app, command)
    assert made.exit_code == 0, made.stderr

    # The lead chooses a password from the emailed link and lands on the patient list.
    choose_password(
        page, last_link("lee@riverside.example"), LEAD_PW, "Set my password and sign in"
    )
    assert page.url.endswith("/patients/")
    assert_accessible(page)

    # Two-factor sign-in with an authenticator app.
    page.get_by_role("link", name="Two-factor").click()
    page.get_by_role("link", name="Set up two-factor sign-in").click()
    assert_accessible(page)
    lead = User.objects.get(username="lee@riverside.example")
    device = TOTPDevice.objects.get(user=lead)
    page.get_by_label("Code").fill(f"{totp(device.bin_key, step=device.step, t0=device.t0):06d}")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    assert page.get_by_role("heading", name="Your recovery codes").is_visible()
    assert page.locator("ul.codes li").count() == 10

    # The lead invites a clinician from the Staff page.
    page.get_by_role("link", name="Staff").click()
    page.get_by_label("Full name").fill("Sam Okafor")
    page.get_by_label("Email").fill("sam@riverside.example")
    page.get_by_label("Role").select_option("clinician")
    page.get_by_role("button", name="Send the invitation").click()
    assert page.get_by_text("Invitation sent to sam@riverside.example").is_visible()
    assert_accessible(page)
    shot(page, "staff-page")

    # The clinician accepts, adds a patient with an email and invites them.
    clinician_tab = browser.new_context(**context_options(live_server)).new_page()
    choose_password(clinician_tab, last_link("sam@riverside.example"), CLINICIAN_PW,
                    "Set my password and sign in")  # fmt: skip
    assert clinician_tab.url.endswith("/patients/")
    clinician_tab.get_by_role("link", name="Add a patient").click()
    clinician_tab.get_by_label("Given name").fill("Noor")
    clinician_tab.get_by_label("Family name").fill("Haddad")
    clinician_tab.get_by_label("Birth year").fill("1980")
    clinician_tab.get_by_label("Email").fill("noor@example.org")
    clinician_tab.get_by_role("button", name="Add and start the intake").click()
    clinician_tab.wait_for_url("**/intake/person/")
    noor = Patient.objects.get(email="noor@example.org")
    sam = User.objects.get(username="sam@riverside.example")
    episode = noor.current_episode()
    complete_intake(logged_in(sam), episode)  # type: ignore[arg-type]  # the forms' plan
    with_program(episode)  # type: ignore[arg-type]  # published, with a home program
    clinician_tab.goto(f"/patients/{noor.pk}/")
    clinician_tab.get_by_label("By email").check()
    clinician_tab.get_by_role("button", name="Invite").click()
    assert clinician_tab.get_by_text("Invitation emailed to noor@example.org").is_visible()
    assert_accessible(clinician_tab)

    # The patient accepts and lands on Today.
    patient_tab = browser.new_context(**context_options(live_server)).new_page()
    choose_password(patient_tab, last_link("noor@example.org"), PATIENT_PW,
                    "Set my password and sign in")  # fmt: skip
    assert patient_tab.url.endswith("/me/today/")
    assert_accessible(patient_tab)
    shot(patient_tab, "patient-first-today")

    # A forgotten password: the patient signs out (from the account menu) and resets it.
    patient_tab.locator("details.account summary").click()
    patient_tab.get_by_role("button", name="Sign out").click()
    patient_tab.get_by_role("link", name="Forgotten your password?").click()
    patient_tab.get_by_label("Email").fill("noor@example.org")
    patient_tab.get_by_role("button", name="Send me a link").click()
    assert patient_tab.get_by_role("heading", name="Check your email").is_visible()
    choose_password(patient_tab, last_link("noor@example.org"), "patient-new-pw-4",
                    "Set my new password")  # fmt: skip
    assert "/me/" in patient_tab.url  # signed in with the new password
    patient_tab.locator("details.account summary").click()
    patient_tab.get_by_role("button", name="Sign out").click()
    sign_in(patient_tab, "noor@example.org", "patient-new-pw-4")
    assert "/me/" in patient_tab.url

    # The lead deactivates the clinician: signed out at once, token refused.
    _, key = ApiToken.issue(sam, "script")
    api = clinician_tab.request.get("/api/v1/patients", headers={"Authorization": f"Bearer {key}"})
    assert api.status == 200
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("row", name=re.compile("Sam Okafor")).get_by_role(
        "button", name="Deactivate"
    ).click()
    assert page.get_by_text("Sam Okafor is deactivated").is_visible()
    clinician_tab.goto("/patients/")
    assert "/login/" in clinician_tab.url
    api = clinician_tab.request.get("/api/v1/patients", headers={"Authorization": f"Bearer {key}"})
    assert api.status == 401
    assert urlparse(clinician_tab.url).path == "/login/"
