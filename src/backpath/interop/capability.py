"""What BackPath's FHIR server serves (``SERVED``), and the CapabilityStatement that says so
at ``GET [base]/metadata``.

``SERVED`` is the one list: the web layer routes by it (a type not in it is a 404, an
interaction it does not list is a 405) and the tests derive what to call from it, so the
statement can list neither more nor less than the server does. Each entry names a resource
type, its interactions (``read``, ``search-type``), its search parameters and operations.
Adding a read-only type is one line (``read_only(...)`` below) once the web layer has a
reader for it.

Everything is JSON (``application/fhir+json``) in FHIR R4 (4.0.1). Built with the
``fhir.resources.R4B`` models (no maintained R4 models exist; see ``backpath.interop``), so it
is validated as it is made; the tests check it against HL7's official R4 JSON schema too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
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
from backpath.interop.resource_versions import with_meta

FHIR_VERSION = "4.0.1"
"""FHIR R4, the version EHRs implement; R4B is identical for every resource BackPath uses."""
PUBLISHED = "2026-12-04"
"""When this statement last changed; change it with the statement (a golden file checks)."""
SEARCH_PARAMETERS = "http://hl7.org/fhir/SearchParameter"

READ = "read"
SEARCH = "search-type"
INTERACTIONS = (
    "read", "vread", "update", "patch", "delete",
    "history-instance", "history-type", "create", "search-type",
)  # fmt: skip
"""Every type-level and instance-level interaction of FHIR R4 (TypeRestfulInteraction)."""


@dataclass(frozen=True)
class SearchParam:
    name: str
    type: str
    documentation: str
    definition: str | None = None


@dataclass(frozen=True)
class Operation:
    name: str
    definition: str
    documentation: str


@dataclass(frozen=True)
class Served:
    """One resource type the server serves, and how."""

    type: str
    interactions: tuple[str, ...]
    search: tuple[SearchParam, ...] = ()
    operations: tuple[Operation, ...] = ()
    documentation: str | None = None
    public: bool = False
    """Served without authentication (no patient data)."""

    @property
    def search_names(self) -> frozenset[str]:
        return frozenset(p.name for p in self.search)


PAGING = (
    SearchParam(
        "_count",
        "number",
        "Entries a page (default 100, at most 500; 0 gives only the total). Every page has "
        "absolute self, next and previous links.",
    ),
    SearchParam(
        "_page",
        "string",
        "Where a page starts: a signed token the server writes into next and previous "
        "links. Follow the links; a token that was altered or belongs to another search is "
        "a 400.",
    ),
)
LAST_UPDATED = SearchParam(
    "_lastUpdated",
    "date",
    "meta.lastUpdated, with the prefixes eq (default), gt, ge, lt and le on a date or a "
    "date-time (e.g. ge2026-01-05, lt2026-01-05T10:00:00Z); may be given twice for a range. "
    "Other prefixes and values that are not dates are a 400 naming the parameter.",
    f"{SEARCH_PARAMETERS}/Resource-lastUpdated",
)
LENIENT = (
    " Unknown parameters are ignored and left out of the self link, unless the request "
    "has 'Prefer: handling=strict', which makes them a 400."
)


def patient_search(definition: str) -> tuple[SearchParam, ...]:
    patient = SearchParam(
        "patient",
        "reference",
        "Required: the patient, as 12, Patient/12 or an absolute Patient URL. A patient the "
        "caller may not see gives an empty searchset, as an unknown one does.",
        definition,
    )
    return (patient, LAST_UPDATED, *PAGING)


def of_the_record(kind: str, definition: str, what: str) -> Served:
    """A resource type of a patient's record: read by id, searched by patient."""
    return Served(
        kind,
        (READ, SEARCH),
        patient_search(definition),
        documentation=f"{what} Ids as in Patient/$everything.{LENIENT}",
    )


def read_only(*kinds: str) -> tuple[Served, ...]:
    """Public definitions served by id only (e.g. CodeSystem, StructureDefinition)."""
    return tuple(Served(kind, (READ,), public=True) for kind in kinds)


