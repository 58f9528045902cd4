"""FHIR on the command line.

- ``backpath import fhir``: an EHR's FHIR R4 Bundle in, a BackPath intake (or plan) out.
- ``backpath export fhir --patient ID``: a patient's record from the BackPath database out,
  as the same ``searchset`` Bundle that ``GET /fhir/Patient/ID/$everything`` gives staff
  (every episode and plan version). Django is set up as for ``backpath serve``: the database
  of ``DATABASE_URL``, else SQLite in ``BACKPATH_DATA_DIR`` (default ``./data``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from backpath.addresses import fhir_server_base
from backpath.cli.app import emit_json, read_json
from backpath.cli.django_setup import setup_django
from backpath.errors import InvalidInput, database_error


def patient_bundle(patient_id: str, base_url: str) -> dict[str, Any]:
    """The patient's $everything Bundle, audited as a command-line export."""
    from django.db import DatabaseError
    from django.utils import timezone

    from backpath.web.audit.models import AuditEvent
    from backpath.web.fhir.access import PATIENT_ID
    from backpath.web.fhir.records import everything
    from backpath.web.fhir.searchset import searchset
    from backpath.web.patients.models import Patient

    if not PATIENT_ID.fullmatch(patient_id):
        raise InvalidInput(
            "--patient", f"must be a patient id (a whole number), got {patient_id!r}"
        )
    try:
        patient = Patient.objects.filter(pk=int(patient_id)).first()
        if patient is None:
            raise InvalidInput("--patient", f"no patient with id {patient_id}")
        resources = everything(patient, staff=True)
        AuditEvent.objects.create(
            clinic_id=patient.clinic_id,
            action="export",
            object_type="Patient",
            object_id=str(patient.pk),
            patient=patient,
            path="backpath export fhir",
            method="CLI",
            detail="FHIR Patient $everything (command line)",
        )
    except DatabaseError as exc:
        raise database_error(exc) from None
    self_url = f"{base_url}/Patient/{patient.pk}/$everything"
    return searchset(resources, base_url, self_url, timezone.now())


def import_fhir(
    file: Annotated[str, typer.Argument(help="A FHIR R4 Bundle (JSON), or - for stdin")],
    assess: Annotated[bool, typer.Option(help="Print the plan instead of the intake")] = False,
) -> None:
    """Turn a FHIR Bundle (Patient, Conditions, QuestionnaireResponses, medications) into
    an intake; with --assess, assess it and print the plan as contract JSON."""
    from backpath.interop import intake_from_bundle

    bundle = read_json(file, "bundle")
    if not isinstance(bundle, dict):
        raise InvalidInput("bundle", "must be a JSON object of resourceType Bundle")
    intake = intake_from_bundle(bundle)
    if assess:
        from backpath.engine import assess_and_plan

        emit_json(assess_and_plan(intake).to_json_dict())
    else:
        typer.echo(json.dumps(intake, indent=2))


def export_fhir(
    patient: Annotated[str, typer.Option("--patient", help="The patient's id (as in URLs)")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            help="Server base for the entries' fullUrl (ends in /fhir); default: this "
            "deployment's, BACKPATH_BASE_URL + /fhir"
        ),
    ] = None,
) -> None:
    """Print a patient's record as a FHIR R4 searchset Bundle (as Patient/$everything):
    Patient, Conditions, responses, scores, diary and every plan version as a CarePlan."""
    base_url = base_url or fhir_server_base()
    if not base_url.startswith(("http://", "https://")):
        raise InvalidInput("--base-url", f"must be an http(s) URL, got {base_url!r}")
    setup_django()
    bundle = patient_bundle(patient.strip(), base_url.rstrip("/"))
    text = json.dumps(bundle, indent=2, ensure_ascii=False)
    if output is None:
        typer.echo(text)
        return
    try:  # a patient's record: readable by its owner only
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        os.chmod(output, 0o600)  # also when the file was there before
    except OSError as exc:
        raise InvalidInput("--output", f"cannot write {output}: {exc.strerror}") from None
    typer.echo(f"Wrote {len(bundle['entry'])} entries for patient {patient} to {output}")
