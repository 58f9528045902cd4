"""FHIR R4 REST endpoints under /fhir/ (read-only; see the CapabilityStatement).

- ``GET metadata``; ``Questionnaire`` read and search by ``url``: public, no patient data.
- ``Patient`` read and search by ``identifier``, ``Patient/{id}/$everything``; read by id
  and search by ``patient`` of ``Observation``, ``Condition``, ``MedicationStatement``,
  ``QuestionnaireResponse`` and ``CarePlan``: authenticated (``access``), every read and
  search audited; ids as in ``ids``; another clinic's record answers exactly as one that does
  not exist.
- Reads carry ``meta``, ``ETag`` and ``Last-Modified`` and answer 304 to a current copy;
  searches and ``$everything`` are paged (``paging``) and lenient (``search``).

Which of these a request asks for is decided once, from ``capability.SERVED``
(``routing``): ``READERS``, ``SEARCHES`` and ``OPERATIONS`` hold the views, and a check at
start-up (``apps``) keeps them in step with the statement. Every answer is FHIR JSON (an
OperationOutcome for errors, never HTML or a 500 page) with the CORS headers of ``cors``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from backpath import __version__
from backpath.errors import InvalidInput
from backpath.interop.capability import BY_TYPE, READ, SEARCH, capability_statement
from backpath.interop.fhir_search import canonical, identifier_token
from backpath.web.audit.record import record
from backpath.web.fhir import definitions
from backpath.web.fhir.access import caller, visible_patient
from backpath.web.fhir.cors import cors
from backpath.web.fhir.paging import Page
from backpath.web.fhir.records import everything, find, patient_resource
from backpath.web.fhir.responses import FhirError, error_response, fhir_json, read_response
from backpath.web.fhir.routing import GET, not_allowed, route
from backpath.web.fhir.search import (
    last_updated,
    optional,
    page_of,
    patient_id,
    required,
    updated_within,
    used_params,
)
from backpath.web.fhir.searchset import searchset
from backpath.web.patients import identity
from backpath.web.patients.models import Patient

logger = logging.getLogger(__name__)

JSON_FORMATS = ("json", "application/json", "application/fhir+json")
RECORD_TYPES = (
    "Observation", "Condition", "MedicationStatement", "AllergyIntolerance",
    "QuestionnaireResponse", "CarePlan",
)  # fmt: skip
"""Resource types of a patient's record read by id and searched by patient."""

View = Callable[..., HttpResponse]


def fhir_endpoint(view: View) -> View:
    """Every failure becomes an OperationOutcome; CORS headers on every answer."""

    @cors
    @csrf_exempt  # read-only: every unsafe method is refused (405)
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            fmt = request.GET.get("_format")
            if fmt is not None and fmt.split(";")[0].strip() not in JSON_FORMATS:
                raise FhirError(406, "not-supported", "_format: only json (application/fhir+json).")
            return view(request, *args, **kwargs)
        except InvalidInput as error:
            return error_response(request, FhirError(400, "invalid", str(error)))
        except FhirError as error:
            return error_response(request, error)
        except SuspiciousOperation:  # Django answers these with a 400 of its own
            raise
        except Exception:  # a bug of ours: logged, answered as FHIR rather than HTML
            logger.exception("FHIR endpoint %s failed", request.path)
            failure = FhirError(500, "exception", "Internal error; it has been logged.")
            return error_response(request, failure)

    return wrapper


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("/metadata")


def staff(user: Any) -> bool:
    return bool(user.is_clinic_staff)


def paged(
    request: HttpRequest,
    page: Page,
    matches: Sequence[DomainResource],
    included: Sequence[DomainResource] = (),
    private: bool = True,
) -> HttpResponse:
    """One page of ``matches`` (with what they include) as a searchset Bundle."""
    base = base_url(request)
    bundle = searchset(
        [*page.cut(matches), *included],
        base,
        page.url(base, page.offset),
        timezone.now(),
        total=len(matches),
        links=page.links(base, len(matches)),
        included_types=frozenset(r.get_resource_type() for r in included),
    )
    return fhir_json(request, bundle, private=private)


