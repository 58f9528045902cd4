"""Personas built in code: a clinician, a colleague (lead), an outsider clinic and a patient."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.patients.models import Episode, Intake, Patient

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Harbour Back Clinic")


@pytest.fixture
def other_clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Hillside Spine Centre")


def make_user(username: str, role: str, clinic: Clinic | None) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role, clinic=clinic)


@pytest.fixture
def clinician(clinic: Clinic) -> User:
    return make_user("clinician", Role.CLINICIAN, clinic)


@pytest.fixture
def lead(clinic: Clinic) -> User:
    return make_user("lead", Role.LEAD, clinic)


@pytest.fixture
def outsider(other_clinic: Clinic) -> User:
    return make_user("outsider", Role.CLINICIAN, other_clinic)


@pytest.fixture
def patient(clinic: Clinic, clinician: User) -> Patient:
    user = make_user("patient", Role.PATIENT, clinic)
    p = Patient.objects.create(
        clinic=clinic,
        given_name="Ada",
        family_name="Byrne",
        birth_year=1975,
        sex="female",
        user=user,
        created_by=clinician,
    )
    episode = Episode.objects.create(patient=p)
    Intake.objects.create(episode=episode)
    return p


@pytest.fixture
def episode(clinician: User, patient: Patient) -> Episode:
    """The patient's episode with a plan made through the intake form: chronic, on an
    anticoagulant, avoiding needles, at most 2 sessions a week."""
    from tests.web.test_intake_flow import complete_intake  # imports this module

    episode = patient.episodes.get()
    assert complete_intake(logged_in(clinician), episode).status_code == 302
    return episode


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
