"""The REST API's patient data: the list, one patient, the plan, and diary entries."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
from django.test import Client
from django.utils import timezone

from backpath import DISCLAIMER, contract
from backpath.engine import assess_and_plan
from backpath.web.accounts.models import Clinic, User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.conftest import make_intake
from tests.web.builders import logged_in


def diary_url(patient: Patient) -> str:
    return f"/api/v1/patients/{patient.pk}/diary"


def post_entry(client: Client, patient: Patient, entry: dict[str, Any]) -> Any:
    return client.post(diary_url(patient), json.dumps(entry), content_type="application/json")


def version(patient: Patient, number: int, status: str, profile: str = "consensus") -> PlanVersion:
    return PlanVersion.objects.create(
        episode=patient.current_episode(),
        number=number,
        plan=assess_and_plan(make_intake(), profile).to_json_dict(),  # type: ignore[arg-type]
        profile=profile,
        status=status,
        change_summary=f"Version {number}.",
    )


def days_ago(n: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=n)).isoformat()


# --- list and detail ------------------------------------------------------------------------


def test_the_list_holds_the_clinics_patients_in_pages(
    clinic: Clinic, other_clinic: Clinic, clinician: User
) -> None:
    for name in ("Avery", "Brook", "Cole"):
        Patient.objects.create(clinic=clinic, given_name="Sam", family_name=name, birth_year=1970)
    Patient.objects.create(
        clinic=other_clinic, given_name="Jo", family_name="Abel", birth_year=1980
    )
    client = logged_in(clinician)
    page = client.get("/api/v1/patients?limit=2&offset=1").json()
    assert page["count"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [p["family_name"] for p in page["items"]] == ["Brook", "Cole"]
    assert set(page["items"][0]) == {"id", "given_name", "family_name", "birth_year", "sex"}


@pytest.mark.parametrize(
    ("query", "field"), [("limit=0", "limit"), ("limit=201", "limit"), ("offset=-1", "offset")]
)
def test_a_page_out_of_range_is_422_naming_the_parameter(
    clinician: User, query: str, field: str
) -> None:
    response = logged_in(clinician).get(f"/api/v1/patients?{query}")
    assert response.status_code == 422 and response.json()["field"] == field


def test_one_patient_comes_with_the_current_episode(clinician: User, patient: Patient) -> None:
    body = logged_in(clinician).get(f"/api/v1/patients/{patient.pk}").json()
    episode = patient.current_episode()
    assert body["family_name"] == "Byrne" and body["has_login"] is True
    assert body["current_episode"] == {
        "id": episode.pk,
        "opened": episode.opened.isoformat(),
        "closed": None,
        "title": "Back pain",
        "intake_completed": False,
    }


def test_reads_are_audited_with_who_and_which_patient(clinician: User, patient: Patient) -> None:
    client = logged_in(clinician)
    client.get("/api/v1/patients")
    client.get(f"/api/v1/patients/{patient.pk}")
    listed = AuditEvent.objects.get(detail__startswith="API patient list")
    read = AuditEvent.objects.get(detail="API patient")
    assert listed.username == read.username == "clinician"
    assert read.patient == patient and read.path == f"/api/v1/patients/{patient.pk}"
    assert read.action == "read" and read.clinic == clinician.clinic


# --- plan -----------------------------------------------------------------------------------


def test_staff_get_the_latest_version_and_the_patient_the_latest_published(
    clinician: User, patient: Patient
) -> None:
    version(patient, 1, "superseded")
    published = version(patient, 2, "published", profile="nice")
    version(patient, 3, "draft")
    staff = logged_in(clinician).get(f"/api/v1/patients/{patient.pk}/plan").json()
    mine = logged_in(patient.user).get(f"/api/v1/patients/{patient.pk}/plan").json()
    assert (staff["number"], staff["status"], staff["change_summary"]) == (3, "draft", "Version 3.")
    assert (mine["number"], mine["status"], mine["profile"]) == (2, "published", "nice")
    assert mine["plan"] == published.plan and mine["change_summary"] is None
    jsonschema.validate(mine["plan"], contract.schema("plan"))
    assert AuditEvent.objects.filter(patient=patient, detail="API plan v2").exists()


def test_a_patient_with_only_a_draft_gets_404(clinician: User, patient: Patient) -> None:
    version(patient, 1, "draft")
    assert logged_in(patient.user).get(f"/api/v1/patients/{patient.pk}/plan").status_code == 404
    assert logged_in(clinician).get(f"/api/v1/patients/{patient.pk}/plan").status_code == 200


def test_a_patient_without_an_episode_has_no_plan(clinic: Clinic, clinician: User) -> None:
    new = Patient.objects.create(clinic=clinic, given_name="Al", family_name="Ng", birth_year=1990)
    response = logged_in(clinician).get(f"/api/v1/patients/{new.pk}/plan")
    assert response.status_code == 404 and response.json()["detail"] == "Not found."


# --- diary: what is saved -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "value"),
    [
        ({"kind": "nrs", "value": 7}, 7.0),
        ({"kind": "peg", "answers": [4, 5, 7]}, 5.33),
        ({"kind": "odi", "answers": [2, 2, 2, 2, 2, 2, 2, 2, 2, None]}, 40.0),
        ({"kind": "rmdq", "answers": [1] * 6 + [0] * 18}, 6.0),
    ],
    ids=["nrs", "peg", "odi", "rmdq"],
)
def test_a_questionnaire_entry_is_saved_with_the_computed_score(
    patient: Patient, entry: dict[str, Any], value: float
) -> None:
    response = post_entry(logged_in(patient.user), patient, entry | {"on": days_ago(1)})
    assert response.status_code == 201, response.content
    saved = DiaryEntry.objects.get()
    assert saved.value == pytest.approx(value) and response.json()["value"] == saved.value
    assert saved.kind == entry["kind"] and saved.on.isoformat() == days_ago(1)
    assert saved.episode == patient.current_episode() and saved.created_by == patient.user
    assert saved.answers == entry.get("answers", [entry.get("value")])


def test_a_session_and_an_adverse_event_are_saved_by_staff(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    session = {"kind": "session", "treatment": "physical_therapy", "attended": False}
    event = {"kind": "adverse_event", "note": " Sore for two days. ", "serious": True}
    assert post_entry(client, patient, session).status_code == 201
    assert post_entry(client, patient, event).status_code == 201
    saved_session, saved_event = DiaryEntry.objects.order_by("id")
    assert saved_session.attended is False and saved_session.treatment == "physical_therapy"
    assert saved_event.serious is True and saved_event.note == "Sore for two days."
    assert saved_event.on == timezone.localdate() and saved_event.created_by == clinician


def test_a_diary_write_is_audited(patient: Patient) -> None:
    post_entry(logged_in(patient.user), patient, {"kind": "nrs", "value": 3})
    event = AuditEvent.objects.get(action="create")
    entry = DiaryEntry.objects.get()
    assert (event.object_type, event.object_id) == ("DiaryEntry", str(entry.pk))
    assert event.patient == patient and event.detail == "API diary nrs"


def test_an_entry_goes_to_the_current_episode(patient: Patient) -> None:
    newer = Episode.objects.create(patient=patient, opened=timezone.localdate())
    post_entry(logged_in(patient.user), patient, {"kind": "nrs", "value": 3})
    assert DiaryEntry.objects.get().episode == newer


# --- diary: what is refused -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"kind": "mood", "value": 3}, "kind"),
        ({"value": 3}, "kind"),
        ({"kind": "nrs", "value": 11}, "value"),
        ({"kind": "nrs", "value": 5.5}, "value"),
        ({"kind": "nrs", "value": "7"}, "value"),
        ({"kind": "nrs", "value": True}, "value"),
        ({"kind": "nrs"}, "value"),
        ({"kind": "nrs", "answers": [3]}, "answers"),
        ({"kind": "peg", "answers": [3, 4, 11]}, "answers[2]"),
        ({"kind": "peg", "answers": [3, 4, "x"]}, "answers[2]"),
        ({"kind": "peg", "answers": [3, 4]}, "answers"),
        ({"kind": "peg", "answers": [3, 4, None]}, "answers[2]"),
        ({"kind": "peg", "answers": [3, 4, 5], "value": 4}, "value"),
        ({"kind": "odi", "answers": [None] * 8 + [1, 1]}, "answers"),
        ({"kind": "rmdq", "answers": [2] + [0] * 23}, "answers[0]"),
        ({"kind": "nrs", "value": 3, "on": "2025-13-01"}, "on"),
        ({"kind": "nrs", "value": 3, "on": days_ago(-1)}, "on"),
        ({"kind": "nrs", "value": 3, "on": days_ago(400)}, "on"),
        ({"kind": "nrs", "value": 3, "mood": "fine"}, "mood"),
        ({"kind": "session", "treatment": "physical_therapy"}, "attended"),
        ({"kind": "session", "treatment": "magnets", "attended": True}, "treatment"),
        ({"kind": "session", "attended": True}, "treatment"),
        ({"kind": "adverse_event", "note": "  "}, "note"),
        ({"kind": "adverse_event", "note": "x" * 1001}, "note"),
        ({"kind": "nrs", "value": 3, "serious": True}, "serious"),
        ([{"kind": "nrs", "value": 3}], "body"),
    ],
)
def test_an_invalid_entry_is_422_naming_the_field_and_nothing_is_saved(
    patient: Patient, entry: Any, field: str
) -> None:
    response = post_entry(logged_in(patient.user), patient, entry)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"].startswith(field)
    assert not DiaryEntry.objects.exists()


def test_a_diary_body_that_is_not_json_is_422(patient: Patient) -> None:
    response = logged_in(patient.user).post(diary_url(patient), {"kind": "nrs", "value": "3"})
    assert response.status_code == 422 and response.json()["field"] == "body"
    assert not DiaryEntry.objects.exists()


def test_another_patients_diary_cannot_be_written(clinic: Clinic, patient: Patient) -> None:
    other = Patient.objects.create(
        clinic=clinic, given_name="Bo", family_name="Li", birth_year=1960
    )
    response = post_entry(logged_in(patient.user), other, {"kind": "nrs", "value": 3})
    assert response.status_code == 404 and not DiaryEntry.objects.exists()


def test_every_api_response_about_a_patient_carries_the_disclaimer(
    clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    for url in ("/api/v1/patients", f"/api/v1/patients/{patient.pk}"):
        assert client.get(url).json()["disclaimer"] == DISCLAIMER, url
    entry = client.post(
        f"/api/v1/patients/{patient.pk}/diary",
        {"kind": "nrs", "value": 4},
        content_type="application/json",
    )
    assert entry.status_code == 201 and entry.json()["disclaimer"] == DISCLAIMER
