"""``backpath export fhir --patient ID``: a patient's record from the database as a FHIR
Bundle, which ``backpath import fhir`` turns back into an intake with the same plan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from backpath import DISCLAIMER
from backpath.addresses import fhir_server_base
from backpath.cli.main import app
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Episode, Patient
from tests.fhir_schema import assert_valid_r4

runner = CliRunner()


def export(*args: str) -> Any:
    return runner.invoke(app, ["export", "fhir", *args])


def parsed(text: str) -> dict[str, Any]:
    bundle: dict[str, Any] = json.loads(text)
    assert_valid_r4(bundle)
    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return bundle


def test_export_prints_the_patients_everything_bundle(episode: Episode) -> None:
    patient = episode.patient
    result = export("--patient", str(patient.pk))
    assert result.exit_code == 0, result.stderr
    bundle = parsed(result.stdout)
    assert bundle["type"] == "searchset"
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[0] == "Patient" and kinds.count("CarePlan") == 1
    assert bundle["entry"][0]["resource"]["id"] == str(patient.pk)
    assert bundle["entry"][0]["fullUrl"] == f"{fhir_server_base()}/Patient/{patient.pk}"
    outcome = bundle["entry"][-1]["resource"]
    assert outcome["issue"][0]["diagnostics"] == DISCLAIMER


def test_export_writes_a_file_with_a_chosen_base_url(episode: Episode, tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    pid = episode.patient.pk
    result = export(
        "--patient", str(pid), "-o", str(target), "--base-url", "https://ehr.test/fhir/"
    )
    assert result.exit_code == 0, result.stderr
    assert str(target) in result.stdout and "{" not in result.stdout
    bundle = parsed(target.read_text("utf-8"))
    assert bundle["link"][0]["url"] == f"https://ehr.test/fhir/Patient/{pid}/$everything"
    assert target.stat().st_mode & 0o777 == 0o600  # a patient's record: its owner's only


def test_an_existing_export_file_is_made_private_too(episode: Episode, tmp_path: Path) -> None:
    target = tmp_path / "record.json"
    target.write_text("STALE-EXPORT-MARKER")
    target.chmod(0o644)
    assert export("--patient", str(episode.patient.pk), "-o", str(target)).exit_code == 0
    assert target.stat().st_mode & 0o777 == 0o600 and "STALE-EXPORT-MARKER" not in target.read_text(
        "utf-8"
    )


def test_export_is_in_the_audit_trail(episode: Episode) -> None:
    AuditEvent.objects.all().delete()
    assert export("--patient", str(episode.patient.pk)).exit_code == 0
    event = AuditEvent.objects.get()
    assert (event.action, event.method, event.patient_id) == ("export", "CLI", episode.patient.pk)
    assert event.clinic_id == episode.patient.clinic_id


@pytest.mark.parametrize(
    ("patient_id", "message"),
    [("424242", "no patient with id 424242"), ("abc", "must be a patient id"), ("", "must be")],
)
@pytest.mark.django_db
def test_an_unknown_patient_is_one_line_and_exit_2(patient_id: str, message: str) -> None:
    result = export("--patient", patient_id)
    assert result.exit_code == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("error: --patient:") and message in line


def test_an_unwritable_output_names_the_option(patient: Patient, tmp_path: Path) -> None:
    result = export("--patient", str(patient.pk), "-o", str(tmp_path / "missing" / "x.json"))
    assert result.exit_code == 2 and "--output" in result.stderr


def test_a_base_url_that_is_not_http_is_refused(patient: Patient) -> None:
    result = export("--patient", str(patient.pk), "--base-url", "ftp://x/fhir")
    assert result.exit_code == 2 and "--base-url" in result.stderr


def test_exported_file_imports_to_an_intake_with_the_stored_plan(
    episode: Episode, tmp_path: Path
) -> None:
    """Web intake -> stored plan -> export -> import -> assess gives the stored plan."""
    stored = episode.plan_versions.get().plan
    target = tmp_path / "record.json"
    assert export("--patient", str(episode.patient.pk), "-o", str(target)).exit_code == 0
    result = runner.invoke(app, ["import", "fhir", str(target), "--assess"])
    assert result.exit_code == 0, result.stderr
    again = json.loads(result.stdout)
    for part in ("triage", "phase", "risk", "scores", "recommended", "not_recommended"):
        assert again[part] == stored[part], part
    intake = json.loads(runner.invoke(app, ["import", "fhir", str(target)]).stdout)
    assert intake["conditions"] == ["anticoagulant_therapy", "shellfish_allergy"]
    assert intake["preferences"]["avoid"] == ["needles"]
