"""FHIR R4 REST endpoints under /fhir/ (read-only; see the CapabilityStatement).

- ``GET metadata`` and ``GET Questionnaire/{id}``: public, no patient data.
- ``GET Patient/{id}``, ``GET Patient/{id}/$everything``, ``GET CarePlan?patient={id}``:
  authenticated and audited (``access``); ids as in ``records``.

Search and ``$everything`` are lenient as FHIR's default: parameters they do not support are
ignored (and left out of the self link); with ``Prefer: handling=strict`` they are a 400.
A CarePlan search for a patient the caller cannot see (or that does not exist) is an empty
searchset, as any search that matches nothing. Other methods than GET/HEAD: 405; paths the
server does not serve: 404; each as an OperationOutcome naming what is allowed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from backpath import __version__
from backpath.interop.capability import capability_statement
from backpath.interop.codes import INTAKE_DETAILS
from backpath.interop.fhir_export import QUESTIONNAIRE_INSTRUMENTS
from backpath.interop.fhir_parts import details_questionnaire, fhir_id, instrument_questionnaire
from backpath.web.audit.record import record
from backpath.web.fhir.access import FHIR_ID, caller, visible_patient
from backpath.web.fhir.records import everything, patient_resource
from backpath.web.fhir.responses import FhirError, error_response, fhir_json
from backpath.web.fhir.searchset import searchset

logger = logging.getLogger(__name__)

QUESTIONNAIRES = {
    fhir_id(name): name for name in (*QUESTIONNAIRE_INSTRUMENTS, "red_flags", INTAKE_DETAILS)
}
JSON_FORMATS = ("json", "application/json", "application/fhir+json")
COMMON_PARAMS = frozenset({"_format", "_pretty"})
SUPPORTED = (
    "GET metadata, GET Patient/{id}, GET Patient/{id}/$everything, "
    "GET CarePlan?patient={id}, GET Questionnaire/{id}"
)

View = Callable[..., HttpResponse]


def fhir_endpoint(view: View) -> View:
    """GET (and HEAD) only; every failure becomes an OperationOutcome."""

    @csrf_exempt  # read-only: every unsafe method is refused below
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if request.method not in ("GET", "HEAD"):
                raise FhirError(
                    405,
                    "not-supported",
                    f"{request.method} is not supported here; this server is read-only "
                    "(allowed: GET, HEAD).",
                    {"Allow": "GET, HEAD"},
                )
            fmt = request.GET.get("_format")
            if fmt is not None and fmt.split(";")[0].strip() not in JSON_FORMATS:
                raise FhirError(406, "not-supported", "_format: only json (application/fhir+json).")
            return view(request, *args, **kwargs)
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


def check_params(request: HttpRequest, supported: frozenset[str]) -> None:
    """Unsupported parameters are ignored unless the client asked for strict handling."""
    unknown = sorted(set(request.GET) - supported - COMMON_PARAMS)
    prefer = request.headers.get("Prefer", "").replace(" ", "").lower().split(",")
    if unknown and "handling=strict" in prefer:
        allowed = ", ".join(sorted(supported)) or "none"
        raise FhirError(
            400,
            "not-supported",
            f"{unknown[0][:64]}: unsupported parameter (supported: {allowed}).",
        )


@fhir_endpoint
def metadata(request: HttpRequest) -> HttpResponse:
    return fhir_json(request, capability_statement(base_url(request), __version__))


@fhir_endpoint
def questionnaire_read(request: HttpRequest, questionnaire_id: str) -> HttpResponse:
    name = QUESTIONNAIRES.get(questionnaire_id)
    if name is None:
        raise FhirError(
            404,
            "not-found",
            f"Questionnaire/{questionnaire_id[:64]}: unknown; the questionnaires are "
            f"{', '.join(QUESTIONNAIRES)}.",
        )
    resource = details_questionnaire() if name == INTAKE_DETAILS else instrument_questionnaire(name)
    return fhir_json(request, resource.model_dump(mode="json"))


@fhir_endpoint
def patient_read(request: HttpRequest, patient_id: str) -> HttpResponse:
    patient = visible_patient(caller(request), patient_id)
    record(request, "read", patient, patient=patient, detail="FHIR Patient")
    return fhir_json(request, patient_resource(patient).model_dump(mode="json"), private=True)


@fhir_endpoint
def patient_everything(request: HttpRequest, patient_id: str) -> HttpResponse:
    user = caller(request)
    patient = visible_patient(user, patient_id)
    check_params(request, frozenset())
    resources = everything(patient, staff=user.is_clinic_staff)
    record(request, "export", patient, patient=patient, detail="FHIR Patient $everything")
    base = base_url(request)
    self_url = f"{base}/Patient/{patient.pk}/$everything"
    bundle = searchset(resources, base, self_url, timezone.now())
    return fhir_json(request, bundle, private=True)


def patient_param(request: HttpRequest, base: str) -> str:
    """The id in ``patient`` (``12``, ``Patient/12`` or ``<base>/Patient/12``)."""
    values = request.GET.getlist("patient")
    usage = "give one Patient id, such as 12 or Patient/12"
    if not values or not values[0].strip():
        raise FhirError(400, "required", f"patient: required; {usage}.")
    if len(values) > 1:
        raise FhirError(400, "invalid", f"patient: given {len(values)} times; {usage}.")
    value = values[0].strip().removeprefix(f"{base}/").removeprefix("Patient/")
    if not FHIR_ID.fullmatch(value):
        raise FhirError(400, "invalid", f"patient: {values[0][:64]!r} is not valid; {usage}.")
    return value


@fhir_endpoint
def careplan_search(request: HttpRequest) -> HttpResponse:
    user = caller(request)
    base = base_url(request)
    patient_id = patient_param(request, base)
    check_params(request, frozenset({"patient"}))
    try:
        patient = visible_patient(user, patient_id)
    except FhirError:
        record(request, "read", None, detail=f"FHIR CarePlan search: no patient {patient_id}")
        care_plans = []
    else:
        record(request, "read", patient, patient=patient, detail="FHIR CarePlan search")
        resources = everything(patient, staff=user.is_clinic_staff)
        care_plans = [r for r in resources if r.get_resource_type() == "CarePlan"]
    self_url = f"{base}/CarePlan?patient={patient_id}"
    return fhir_json(request, searchset(care_plans, base, self_url, timezone.now()), private=True)


@csrf_exempt
def unsupported(request: HttpRequest, path: str = "") -> HttpResponse:
    error = FhirError(
        404, "not-supported", f"/fhir/{path[:100]}: not served here; supported: {SUPPORTED}."
    )
    return error_response(request, error)