# --- the server's routes ------------------------------------------------------------------


@fhir_endpoint
def metadata(request: HttpRequest) -> HttpResponse:
    if request.method not in GET:
        raise FhirError(405, "not-supported", f"metadata: {request.method} is not supported.",
                        {"Allow": "GET, HEAD"})  # fmt: skip
    cors_on = bool(settings.BACKPATH_FHIR_CORS_ORIGINS)
    return fhir_json(request, capability_statement(base_url(request), __version__, cors_on))


@fhir_endpoint
def api(request: HttpRequest, path: str) -> HttpResponse:
    """Every other address below /fhir/: the interaction it asks for, if served."""
    method = request.method or "GET"
    found = route(path, method)
    if found.operation is not None:
        level = "instance" if found.resource_id is not None else "type"
        operation = OPERATIONS.get((found.resource_type, level, found.operation))
        if operation is None:
            raise FhirError(
                404, "not-supported",
                f"{found.resource_type}: the {level}-level operation ${found.operation[:40]} is "
                "not supported; see the CapabilityStatement (GET metadata).",
            )  # fmt: skip
        if method not in GET:
            raise FhirError(405, "not-supported", f"${found.operation}: GET only.",
                            {"Allow": "GET, HEAD"})  # fmt: skip
        return operation(request, found.resource_id)
    if found.interaction in BY_TYPE[found.resource_type].interactions:
        if found.interaction == READ:
            return READERS[found.resource_type](request, found.resource_id)
        if found.interaction == SEARCH:
            return SEARCHES[found.resource_type](request)
    raise not_allowed(found, method)


# --- reads --------------------------------------------------------------------------------


