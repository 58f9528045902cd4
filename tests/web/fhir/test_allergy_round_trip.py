"""A shellfish allergy entered in the clinic's intake form leaves BackPath as an
AllergyIntolerance (valid against HL7's R4 schema) and comes back from
``backpath import fhir --assess`` with the same plan."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from backpath.cli.main import app
from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from tests.fhir_schema import assert_valid_r4
from tests.web.builders import complete_intake, logged_in

runner = CliRunner()


def test_a_web_intakes_shellfish_allergy_round_trips_as_an_allergy_intolerance(
    clinician: User, patient: Patient, tmp_path: Path
) -> None:
    episode = patient.episodes.get()
    response = complete_intake(
        logged_in(clinician), episode, conditions=["shellfish_allergy", "anticoagulant_therapy"]
    )
    assert response.status_code == 302
    stored = episode.plan_versions.get().plan

    target = tmp_path / "record.json"
    result = runner.invoke(app, ["export", "fhir", "--patient", str(patient.pk), "-o", str(target)])
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(target.read_text("utf-8"))
    assert_valid_r4(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("AllergyIntolerance") == 1
    (allergy,) = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] ==
                  "AllergyIntolerance"]  # fmt: skip
    assert allergy["patient"] == {"reference": f"Patient/{patient.pk}"}
    conditions = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] ==
                  "Condition"]  # fmt: skip
    assert not any("shellfish" in json.dumps(c) for c in conditions)

    result = runner.invoke(app, ["import", "fhir", str(target), "--assess"])
    assert result.exit_code == 0, result.stderr
    again = json.loads(result.stdout)
    for part in ("triage", "phase", "risk", "scores", "recommended", "not_recommended"):
        assert again[part] == stored[part], part
    intake = json.loads(runner.invoke(app, ["import", "fhir", str(target)]).stdout)
    assert sorted(intake["conditions"]) == ["anticoagulant_therapy", "shellfish_allergy"]
