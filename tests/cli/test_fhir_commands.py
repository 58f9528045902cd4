"""``backpath import fhir``: a Bundle from an EHR becomes an intake or a plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.engine import assess_and_plan
from backpath.interop import PatientInfo, export_bundle
from tests.conftest import make_intake

runner = CliRunner()


def bundle_file(tmp_path: Path) -> tuple[Path, dict]:
    intake = make_intake(conditions=["anticoagulant_therapy"])
    plan = assess_and_plan(intake)
    patient = PatientInfo(id="p1", given="Ada", family="Byrne", birth_year=1981, sex="female")
    bundle = export_bundle(patient, intake, plan, base_id="p1")
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle))
    return path, plan.to_json_dict()


def test_import_fhir_prints_an_intake_that_assesses_to_the_same_plan(tmp_path: Path) -> None:
    path, plan = bundle_file(tmp_path)
    result = runner.invoke(app, ["import", "fhir", str(path)])
    assert result.exit_code == 0, result.stderr
    intake = json.loads(result.stdout)
    assert "anticoagulant_therapy" in intake["conditions"]
    again = assess_and_plan(intake).to_json_dict()
    assert [r["treatment"] for r in again["recommended"]] == [
        r["treatment"] for r in plan["recommended"]
    ]


def test_import_fhir_with_assess_prints_the_plan(tmp_path: Path) -> None:
    path, plan = bundle_file(tmp_path)
    result = runner.invoke(app, ["import", "fhir", str(path), "--assess"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["disclaimer"] == plan["disclaimer"]


def test_a_bundle_that_is_not_an_object_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("[1, 2]")
    result = runner.invoke(app, ["import", "fhir", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "bundle" in result.stderr


def test_a_broken_resource_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "birthDate": "not-a-date"}}],
            }
        )
    )
    result = runner.invoke(app, ["import", "fhir", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "entry[0].resource.birthDate" in result.stderr


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000, "too deeply"),
        ('{"resourceType": "Bundle", "total": ' + "9" * 5000 + "}", "cannot be read"),
        ('{"resourceType": "Bundle", "total": 1e999999}', ""),
    ],
    ids=["deep nesting", "5000-digit integer", "enormous float"],
)
def test_pathological_json_exits_2_with_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(text)
    result = runner.invoke(app, ["import", "fhir", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error:") and len(result.stderr.strip().splitlines()) == 1
    assert words in result.stderr