def patient_read(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = caller(request)
    patient = visible_patient(user, patient_id)
    record(request, "read", patient, patient=patient, detail="FHIR Patient")
    return read_response(request, patient_resource(patient, staff(user)), private=True)


def record_reader(kind: str) -> View:
    """Read by id of a resource of a patient's record (``records.find``)."""

    def read(request: HttpRequest, resource_id: str) -> HttpResponse:
        user = caller(request)
        patient, resource = find(user, kind, resource_id)
        record(request, "read", patient, patient=patient, detail=f"FHIR {kind}/{resource_id}")
        return read_response(request, resource, private=True)

    return read


def questionnaire_read(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    resource = definitions.questionnaire(questionnaire_id)
    if resource is None:
        raise FhirError(
            404,
            "not-found",
            f"Questionnaire/{questionnaire_id[:64]}: unknown; the questionnaires are "
            f"{', '.join(definitions.QUESTIONNAIRES)}.",
        )
    return read_response(request, resource, private=False)


def definition_reader(kind: str, find: Callable[[str], DomainResource | None]) -> View:
    """Read by id of a definition BackPath publishes (public, like the Questionnaires)."""

    def read(request: HttpRequest, resource_id: str) -> HttpResponse:
        resource = find(resource_id)
        if resource is None:
            raise FhirError(404, "not-found", f"{kind}/{resource_id[:64]}: unknown.")
        return read_response(request, resource, private=False)

    return read


# --- searches and $everything -------------------------------------------------------------


def record_searcher(kind: str) -> View:
    """Search by ``patient`` (required), ``_lastUpdated``, paged."""

    def search(request: HttpRequest) -> HttpResponse:
        user = caller(request)
        params = used_params(request, BY_TYPE[kind].search_names)
        wanted = patient_id(request, base_url(request))
        conditions = last_updated(request)
        page = page_of(request, kind, params)
        try:
            patient = visible_patient(user, wanted)
        except FhirError:
            record(request, "read", None, detail=f"FHIR {kind} search: no patient {wanted}")
            return paged(request, page, [])
        record(request, "read", patient, patient=patient, detail=f"FHIR {kind} search")
        found = [r for r in everything(patient, staff(user)) if r.get_resource_type() == kind]
        return paged(request, page, updated_within(found, conditions))

    return search


def patient_search(request: HttpRequest) -> HttpResponse:
    """Search by ``identifier`` (required, ``system|value``) within the caller's clinic."""
    user = caller(request)
    params = used_params(request, BY_TYPE["Patient"].search_names)
    usage = "give one system|value, e.g. http://hospital.example/mrn|12345"
    raw = required(request, "identifier", usage)
    system, value = identifier_token("identifier", raw)
    conditions = last_updated(request)
    page = page_of(request, "Patient", params)
    clinic = getattr(user, "clinic", None)
    match = identity.match(clinic, [(system, value)]).patient if clinic is not None else None
    visible = Patient.objects.visible_to(user).select_related("clinic")
    patient = visible.filter(pk=match.pk).first() if match is not None else None
    if patient is None:
        record(request, "read", None, detail=f"FHIR Patient search: no match in {system[:200]}")
        return paged(request, page, [])
    record(request, "read", patient, patient=patient, detail="FHIR Patient search by identifier")
    found = [patient_resource(patient, staff(user))]
    return paged(request, page, updated_within(found, conditions))


def questionnaire_search(request: HttpRequest) -> HttpResponse:
    """Search by canonical ``url`` (``|version`` optional); without it, every one."""
    params = used_params(request, BY_TYPE["Questionnaire"].search_names)
    raw = optional(request, "url", "give one canonical URL, optionally with |version")
    url, version = canonical("url", raw) if raw is not None else (None, None)
    conditions = last_updated(request)
    page = page_of(request, "Questionnaire", params)
    found = updated_within(definitions.questionnaires(url, version), conditions)
    return paged(request, page, found, private=False)


def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The record, paged; each page includes the Questionnaires its responses answer."""
    user = caller(request)
    patient = visible_patient(user, patient_id)
    params = used_params(request, frozenset({"_count", "_page"}))
    page = page_of(request, f"Patient/{patient.pk}/$everything", params)
    resources = everything(patient, staff(user))
    record(request, "export", patient, patient=patient, detail="FHIR Patient $everything")
    matches = [r for r in resources if not isinstance(r, Questionnaire)]
    shown = page.cut(matches)
    answered = {str(r.questionnaire) for r in shown if isinstance(r, QuestionnaireResponse)}
    included = [r for r in resources if isinstance(r, Questionnaire) and r.url in answered]
    return paged(request, page, matches, included)


READERS: dict[str, View] = {
    "Patient": patient_read,
    "Questionnaire": questionnaire_read,
    "CodeSystem": definition_reader("CodeSystem", definitions.code_system),
    "StructureDefinition": definition_reader(
        "StructureDefinition", definitions.structure_definition
    ),
    **{kind: record_reader(kind) for kind in RECORD_TYPES},
}
SEARCHES: dict[str, View] = {
    "Patient": patient_search,
    "Questionnaire": questionnaire_search,
    **{kind: record_searcher(kind) for kind in RECORD_TYPES},
}
OPERATIONS: dict[tuple[str, str, str], View] = {
    ("Patient", "instance", "everything"): patient_everything,
}
"""(type, level, operation name) -> view; each is listed in the CapabilityStatement."""


def served_views() -> dict[str, set[str]]:
    """What the views serve, in the statement's terms: type -> interactions and ``$name``
    of operations."""
    found: dict[str, set[str]] = {}
    for kind in READERS:
        found.setdefault(kind, set()).add(READ)
    for kind in SEARCHES:
        found.setdefault(kind, set()).add(SEARCH)
    for kind, _, name in OPERATIONS:
        found.setdefault(kind, set()).add(f"${name}")
    return found
