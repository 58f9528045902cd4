"""The CapabilityStatement BackPath's FHIR server answers at ``GET [base]/metadata``.

It lists only what the server really does (``backpath.web.fhir``): read a Patient and run
``$everything`` on it, search CarePlans by ``patient``, read a Questionnaire. Everything is
JSON (``application/fhir+json``) in FHIR R4 (4.0.1). Built with the ``fhir.resources.R4B``
models (no maintained R4 models exist; see ``backpath.interop``), so it is validated as it is
made; the tests check it against HL7's official R4 JSON schema too.
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.capabilitystatement import (
    CapabilityStatement,
    CapabilityStatementImplementation,
    CapabilityStatementRest,
    CapabilityStatementRestResource,
    CapabilityStatementRestResourceInteraction,
    CapabilityStatementRestResourceOperation,
    CapabilityStatementRestResourceSearchParam,
    CapabilityStatementRestSecurity,
    CapabilityStatementSoftware,
)

from backpath import DISCLAIMER
from backpath.interop.narrative import with_narrative

FHIR_VERSION = "4.0.1"
"""FHIR R4, the version EHRs implement; R4B is identical for every resource BackPath uses."""
PUBLISHED = "2026-11-24"
"""When this statement last changed; change it with the statement (a golden file checks)."""

SECURITY = (
    "Patient data (Patient, Patient/$everything, CarePlan search) needs either "
    "'Authorization: Bearer <key>' with a BackPath API token (the same tokens as /api/v1; "
    "make one with 'python -m backpath.web create_api_token USERNAME') or a signed-in browser "
    "session. No or an unknown token: 401. Clinic staff see their clinic's patients, a "
    "patient only their own record (and only plan versions published to them); any other "
    "patient is answered 404. Every read of patient data is in the audit trail. metadata and "
    "Questionnaire are public."
)
EVERYTHING = (
    "Searchset Bundle of the patient's record: the Patient, Conditions, "
    "QuestionnaireResponses, Observations (intake scores and diary) and one CarePlan per "
    "plan version (search mode 'match'), the Questionnaires the responses answer (mode "
    "'include') and an OperationOutcome carrying BackPath's disclaimer (mode 'outcome'). "
    "No parameters are supported."
)
CAREPLAN_SEARCH = (
    "Searchset Bundle of the patient's CarePlans, one per plan version. 'patient' is "
    "required (an id such as 12, or Patient/12). Unknown parameters are ignored and left out "
    "of the self link, unless the request has 'Prefer: handling=strict', which makes them a "
    "400."
)


def _read() -> list[CapabilityStatementRestResourceInteraction]:
    return [CapabilityStatementRestResourceInteraction(code="read")]


def capability_statement(base_url: str, software_version: str) -> dict[str, Any]:
    """The server's CapabilityStatement as JSON (a dict); ``base_url`` ends in ``/fhir``."""
    patient = CapabilityStatementRestResource(
        type="Patient",
        interaction=_read(),
        versioning="no-version",
        readHistory=False,
        operation=[
            CapabilityStatementRestResourceOperation(
                name="everything",
                definition="http://hl7.org/fhir/OperationDefinition/Patient-everything",
                documentation=EVERYTHING,
            )
        ],
    )
    care_plan = CapabilityStatementRestResource(
        type="CarePlan",
        interaction=[CapabilityStatementRestResourceInteraction(code="search-type")],
        searchParam=[
            CapabilityStatementRestResourceSearchParam(
                name="patient",
                definition="http://hl7.org/fhir/SearchParameter/clinical-patient",
                type="reference",
                documentation=CAREPLAN_SEARCH,
            )
        ],
    )
    questionnaire = CapabilityStatementRestResource(
        type="Questionnaire",
        interaction=_read(),
        versioning="no-version",
        readHistory=False,
        documentation="The instruments BackPath scores: nrs, startback, odi, peg, rmdq, "
        "red-flags, and intake-details for intake facts no instrument holds.",
    )
    statement = CapabilityStatement(
        url=f"{base_url}/metadata",
        version=software_version,
        name="BackPathFhirServer",
        title="BackPath FHIR server",
        status="active",
        experimental=False,
        date=PUBLISHED,
        publisher="BackPath",
        description="Read access to BackPath's patient records (intake, scores, diary and "
        f"plans) in FHIR R4 (4.0.1). {DISCLAIMER}",
        kind="instance",
        software=CapabilityStatementSoftware(name="BackPath", version=software_version),
        implementation=CapabilityStatementImplementation(
            description="BackPath, non-surgical back pain care", url=base_url
        ),
        fhirVersion=FHIR_VERSION,
        format=["json"],
        rest=[
            CapabilityStatementRest(
                mode="server",
                documentation="Read-only: every other interaction answers 405.",
                security=CapabilityStatementRestSecurity(cors=False, description=SECURITY),
                resource=[patient, care_plan, questionnaire],
            )
        ],
    )
    result: dict[str, Any] = with_narrative(statement).model_dump(mode="json")
    return result
