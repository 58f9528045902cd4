"""A clinician takes a new patient from intake to plan through the multi-step form."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import NO_FLAGS_FORM, complete_intake, logged_in


def test_a_clinician_adds_a_patient_completes_the_intake_and_gets_a_plan(clinician: User) -> None:
    client = logged_in(clinician)
    response = client.post(
        reverse("patients:create"),
        {"given_name": "Lena", "family_name": "Ortiz", "birth_year": "1980", "sex": "female"},
    )
    patient = Patient.objects.get(family_name="Ortiz")
    episode = patient.episodes.get()
    assert response.status_code == 302 and patient.clinic == clinician.clinic
    response = complete_intake(client, episode)
    assert response.status_code == 302
    version = PlanVersion.objects.get(episode=episode)
    assert version.number == 1 and version.status == "draft"
    nsaids = next(n for n in version.plan["not_recommended"] if n["treatment"] == "nsaids")
    assert nsaids["reason"] == "interaction"
    page = client.get(reverse("plans:plan", args=[episode.pk]))
    assert page.status_code == 200 and b"does not replace" in page.content
    assert AuditEvent.objects.filter(patient=patient, action="create").exists()


def test_an_invalid_step_keeps_what_was_typed_and_says_what_is_allowed(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    response = client.post(
        reverse("patients:intake", args=[episode.pk, "pain"]),
        {"nrs_now": "14", "nrs_week_average": "5"},
    )
    assert response.status_code == 200
    assert b"Enter a whole number from 0 to 10." in response.content
    assert b'value="14"' in response.content and b'value="5"' in response.content
    episode.intake.refresh_from_db()
    assert "pain" not in episode.intake.data


def test_a_red_flag_intake_shows_the_emergency_banner_and_no_plan(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    episode = patient.episodes.get()
    complete_intake(client, episode, red_flags=NO_FLAGS_FORM | {"saddle_anaesthesia": "yes"})
    version = PlanVersion.objects.get(episode=episode)
    assert (
        version.plan["triage"]["disposition"] == "emergency" and version.plan["recommended"] == []
    )
    page = client.get(reverse("plans:plan", args=[episode.pk]))
    assert b"Emergency: seek emergency care now" in page.content


def test_a_clinician_of_another_clinic_gets_nothing(outsider: User, patient: Patient) -> None:
    client = logged_in(outsider)
    episode = patient.episodes.get()
    assert client.get(reverse("patients:detail", args=[patient.pk])).status_code == 404
    assert client.get(reverse("patients:intake", args=[episode.pk, "pain"])).status_code == 404
    assert client.get(reverse("plans:plan", args=[episode.pk])).status_code == 404
    assert b"Byrne" not in client.get(reverse("patients:list")).content


def test_a_patient_cannot_open_clinician_pages(patient: Patient) -> None:
    client = logged_in(patient.user)
    assert client.get(reverse("patients:list")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(db: Any) -> None:
    response = Client().get(reverse("patients:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
