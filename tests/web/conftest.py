"""Personas built in code: a clinician, a colleague (lead), an outsider clinic and a patient."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from backpath.web.accounts.models import Clinic, Role, User
from backpath.web.patients.models import Episode, Intake, Patient
from tests.web.builders import complete_intake, logged_in, make_user, with_program


@pytest.fixture
def clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Harbour Back Clinic")


@pytest.fixture
def other_clinic(db: Any) -> Clinic:
    return Clinic.objects.create(name="Hillside Spine Centre")


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
    episode = patient.episodes.get()
    assert complete_intake(logged_in(clinician), episode).status_code == 302
    return episode


@pytest.fixture
def me(patient: Patient) -> Client:
    """The patient, signed in, with a published plan carrying the default home program."""
    with_program(patient.episodes.get())
    return logged_in(patient.user)


@pytest.fixture
def queue_in_database(db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The embedded queue (django-tasks' database backend) instead of the tests' immediate
    one, for a worker run inside the test (``call_command("work"|"db_worker", batch)``). The
    worker keeps the test's connection: its own housekeeping would close it between tasks and
    end the test's transaction on PostgreSQL."""
    from django.test import override_settings

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        yield
