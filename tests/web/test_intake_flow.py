"""A clinician takes a new patient from intake to plan through the multi-step form."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from backpath import contract
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.web.conftest import logged_in

NO_FLAGS = dict.fromkeys(contract.red_flag_ids(), "no")


def complete_intake(
    client: Client, episode: Episode, red_flags: dict[str, str] | None = None
) -> Any:
    steps: dict[str, dict[str, Any]] = {
        "person": {"pregnant": "", "weight_kg": "70", "height_cm": "170"},
        "episode": {
            "duration_weeks": "20",
            "region": "low_back",
            "leg_pain": "none",
            "suspected_cause": "nonspecific",
            "prior_episodes": "1",
        },
        "pain": {"nrs_now": "6", "nrs_week_average": "5"},
        "red_flags": red_flags or NO_FLAGS,
        "questionnaires": {f"startback_{i}": v for i, v in enumerate("101011013")},
        "conditions": {"conditions": ["anticoagulant_therapy"]},
        "preferences": {"avoid": ["needles"], "max_sessions_per_week": "2", "budget": "medium"},
    }
    for step, data in steps.items():
        response = client.post(reverse("patients:intake", args=[episode.pk, step]), data)
        assert response.status_code == 302, (step, response.content[:2000])
    prior = {
        "prior-TOTAL_FORMS": "4",
        "prior-INITIAL_FORMS": "0",
        "prior-MIN_NUM_FORMS": "4",
        "prior-MAX_NUM_FORMS": "10",
    }
    for i in range(4):
        prior |= {f"prior-{i}-treatment": "", f"prior-{i}-weeks": "", f"prior-{i}-response": ""}
    assert (
        client.post(
            reverse("patients:intake", args=[episode.pk, "prior_treatments"]), prior
        ).status_code
        == 302
    )
    return client.post(
        reverse("patients:intake_review", args=[episode.pk]), {"profile": "consensus"}
    )


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
    complete_intake(client, episode, red_flags=NO_FLAGS | {"saddle_anaesthesia": "yes"})
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
