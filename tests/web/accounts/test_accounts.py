"""Sign-in, sign-out, password change, brute-force protection and the role-based home page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.patients.models import Patient
from tests.web.builders import PASSWORD, logged_in, with_program


def test_production_settings_hash_passwords_with_argon2() -> None:
    from backpath.web import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_clinician_signs_in_and_lands_on_the_patient_list(clinician: User) -> None:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "clinician", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).headers["Location"].endswith("/patients/")


def test_a_patient_without_a_home_program_lands_on_their_plan(patient: Patient) -> None:
    client = logged_in(patient.user)
    assert client.get(reverse("accounts:home")).headers["Location"].endswith("/me/")
    assert client.get(reverse("care:start")).headers["Location"].endswith("/me/plan/")


def test_a_patient_with_a_home_program_lands_on_today(patient: Patient) -> None:
    with_program(patient.current_episode())  # type: ignore[arg-type]
    response = logged_in(patient.user).get(reverse("care:start"))
    assert response.headers["Location"].endswith("/me/today/")


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(clinician: User) -> None:
    page = Client().post(reverse("accounts:login"), {"username": "clinician", "password": "nope"})
    assert page.status_code == 200 and b"correct username and password" in page.content


def test_repeated_failures_lock_the_account_out(clinician: User) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "clinician", "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": "clinician", "password": PASSWORD})
    assert locked.status_code == 429


def test_sign_out_needs_a_post_and_ends_the_session(clinician: User) -> None:
    client = logged_in(clinician)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("patients:list")).status_code == 302


def test_a_user_changes_their_password(clinician: User) -> None:
    client = logged_in(clinician)
    new = "another-long-passphrase-42"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    clinician.refresh_from_db()
    assert clinician.check_password(new)


def test_a_non_admin_user_must_belong_to_a_clinic(db: Any) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="floating", password=PASSWORD, role=Role.CLINICIAN)
    User.objects.create_user(username="root", password=PASSWORD, role=Role.ADMIN)


def test_sessions_and_csrf_cookies_are_hardened_in_production() -> None:
    from backpath.web import settings as production

    assert production.SESSION_COOKIE_HTTPONLY and production.SESSION_COOKIE_SAMESITE == "Lax"
    assert production.X_FRAME_OPTIONS == "DENY"


def test_every_page_carries_the_disclaimer(clinic: Clinic) -> None:
    assert b"does not replace" in Client().get(reverse("accounts:login")).content


def test_a_missing_page_keeps_the_layout_and_the_disclaimer(clinician: User) -> None:
    page = logged_in(clinician).get("/patients/999999/")
    assert page.status_code == 404
    assert b"Not found" in page.content and b"does not replace" in page.content


def test_a_forbidden_page_says_why_and_keeps_the_disclaimer(patient: Patient) -> None:
    page = logged_in(patient.user).get(reverse("patients:list"))
    assert page.status_code == 403
    assert b"for clinic staff" in page.content and b"does not replace" in page.content
