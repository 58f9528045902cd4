"""Read by id: every resource of a patient's record whose URL BackPath publishes, with meta,
ETag and Last-Modified, 304 for a current copy, the same 404 for another clinic's record as
for none, and an audit event for each read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from backpath.web.accounts.models import User
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.fhir.last_updated import closing_time
from backpath.web.patients import identity
from backpath.web.patients.models import Episode, Patient, PatientIdentifier
from backpath.web.plans.models import PlanVersion
from tests.web.builders import add_entry, latest, plan_version
from tests.web.fhir.fhir_calls import bearer, diagnostics, fhir, resources

RECORD_TYPES = (
    "Observation", "Condition", "MedicationStatement", "AllergyIntolerance",
    "QuestionnaireResponse", "CarePlan",
)  # fmt: skip


def everything_of(client: Client, patient: Patient) -> list[dict[str, Any]]:
    return resources(fhir(client.get(f"/fhir/Patient/{patient.pk}/$everything")))


def read(client: Client, kind: str, resource_id: str, **headers: Any) -> Any:
    return client.get(f"/fhir/{kind}/{resource_id}", **headers)


@pytest.fixture
def diary_episode(episode: Episode) -> Episode:
    add_entry(episode.patient, "nrs", days=3, value=5)
    return episode


def test_every_resource_in_everything_reads_back_by_its_id(
    clinician: User, diary_episode: Episode
) -> None:
    client = bearer(clinician)
    found = [
        r for r in everything_of(client, diary_episode.patient) if r["resourceType"] in RECORD_TYPES
    ]
    assert {r["resourceType"] for r in found} == set(RECORD_TYPES)
    for resource in found:
        response = read(client, resource["resourceType"], resource["id"])
        assert fhir(response) == resource
        assert response["ETag"] == f'W/"{resource["meta"]["versionId"]}"'
        last = dt.datetime.fromisoformat(resource["meta"]["lastUpdated"])
        assert parse_http_date(response["Last-Modified"]) == int(last.timestamp())
        assert "no-store" in response["Cache-Control"]


def test_every_url_everything_publishes_answers_a_read(
    clinician: User, diary_episode: Episode
) -> None:
    """Whatever type the export adds to a record, its fullUrl must be readable."""
    client = bearer(clinician)
    bundle = fhir(client.get(f"/fhir/Patient/{diary_episode.patient.pk}/$everything"))
    published = [e for e in bundle["entry"] if "fullUrl" in e]
    assert len({e["resource"]["resourceType"] for e in published}) >= 6
    for entry in published:
        assert (
            fhir(client.get(entry["fullUrl"].removeprefix("http://testserver")))
            == entry["resource"]
        )


def test_a_read_is_audited_with_the_resource_it_read(clinician: User, episode: Episode) -> None:
    patient = episode.patient
    client = bearer(clinician)
    (plan,) = [r for r in everything_of(client, patient) if r["resourceType"] == "CarePlan"]
    AuditEvent.objects.all().delete()
    fhir(read(client, "CarePlan", plan["id"]))
    (event,) = AuditEvent.objects.all()
    assert (event.action, event.patient_id, event.username) == ("read", patient.pk, "clinician")
    assert event.detail == f"FHIR CarePlan/{plan['id']}"


def test_without_credentials_a_read_is_401(episode: Episode) -> None:
    pid = episode.patient.pk
    response = Client().get(f"/fhir/Observation/{pid}-ep{episode.pk}-obs-nrs")
    assert "Authorization" in diagnostics(response, 401)


def test_another_clinics_resources_answer_exactly_like_unknown_ones(
    outsider: User, clinician: User, diary_episode: Episode
) -> None:
    """The outsider knows the ids (they are not secret) but learns nothing from them."""
    theirs = bearer(clinician)
    mine = bearer(outsider)
    patient = diary_episode.patient
    found = [r for r in everything_of(theirs, patient) if r["resourceType"] in RECORD_TYPES]
    AuditEvent.objects.all().delete()
    for resource in found:
        kind, rid = resource["resourceType"], resource["id"]
        unknown = rid.replace(f"{patient.pk}-", f"{patient.pk + 999}-", 1)
        hidden = read(mine, kind, rid)
        missing = read(mine, kind, unknown)
        assert diagnostics(hidden, 404).replace(rid, "X") == diagnostics(missing, 404).replace(
            unknown, "X"
        )
        assert hidden.headers.keys() == missing.headers.keys()
    assert {e.action for e in AuditEvent.objects.all()} == {"denied"}
    assert not AuditEvent.objects.filter(patient=patient).exists()


@pytest.mark.parametrize(
    "shape",
    [
        "{pid}-ep{other_episode}-obs-nrs",  # an episode of another patient, under this one
        "{pid}-ep{episode}-obs-nothing",
        "{pid}-ep{episode}-careplan-v99",
        "{pid}-diary-{other_diary}-nrs",  # a diary row of another patient, under this one
        "{pid}-diary-{diary}-odi",  # the row is an NRS score
        "{pid}",
        "{pid}-ep0-obs-nrs",
        "{pid}-ep{episode}",
        "x" * 64,
        "{pid}-diary-0-nrs",
    ],
)
def test_ids_that_name_no_visible_resource_are_404(
    shape: str, clinician: User, diary_episode: Episode, second_patient_episode: Episode
) -> None:
    patient = diary_episode.patient
    other = second_patient_episode.patient
    rid = shape.format(
        pid=patient.pk,
        episode=diary_episode.pk,
        other_episode=second_patient_episode.pk,
        diary=DiaryEntry.objects.get(patient=patient).pk,
        other_diary=add_entry(other, "nrs", days=1, value=2).pk,
    )
    text = diagnostics(read(bearer(clinician), "Observation", rid), 404)
    assert text.endswith("not found (or not yours).")


@pytest.fixture
def second_patient_episode(clinic: Any, clinician: User) -> Episode:
    patient = Patient.objects.create(
        clinic=clinic, given_name="Bo", family_name="Lind", birth_year=1960
    )
    episode = Episode.objects.create(patient=patient)
    plan_version(episode)
    return episode


def test_a_patient_reads_only_plan_versions_published_to_them(episode: Episode) -> None:
    PlanVersion.objects.filter(episode=episode).update(status="published", published=timezone.now())
    draft = plan_version(episode, status=PlanVersion.Status.DRAFT)
    pid = episode.patient.pk
    client = bearer(episode.patient.user)
    fhir(read(client, "CarePlan", f"{pid}-ep{episode.pk}-careplan-v1"))
    missing = read(client, "CarePlan", f"{pid}-ep{episode.pk}-careplan-v{draft.number}")
    assert "not found" in diagnostics(missing, 404)


# --- versions, ETags and conditional reads ---------------------------------------------------


def plan_id(episode: Episode, number: int = 1) -> str:
    return f"{episode.patient.pk}-ep{episode.pk}-careplan-v{number}"


def test_a_current_copy_gets_a_304_with_its_etag(clinician: User, episode: Episode) -> None:
    client = bearer(clinician)
    first = read(client, "CarePlan", plan_id(episode))
    etag = first["ETag"]
    again = read(client, "CarePlan", plan_id(episode), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Last-Modified"] == first["Last-Modified"]
    strong = etag.removeprefix("W/")
    assert read(client, "CarePlan", plan_id(episode), HTTP_IF_NONE_MATCH=strong).status_code == 304
    other = read(client, "CarePlan", plan_id(episode), HTTP_IF_NONE_MATCH='W/"0000"')
    assert fhir(other)["meta"]["versionId"] == etag[3:-1]
    since = read(
        client, "CarePlan", plan_id(episode), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )
    assert since.status_code == 304
    AuditEvent.objects.filter(action="read").delete()
    read(client, "CarePlan", plan_id(episode), HTTP_IF_NONE_MATCH=etag)
    assert AuditEvent.objects.filter(action="read").count() == 1  # a 304 is a read too


def test_unchanged_resources_keep_their_version(clinician: User, diary_episode: Episode) -> None:
    client = bearer(clinician)
    before = {r.get("id"): r.get("meta") for r in everything_of(client, diary_episode.patient)}
    after = {r.get("id"): r.get("meta") for r in everything_of(client, diary_episode.patient)}
    assert before == after and len(before) > 10


def test_a_new_plan_version_changes_the_version_of_the_one_it_replaces(
    clinician: User, episode: Episode
) -> None:
    client = bearer(clinician)
    first = fhir(read(client, "CarePlan", plan_id(episode)))
    old_etag = f'W/"{first["meta"]["versionId"]}"'
    second = plan_version(episode, status=PlanVersion.Status.DRAFT)
    response = read(client, "CarePlan", plan_id(episode), HTTP_IF_NONE_MATCH=old_etag)
    changed = fhir(response)
    assert (first["status"], changed["status"]) == ("draft", "revoked")
    assert changed["meta"]["versionId"] != first["meta"]["versionId"]
    assert dt.datetime.fromisoformat(changed["meta"]["lastUpdated"]) == second.created
    assert response["Last-Modified"] == http_date(int(second.created.timestamp()))


def test_publishing_changes_the_plans_version_and_time(clinician: User, episode: Episode) -> None:
    client = bearer(clinician)
    before = fhir(read(client, "CarePlan", plan_id(episode)))
    version = latest(episode)
    version.status, version.published = "published", timezone.now() + dt.timedelta(seconds=1)
    version.save()
    after = fhir(read(client, "CarePlan", plan_id(episode)))
    assert (before["status"], after["status"]) == ("draft", "active")
    assert after["meta"]["versionId"] != before["meta"]["versionId"]
    assert dt.datetime.fromisoformat(after["meta"]["lastUpdated"]) == version.published


def test_closing_the_episode_completes_the_plan_and_moves_its_time(
    clinician: User, episode: Episode
) -> None:
    client = bearer(clinician)
    episode.plan_versions.update(
        status="published", published=timezone.now() - dt.timedelta(days=9)
    )
    before = fhir(read(client, "CarePlan", plan_id(episode)))
    Episode.objects.filter(pk=episode.pk).update(closed=timezone.localdate())
    asked = timezone.now()
    after = fhir(read(client, "CarePlan", plan_id(episode)))
    assert (before["status"], after["status"]) == ("active", "completed")
    assert after["meta"]["versionId"] != before["meta"]["versionId"]
    assert dt.datetime.fromisoformat(after["meta"]["lastUpdated"]) >= asked


def test_a_closing_counts_as_the_end_of_its_day_once_the_day_is_over() -> None:
    day = dt.date(2026, 3, 2)
    zone = timezone.get_default_timezone()
    noon = dt.datetime(2026, 3, 2, 12, tzinfo=zone)
    assert closing_time(day, noon) == noon
    later = dt.datetime(2026, 3, 9, 8, tzinfo=zone)
    assert closing_time(day, later) == dt.datetime(2026, 3, 3, tzinfo=zone)


# --- the Patient's identifiers --------------------------------------------------------------


def test_the_patient_carries_the_record_number_and_ehr_identifiers(
    clinician: User, patient: Patient
) -> None:
    client = bearer(clinician)
    bare = fhir(client.get(f"/fhir/Patient/{patient.pk}"))
    assert "identifier" not in bare
    Patient.objects.filter(pk=patient.pk).update(clinic_identifier="HBC-0042")
    PatientIdentifier.objects.create(
        clinic=patient.clinic, patient=patient, system="http://ehr.example/mrn", value="884"
    )
    body = fhir(client.get(f"/fhir/Patient/{patient.pk}"))
    own = identity.record_number_system(patient.clinic)
    assert own.endswith(f"/NamingSystem/clinic-{patient.clinic_id}-record")
    assert body["identifier"] == [
        {
            "use": "usual",
            "type": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": "MR",
                        "display": "Medical record number",
                    }
                ]
            },
            "system": own,
            "value": "HBC-0042",
        },
        {"system": "http://ehr.example/mrn", "value": "884"},
    ]
    assert body["meta"]["versionId"] != bare["meta"]["versionId"]
    added = PatientIdentifier.objects.get().created
    assert dt.datetime.fromisoformat(body["meta"]["lastUpdated"]) == added


def test_the_record_number_uses_the_system_the_clinic_set(
    clinician: User, patient: Patient
) -> None:
    patient.clinic.record_number_system = "urn:oid:1.2.36.146.595.217.0.1"
    patient.clinic.save()
    Patient.objects.filter(pk=patient.pk).update(clinic_identifier="77")
    body = fhir(bearer(clinician).get(f"/fhir/Patient/{patient.pk}"))
    (identifier,) = body["identifier"]
    assert (identifier["system"], identifier["value"]) == ("urn:oid:1.2.36.146.595.217.0.1", "77")