EVERYTHING = Operation(
    "everything",
    "http://hl7.org/fhir/OperationDefinition/Patient-everything",
    "Searchset Bundle of the patient's record: the Patient, Conditions, MedicationStatements, "
    "AllergyIntolerances, "
    "QuestionnaireResponses, Observations (intake scores and diary) and one CarePlan per "
    "plan version (search mode 'match'), paged by _count (default 100) with next and "
    "previous links; the Questionnaires that a page's responses answer (mode 'include'); "
    "and on every page an OperationOutcome carrying BackPath's disclaimer (mode 'outcome').",
)
SERVED: tuple[Served, ...] = (
    Served(
        "Patient",
        (READ, SEARCH),
        (
            SearchParam(
                "identifier",
                "token",
                "Required: system|value, both exact: the clinic's record number or an "
                "identifier an EHR gave the patient (never BackPath's database key). Finds "
                "the one patient of the caller's clinic it names.",
                f"{SEARCH_PARAMETERS}/Patient-identifier",
            ),
            LAST_UPDATED,
            *PAGING,
        ),
        (EVERYTHING,),
        "The patient with identifier: the clinic's record number (type MR) and the "
        f"identifiers EHRs gave them, each with its system.{LENIENT}",
    ),
    of_the_record(
        "Condition", f"{SEARCH_PARAMETERS}/clinical-patient", "Back pain, sciatica and tags."
    ),
    of_the_record(
        "Observation",
        f"{SEARCH_PARAMETERS}/clinical-patient",
        "Scores of the intake and the diary.",
    ),
    of_the_record(
        "MedicationStatement",
        f"{SEARCH_PARAMETERS}/clinical-patient",
        "Medicines the person takes, as reported at intake.",
    ),
    of_the_record(
        "AllergyIntolerance",
        f"{SEARCH_PARAMETERS}/clinical-patient",
        "Allergies the person reported at intake (unconfirmed).",
    ),
    of_the_record(
        "QuestionnaireResponse",
        f"{SEARCH_PARAMETERS}/QuestionnaireResponse-patient",
        "The intake's answers.",
    ),
    of_the_record(
        "CarePlan",
        f"{SEARCH_PARAMETERS}/clinical-patient",
        "One per plan version; a patient sees only versions published to them.",
    ),
    Served(
        "Questionnaire",
        (READ, SEARCH),
        (
            SearchParam(
                "url",
                "uri",
                "The canonical URL, optionally with |version (e.g. "
                ".../Questionnaire/odi|2.1a); without it, every questionnaire.",
                f"{SEARCH_PARAMETERS}/Questionnaire-url",
            ),
            LAST_UPDATED,
            *PAGING,
        ),
        documentation="The instruments BackPath scores: nrs, startback, odi, peg, rmdq, "
        f"red-flags, and intake-details for intake facts no instrument holds.{LENIENT}",
        public=True,
    ),
    *read_only("CodeSystem", "StructureDefinition"),
)
BY_TYPE = {served.type: served for served in SERVED}


def security(cors: bool) -> str:
    public = ", ".join(s.type for s in SERVED if s.public)
    return (
        "Patient data needs either 'Authorization: Bearer <key>' with a BackPath API token "
        "(the same tokens as /api/v1; make one with 'python -m backpath.web create_api_token "
        "USERNAME') or a signed-in browser session. No or an unknown token: 401. Clinic staff "
        "see their clinic's patients, a patient only their own record (and only plan versions "
        "published to them); any other patient, and any resource of their record, is "
        "answered 404, as an unknown id is. Every read and search of patient data is in the "
        f"audit trail. metadata and {public} are public."
        + (
            " CORS: browser apps on the origins the operator allowed may call with a bearer "
            "token (never with cookies)."
            if cors
            else ""
        )
    )


def _resource(served: Served) -> CapabilityStatementRestResource:
    return CapabilityStatementRestResource(
        type=served.type,
        documentation=served.documentation,
        interaction=[
            CapabilityStatementRestResourceInteraction(code=code) for code in served.interactions
        ],
        versioning="versioned",
        readHistory=False,
        conditionalRead="full-support" if READ in served.interactions else None,
        searchParam=[
            CapabilityStatementRestResourceSearchParam(
                name=p.name, definition=p.definition, type=p.type, documentation=p.documentation
            )
            for p in served.search
        ]
        or None,
        operation=[
            CapabilityStatementRestResourceOperation(
                name=o.name, definition=o.definition, documentation=o.documentation
            )
            for o in served.operations
        ]
        or None,
    )


def capability_statement(
    base_url: str, software_version: str, cors: bool = False
) -> dict[str, Any]:
    """The server's CapabilityStatement as JSON (a dict); ``base_url`` ends in ``/fhir``;
    ``cors`` when browser apps of some origins may call (``security.cors``)."""
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
                documentation='Read-only. Reads answer with ETag (W/"versionId") and '
                "Last-Modified, and If-None-Match or If-Modified-Since with 304. An interaction "
                "not listed for a type answers 405; a type not listed, 404.",
                security=CapabilityStatementRestSecurity(cors=cors, description=security(cors)),
                resource=[_resource(served) for served in SERVED],
            )
        ],
    )
    changed = datetime.fromisoformat(PUBLISHED).replace(tzinfo=UTC)
    result: dict[str, Any] = with_meta(with_narrative(statement), changed).model_dump(mode="json")
    return result
