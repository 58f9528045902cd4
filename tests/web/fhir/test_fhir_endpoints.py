"""The FHIR REST endpoints under /fhir/: metadata, Questionnaire, Patient, $everything and
CarePlan search, with the web app's authorisation, audit trail and FHIR errors."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from backpath import DISCLAIMER, __version__
from backpath.engine import assess_and_plan
from backpath.interop.capability import capability_statement
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo, PlanRecord
from backpath.interop.fhir_export import everything_resources
from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.audit.models import AuditEvent
from backpath.web.diary.models import DiaryEntry
from backpath.web.fhir.searchset import searchset
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import PlanVersion
from tests.conftest import ROOT
from tests.fhir_schema import assert_valid_r4
from tests.web.builders import logged_in
from tests.web.fhir.fhir_calls import BASE, bearer, diagnostics, fhir, resources

GOLDEN = Path(__file__).parents[2] / "interop" / "golden"
QUESTIONNAIRE_IDS = ["nrs", "startback", "odi", "peg", "rmdq", "red-flags", "intake-details"]
REQUEST_STATUS = {"draft", "active", "on-hold", "revoked", "completed", "entered-in-error"}


def check_golden(name: str, data: dict[str, Any]) -> None:
    """Compare with a committed example; UPDATE_GOLDEN=1 rewrites it (then review the diff)."""
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert data == json.loads(path.read_text("utf-8"))


def version(episode: Episode, number: int, status: str, published: bool) -> PlanVersion:
    plan = episode.plan_versions.order_by("number").first()
    assert plan is not None
    return PlanVersion.objects.create(
        episode=episode,
        number=number,
        plan=plan.plan,
        status=status,
        published=timezone.now() if published else None,
    )


# --- metadata and Questionnaire (public) ---------------------------------------------------


@pytest.mark.django_db
def test_metadata_is_the_committed_capability_statement() -> None:
    body = fhir(Client().get("/fhir/metadata"))
    check_golden("capability_statement.json", body)
    assert body == capability_statement(BASE, __version__)
    assert (body["status"], body["kind"], body["fhirVersion"]) == ("active", "instance", "4.0.1")
    assert body["meta"]["lastUpdated"].startswith(body["date"])


def test_the_capability_statement_lists_what_the_server_does() -> None:
    statement = capability_statement(BASE, "1.0")
    (rest,) = statement["rest"]
    by_type = {r["type"]: r for r in rest["resource"]}
    assert set(by_type) == {
        "Patient", "Observation", "Condition", "MedicationStatement", "AllergyIntolerance",
        "QuestionnaireResponse",
        "CarePlan",
        "Questionnaire", "CodeSystem", "StructureDefinition",
    }  # fmt: skip
    definitions = {"CodeSystem", "StructureDefinition"}
    assert all(
        [i["code"] for i in r["interaction"]] == ["read", "search-type"]
        for kind, r in by_type.items()
        if kind not in definitions
    )
    assert all([i["code"] for i in by_type[k]["interaction"]] == ["read"] for k in definitions)
    assert by_type["Patient"]["operation"][0]["name"] == "everything"
    assert [p["name"] for p in by_type["CarePlan"]["searchParam"]] == [
        "patient", "_lastUpdated", "_count", "_page",
    ]  # fmt: skip
    assert by_type["Patient"]["searchParam"][0]["name"] == "identifier"
    assert by_type["Questionnaire"]["searchParam"][0]["name"] == "url"
    assert "Bearer" in rest["security"]["description"] and rest["security"]["cors"] is False
    assert statement["format"] == ["json"] and rest["mode"] == "server"


@pytest.mark.django_db
@pytest.mark.parametrize("questionnaire_id", QUESTIONNAIRE_IDS)
def test_every_exported_questionnaire_is_readable_without_login(questionnaire_id: str) -> None:
    body = fhir(Client().get(f"/fhir/Questionnaire/{questionnaire_id}"))
    assert body["resourceType"] == "Questionnaire" and body["id"] == questionnaire_id
    assert body["url"].endswith(f"/Questionnaire/{questionnaire_id}") and body["item"]


@pytest.mark.django_db
@pytest.mark.parametrize("questionnaire_id", ["red_flags", "phq9", "x" * 300])
def test_an_unknown_questionnaire_is_a_404_naming_the_known_ones(questionnaire_id: str) -> None:
    text = diagnostics(Client().get(f"/fhir/Questionnaire/{questionnaire_id}"), 404)
    assert "red-flags" in text and "intake-details" in text and len(text) < 300


@pytest.mark.django_db
def test_every_canonical_url_backpath_publishes_resolves_on_the_server() -> None:
    """Each CodeSystem and StructureDefinition lives at its own canonical URL (the canonical
    base is the server's FHIR base by default), readable without login, with an ETag."""
    from backpath.interop import conformance

    published = [*conformance.code_systems(), *conformance.structure_definitions()]
    assert {r["resourceType"] for r in published} == {"CodeSystem", "StructureDefinition"}
    for resource in published:
        assert resource["url"].startswith(BASE + "/")
        response = Client().get(resource["url"].removeprefix("http://testserver"))
        body = fhir(response)
        assert body["url"] == resource["url"] and body["id"] == resource["id"]
        assert response["ETag"].startswith('W/"')
    diagnostics(Client().get("/fhir/CodeSystem/no-such-system"), 404)
    diagnostics(Client().get("/fhir/CodeSystem"), 405)


# --- authentication and access ------------------------------------------------------------


def test_staff_read_their_clinics_patient_by_token_or_session(
    clinician: User, patient: Patient
) -> None:
    for client in (bearer(clinician), logged_in(clinician)):
        body = fhir(client.get(f"/fhir/Patient/{patient.pk}"))
        assert body["id"] == str(patient.pk)
        assert body["name"] == [{"family": "Byrne", "given": ["Ada"]}]
        assert (body["gender"], body["birthDate"]) == ("female", "1975")
        assert "no-store" in client.get(f"/fhir/Patient/{patient.pk}")["Cache-Control"]


def test_without_credentials_patient_data_is_401_with_a_bearer_challenge(patient: Patient) -> None:
    for url in (f"/fhir/Patient/{patient.pk}", f"/fhir/CarePlan?patient={patient.pk}"):
        response = Client().get(url)
        assert "Authorization" in diagnostics(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer bp_not-a-key", "Bearer ", "Basic dXNlcjpwdw=="])
def test_a_bad_token_is_401_even_with_a_session(
    header: str, clinician: User, patient: Patient
) -> None:
    client = logged_in(clinician)
    response = client.get(f"/fhir/Patient/{patient.pk}", HTTP_AUTHORIZATION=header)
    assert "Authorization" in diagnostics(response, 401)


def test_a_revoked_token_is_401(clinician: User, patient: Patient) -> None:
    client = bearer(clinician)
    ApiToken.objects.get().revoke()
    diagnostics(client.get(f"/fhir/Patient/{patient.pk}"), 401)


@pytest.mark.parametrize("suffix", ["", "/$everything"])
def test_another_clinics_patient_looks_like_no_patient(
    suffix: str, outsider: User, patient: Patient
) -> None:
    client = bearer(outsider)
    hidden = diagnostics(client.get(f"/fhir/Patient/{patient.pk}{suffix}"), 404)
    missing = diagnostics(client.get(f"/fhir/Patient/{patient.pk + 1000}{suffix}"), 404)
    assert hidden.replace(str(patient.pk), "N") == missing.replace(str(patient.pk + 1000), "N")


@pytest.mark.parametrize("patient_id", ["abc", "0", "-1", "1.5", "9" * 30, "%20", "1%0A"])
def test_ids_that_cannot_be_a_patient_are_404(patient_id: str, clinician: User) -> None:
    assert "not found (or not yours)" in diagnostics(
        bearer(clinician).get(f"/fhir/Patient/{patient_id}"), 404
    )


def test_a_patient_reads_their_own_record_only(clinic: Any, patient: Patient) -> None:
    other = Patient.objects.create(
        clinic=clinic, given_name="Bo", family_name="Lind", birth_year=1960
    )
    client = bearer(patient.user)
    assert fhir(client.get(f"/fhir/Patient/{patient.pk}"))["id"] == str(patient.pk)
    diagnostics(client.get(f"/fhir/Patient/{other.pk}"), 404)
    diagnostics(client.get(f"/fhir/Patient/{other.pk}/$everything"), 404)


def test_every_read_of_patient_data_is_audited(clinician: User, episode: Episode) -> None:
    patient = episode.patient
    client = bearer(clinician)
    AuditEvent.objects.all().delete()
    client.get(f"/fhir/Patient/{patient.pk}")
    client.get(f"/fhir/Patient/{patient.pk}/$everything")
    client.get(f"/fhir/CarePlan?patient={patient.pk}")
    events = list(AuditEvent.objects.order_by("id"))
    assert [(e.action, e.patient_id, e.username) for e in events] == [
        ("read", patient.pk, "clinician"),
        ("export", patient.pk, "clinician"),
        ("read", patient.pk, "clinician"),
    ]
    assert [e.detail for e in events] == [
        "FHIR Patient",
        "FHIR Patient $everything",
        "FHIR CarePlan search",
    ]


# --- $everything --------------------------------------------------------------------------


def test_everything_holds_the_record_with_references_that_resolve(
    clinician: User, episode: Episode
) -> None:
    patient = episode.patient
    DiaryEntry.objects.create(
        patient=patient, episode=episode, on=dt.date(2026, 1, 9), kind="nrs", value=4
    )
    DiaryEntry.objects.create(
        patient=patient, episode=episode, on=dt.date(2026, 1, 9), kind="session"
    )
    bundle = fhir(bearer(clinician).get(f"/fhir/Patient/{patient.pk}/$everything"))
    assert bundle["type"] == "searchset"
    counts = Counter(r["resourceType"] for r in resources(bundle))
    assert counts["Patient"] == 1 and counts["CarePlan"] == 1 and counts["OperationOutcome"] == 1
    assert counts["Condition"] == 1  # back pain; the anticoagulant is a medicine:
    assert counts["MedicationStatement"] == 1
    assert counts["QuestionnaireResponse"] == counts["Questionnaire"] >= 3
    diary = [r for r in resources(bundle, "Observation") if "diary" in r["id"]]
    assert [(o["id"], o["valueInteger"]) for o in diary] == [
        (f"{patient.pk}-diary-{DiaryEntry.objects.get(kind='nrs').pk}-nrs", 4)
    ]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        if resource["resourceType"] == "OperationOutcome":
            assert entry["search"]["mode"] == "outcome"
            assert resource["issue"][0]["diagnostics"] == DISCLAIMER
            continue
        kind = resource["resourceType"]
        assert entry["fullUrl"] == f"{BASE}/{kind}/{resource['id']}"
        assert entry["search"]["mode"] == ("include" if kind == "Questionnaire" else "match")
    assert bundle["total"] == sum(e["search"]["mode"] == "match" for e in bundle["entry"])
    assert bundle["link"] == [
        {"relation": "self", "url": f"{BASE}/Patient/{patient.pk}/$everything?_count=100"}
    ]
    present = {f"{r['resourceType']}/{r['id']}" for r in resources(bundle) if "id" in r}
    references = {value for key, value in _walk(bundle["entry"]) if key == "reference"}
    assert references and references <= present
    canonicals = {r["questionnaire"] for r in resources(bundle, "QuestionnaireResponse")}
    assert canonicals == {q["url"] for q in resources(bundle, "Questionnaire")}


def _walk(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def test_everything_for_a_patient_without_an_intake_is_just_the_patient(
    clinician: User, patient: Patient
) -> None:
    bundle = fhir(bearer(clinician).get(f"/fhir/Patient/{patient.pk}/$everything"))
    assert [r["resourceType"] for r in resources(bundle)] == ["Patient", "OperationOutcome"]
    assert bundle["total"] == 1


def test_plan_versions_become_care_plans_whose_status_follows_publication(
    clinician: User, episode: Episode
) -> None:
    episode.plan_versions.update(status="superseded", published=timezone.now())
    version(episode, 2, "published", published=True)
    version(episode, 3, "draft", published=False)
    pid = episode.patient.pk
    prefix = f"{pid}-ep{episode.pk}-careplan"
    staff = fhir(bearer(clinician).get(f"/fhir/Patient/{pid}/$everything"))
    plans = resources(staff, "CarePlan")
    assert [(p["id"], p["status"]) for p in plans] == [
        (f"{prefix}-v1", "revoked"),
        (f"{prefix}-v2", "active"),
        (f"{prefix}-v3", "draft"),
    ]
    assert {p["status"] for p in plans} <= REQUEST_STATUS
    assert [p.get("replaces") for p in plans] == [
        None,
        [{"reference": f"CarePlan/{prefix}-v1"}],
        [{"reference": f"CarePlan/{prefix}-v2"}],
    ]
    assert all(p["note"][0]["text"] == DISCLAIMER for p in plans)
    own = fhir(bearer(episode.patient.user).get(f"/fhir/Patient/{pid}/$everything"))
    assert [p["id"] for p in resources(own, "CarePlan")] == [f"{prefix}-v1", f"{prefix}-v2"]


def test_a_closed_episodes_published_plan_is_completed(clinician: User, episode: Episode) -> None:
    episode.plan_versions.update(status="published", published=timezone.now())
    Episode.objects.filter(pk=episode.pk).update(closed=timezone.localdate())
    bundle = fhir(bearer(clinician).get(f"/fhir/Patient/{episode.patient.pk}/$everything"))
    assert [p["status"] for p in resources(bundle, "CarePlan")] == ["completed"]


def test_everything_example_is_the_committed_golden_file() -> None:
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
    plan = assess_and_plan(intake).to_json_dict()
    short = plan | {
        "recommended": plan["recommended"][:2],
        "not_recommended": plan["not_recommended"][:1],
    }
    when = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    episode = EpisodeRecord(
        id="5",
        intake=intake,
        recorded=when,
        plans=(
            PlanRecord(number=1, status="superseded", created=when, plan=short),
            PlanRecord(
                number=2, status="published", created=when + dt.timedelta(days=1), plan=short
            ),
        ),
    )
    diary = [DiaryRecord(date=dt.date(2026, 1, 19), kind="nrs", value=5, key="301")]
    patient = PatientInfo(id="12", given="Jane", family="Sample", birth_year=1979, sex="female")
    found = everything_resources(patient, [episode], diary)
    bundle = searchset(found, BASE, f"{BASE}/Patient/12/$everything", when + dt.timedelta(days=30))
    assert_valid_r4(bundle)
    Bundle.model_validate(bundle)
    check_golden("everything_searchset.json", bundle)


def test_the_export_reports_the_stored_scores_and_never_re_plans(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    intake = json.loads((ROOT / "examples" / "chronic_low_back_pain.json").read_text("utf-8"))
    plan = assess_and_plan(intake).to_json_dict()
    stored = plan | {"scores": {**plan["scores"], "nrs": 2}}  # differs from the intake's
    monkeypatch.setattr(
        "backpath.interop.fhir_export.assess_and_plan",
        lambda *a: pytest.fail("the export re-ran the engine for a stored plan"),
    )
    when = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    episode = EpisodeRecord(
        id="5", intake=intake, recorded=when,
        plans=(PlanRecord(number=1, status="published", created=when, plan=stored),),
    )  # fmt: skip
    patient = PatientInfo(id="12", given="Jane", family="Sample", birth_year=1979, sex="female")
    found = [r.model_dump(mode="json") for r in everything_resources(patient, [episode])]
    nrs = [r for r in found if r["resourceType"] == "Observation" and r["id"].endswith("obs-nrs")]
    assert [o["valueInteger"] for o in nrs] == [2] != [intake["pain"]["nrs_now"]]


# --- CarePlan search ----------------------------------------------------------------------


@pytest.mark.parametrize("form", ["{id}", "Patient/{id}", BASE + "/Patient/{id}"])
def test_careplan_search_finds_the_patients_plans(
    form: str, clinician: User, episode: Episode
) -> None:
    pid = episode.patient.pk
    query = {"patient": form.format(id=pid)}
    bundle = fhir(bearer(clinician).get("/fhir/CarePlan", query))
    assert bundle["type"] == "searchset" and bundle["total"] == 1
    (plan,) = resources(bundle, "CarePlan")
    assert plan["subject"] == {"reference": f"Patient/{pid}"}
    assert bundle["link"] == [
        {"relation": "self", "url": f"{BASE}/CarePlan?{urlencode(query)}&_count=100"}
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "patient: required"),
        ("?patient=", "patient: required"),
        ("?patient=1&patient=2", "patient: given 2 times"),
        ("?patient=Observation/1", "is not valid"),
        ("?patient=1,2", "is not valid"),
    ],
)
def test_careplan_search_needs_one_patient(query: str, expected: str, clinician: User) -> None:
    text = diagnostics(bearer(clinician).get(f"/fhir/CarePlan{query}"), 400)
    assert expected in text and "Patient/12" in text


def test_careplan_search_for_someone_elses_patient_is_empty(
    outsider: User, episode: Episode
) -> None:
    bundle = fhir(bearer(outsider).get(f"/fhir/CarePlan?patient={episode.patient.pk}"))
    assert bundle["total"] == 0 and resources(bundle, "CarePlan") == []
    event = AuditEvent.objects.filter(username="outsider").get()
    assert event.patient_id is None and "no patient" in event.detail


def test_unknown_search_parameters_are_ignored_unless_strict(
    clinician: User, episode: Episode
) -> None:
    client = bearer(clinician)
    url = f"/fhir/CarePlan?patient={episode.patient.pk}&status=active"
    lenient = fhir(client.get(url))
    assert lenient["total"] == 1 and "status" not in lenient["link"][0]["url"]
    text = diagnostics(client.get(url, HTTP_PREFER="handling=strict"), 400)
    assert text.startswith("status: unsupported parameter") and "patient" in text


# --- anything else ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_writes_are_405_naming_the_allowed_methods(method: str) -> None:
    response = getattr(Client(), method)(
        "/fhir/Patient/1", "{}", content_type="application/fhir+json"
    )
    assert "allowed here: GET, HEAD" in diagnostics(response, 405)
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Encounter/1", "Encounter: not served here"),
        ("", "/: not served here"),
        ("metadata/", "metadata: not served here"),
        ("Patient/1/$export", "$export is not supported"),
        ("Patient/$everything", "type-level operation $everything is not supported"),
        ("Patient/1/Observation", "not a FHIR interaction"),
        ("Patient/", "not a FHIR interaction"),
    ],
)
def test_paths_not_served_are_404_outcomes(path: str, expected: str) -> None:
    assert expected in diagnostics(Client().get(f"/fhir/{path}"), 404)


@pytest.mark.django_db
def test_head_answers_like_get() -> None:
    response = Client().head("/fhir/Questionnaire/nrs")
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/fhir+json"
    )


@pytest.mark.django_db
def test_only_json_is_served_and_pretty_printing_is_optional() -> None:
    assert "_format" in diagnostics(Client().get("/fhir/metadata?_format=xml"), 406)
    compact = Client().get("/fhir/metadata").content
    pretty = Client().get("/fhir/metadata?_pretty=true").content
    assert b"\n" not in compact and b"\n  " in pretty
    assert json.loads(compact) == json.loads(pretty)
