"""The REST API of the home program: the library, a patient's program, and the exercise log."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from backpath import DISCLAIMER
from backpath.exercises import EXERCISE_IDS, load_exercises
from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import ExerciseLog
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.web.builders import (
    DAILY,
    PUBLISHED,
    WEEKLY,
    home_program,
    logged_in,
    plan_without_program,
    second_patient,
    today,
    with_program,
)

MONDAY = dt.date(2026, 3, 2)


def program_url(patient: Patient, on: dt.date | None = None) -> str:
    url = f"/api/v1/patients/{patient.pk}/program"
    return f"{url}?on={on.isoformat()}" if on else url


def log_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/exercise-log"


def post_log(client: Client, patient: Patient, body: Any) -> Any:
    return client.post(log_url(patient), json.dumps(body), content_type="application/json")


def a_log(version: PlanVersion, on: dt.date, exercise: str, outcome: str = "done") -> ExerciseLog:
    episode = version.episode
    return ExerciseLog.objects.create(
        patient=episode.patient, episode=episode, version=version, on=on,
        exercise=exercise, outcome=outcome,
    )  # fmt: skip


# --- GET program ----------------------------------------------------------------------------


def test_the_patient_reads_their_program_and_the_days_exercises(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    response = logged_in(patient.user).get(program_url(patient, MONDAY))
    assert response.status_code == 200
    body = response.json()
    assert body["disclaimer"] == DISCLAIMER
    assert (body["patient_id"], body["plan_version"], body["on"]) == (
        patient.pk,
        version.number,
        "2026-03-02",
    )
    assert body["home_program"] == home_program().model_dump(mode="json")
    assert [d["exercise"] for d in body["due"]] == [*DAILY, WEEKLY]
    tuesday = logged_in(patient.user).get(program_url(patient, MONDAY + dt.timedelta(1))).json()
    assert [d["exercise"] for d in tuesday["due"]] == list(DAILY)


def test_due_exercises_show_what_was_logged_and_logs_cover_14_days(patient: Patient) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    a_log(version, MONDAY, "bird_dog", "too_painful")
    a_log(version, MONDAY - dt.timedelta(days=13), "glute_bridge")
    a_log(version, MONDAY - dt.timedelta(days=14), "glute_bridge")
    a_log(version, MONDAY + dt.timedelta(days=1), "glute_bridge")
    body = logged_in(patient.user).get(program_url(patient, MONDAY)).json()
    outcomes = {d["exercise"]: d["outcome"] for d in body["due"]}
    assert outcomes == {**dict.fromkeys((*DAILY, WEEKLY)), "bird_dog": "too_painful"}
    assert [(log["on"], log["exercise"]) for log in body["logs"]] == [
        ("2026-02-17", "glute_bridge"),
        ("2026-03-02", "bird_dog"),
    ]
    assert body["logs"][1]["plan_version"] == version.number


def test_clinic_staff_read_the_program_too(patient: Patient, clinician: User) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    assert logged_in(clinician).get(program_url(patient)).status_code == 200


def test_the_program_of_another_clinic_or_patient_is_not_found(
    patient: Patient, outsider: User, clinic: Any
) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    other = second_patient(clinic)
    assert logged_in(outsider).get(program_url(patient)).status_code == 404
    assert logged_in(other.user).get(program_url(patient)).status_code == 404
    assert Client().get(program_url(patient)).status_code == 401


def test_no_published_program_is_404(patient: Patient) -> None:
    client = logged_in(patient.user)
    assert client.get(program_url(patient)).status_code == 404
    plan_without_program(patient.current_episode())  # published, but with no home program
    assert client.get(program_url(patient)).status_code == 404
    draft = with_program(patient.current_episode(), published=PUBLISHED)
    PlanVersion.objects.filter(pk=draft.pk).update(status=PlanVersion.Status.DRAFT)
    assert client.get(program_url(patient)).json() == {"detail": "Not found.", "field": None}


def test_a_bad_day_in_the_query_is_422(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    response = logged_in(patient.user).get(f"/api/v1/patients/{patient.pk}/program?on=tomorrow")
    assert response.status_code == 422
    assert response.json()["field"] == "on"


def test_reading_the_program_is_audited(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    logged_in(patient.user).get(program_url(patient, MONDAY))
    assert AuditEvent.objects.filter(
        action="read", patient=patient, detail="API program 2026-03-02"
    ).exists()


# --- POST exercise-log ----------------------------------------------------------------------


def test_the_patient_logs_an_exercise_and_a_second_answer_replaces_the_first(
    patient: Patient,
) -> None:
    version = with_program(patient.current_episode(), published=PUBLISHED)
    client = logged_in(patient.user)
    first = post_log(client, patient, {"exercise": "bird_dog", "outcome": "done"})
    assert first.status_code == 201
    body = first.json()
    assert (body["on"], body["exercise"], body["outcome"], body["stop_rule"]) == (
        today().isoformat(),
        "bird_dog",
        "done",
        None,
    )
    assert body["plan_version"] == version.number and body["disclaimer"] == DISCLAIMER
    second = post_log(
        client,
        patient,
        {"exercise": "bird_dog", "outcome": "too_painful", "stop_rule": "leg_symptoms_spread"},
    )
    assert second.status_code == 200 and second.json()["id"] == body["id"]
    log = ExerciseLog.objects.get()
    assert (log.outcome, log.stop_rule, log.created_by_id) == (
        "too_painful",
        "leg_symptoms_spread",
        patient.user_id,
    )
    actions = AuditEvent.objects.filter(object_type="ExerciseLog").values_list("action", flat=True)
    assert sorted(actions) == ["create", "update"]


def test_too_painful_with_none_of_the_stop_rules_is_stored_without_one(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    body = {"exercise": "glute_bridge", "outcome": "too_painful", "stop_rule": "none"}
    response = post_log(logged_in(patient.user), patient, body)
    assert response.status_code == 201 and response.json()["stop_rule"] is None


def test_a_clinician_can_log_for_their_patient(patient: Patient, clinician: User) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    body = {"on": yesterday, "exercise": "glute_bridge", "outcome": "skipped"}
    response = post_log(logged_in(clinician), patient, body)
    assert response.status_code == 201
    assert ExerciseLog.objects.get().created_by_id == clinician.pk


def test_an_outsider_cannot_log_for_another_clinics_patient(
    patient: Patient, outsider: User
) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    response = post_log(logged_in(outsider), patient, {"exercise": "bird_dog", "outcome": "done"})
    assert response.status_code == 404
    assert not ExerciseLog.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"exercise": "plank_to_the_moon", "outcome": "done"}, "exercise", "choose one of"),
        ({"exercise": "bird_dog", "outcome": "finished"}, "outcome", "done"),
        ({"exercise": "bird_dog", "outcome": "done", "on": "+1"}, "on", "in the future"),
        ({"exercise": "bird_dog", "outcome": "done", "on": "-8"}, "on", "days ago"),
        ({"exercise": "bird_dog", "outcome": "done", "on": "2026-02-30"}, "on", "date"),
        (
            {"exercise": "bird_dog", "outcome": "done", "stop_rule": "pain_worse"},
            "stop_rule",
            "Too painful",
        ),
        (
            {"exercise": "bird_dog", "outcome": "too_painful", "stop_rule": "chest_pain_x"},
            "stop_rule",
            "not one of this exercise's answers",
        ),
        ({"outcome": "done"}, "exercise", "required"),
        ({"exercise": "bird_dog", "outcome": "done", "mood": "good"}, "mood", "xtra"),
    ],
)
def test_bad_log_bodies_are_422_naming_the_field(
    patient: Patient, body: dict[str, Any], field: str, words: str
) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    if body.get("on") in ("+1", "-8"):
        body = body | {"on": (today() + dt.timedelta(days=int(body["on"]))).isoformat()}
    response = post_log(logged_in(patient.user), patient, body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["field"] == field
    assert words in error["detail"]
    assert not ExerciseLog.objects.exists()


def test_logging_without_a_published_program_is_422(patient: Patient) -> None:
    plan_without_program(patient.current_episode())
    response = post_log(
        logged_in(patient.user), patient, {"exercise": "bird_dog", "outcome": "done"}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "exercise"
    assert "not shared a home program" in response.json()["detail"]


def test_a_body_that_is_not_json_is_422(patient: Patient) -> None:
    with_program(patient.current_episode(), published=PUBLISHED)
    response = logged_in(patient.user).post(
        log_url(patient), "outcome=done", content_type="text/plain"
    )
    assert response.status_code == 422 and response.json()["field"] == "body"


# --- GET exercises, OpenAPI -----------------------------------------------------------------


def test_the_library_lists_every_exercise(patient: Patient) -> None:
    body = logged_in(patient.user).get("/api/v1/exercises").json()
    assert body["count"] == len(EXERCISE_IDS) == len(body["items"])
    bird_dog = next(i for i in body["items"] if i["id"] == "bird_dog")
    ex = load_exercises()["bird_dog"]
    assert bird_dog["name"] == ex.name and bird_dog["phases"] == ex.phases
    assert bird_dog["targets"] == ex.targets
    assert bird_dog["starting_dose"] == ex.dose.text()
    assert body["disclaimer"] == DISCLAIMER


def test_the_library_filters_by_phase_and_rejects_an_unknown_one(clinician: User) -> None:
    client = logged_in(clinician)
    acute = client.get("/api/v1/exercises?phase=acute").json()["items"]
    assert acute and all("acute" in i["phases"] for i in acute)
    assert len(acute) < len(EXERCISE_IDS)
    response = client.get("/api/v1/exercises?phase=forever")
    assert response.status_code == 422 and response.json()["field"] == "phase"
    assert Client().get("/api/v1/exercises").status_code == 401


def test_the_openapi_schema_documents_the_program_endpoints(clinician: User) -> None:
    schema = logged_in(clinician).get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "get" in paths["/api/v1/patients/{patient_id}/program"]
    assert "post" in paths["/api/v1/patients/{patient_id}/exercise-log"]
    assert "get" in paths["/api/v1/exercises"]
    components = schema["components"]["schemas"]
    assert set(components["ExerciseLogIn"]["properties"]) == {
        "on",
        "exercise",
        "outcome",
        "stop_rule",
    }
    assert "HomeProgram" in components
