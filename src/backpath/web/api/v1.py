"""REST API v1 (Django Ninja). OpenAPI at /api/openapi.json, interactive docs at /api/docs.

Endpoints are thin: authenticate, find the object through ``Patient.objects.visible_to``,
call one domain function, audit, return a schema. Access: clinic staff see their clinic's
patients; a patient sees and writes only their own record; anything else is 404 (or 403 for
an endpoint that is for staff only). Errors: see ``backpath.web.api.errors``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Body, NinjaAPI, Query, Status

from backpath import DISCLAIMER
from backpath.engine import Profile, assess_and_plan
from backpath.web import lookups
from backpath.web.api import errors
from backpath.web.api.alerts import router as alerts_router
from backpath.web.api.authentication import BearerToken, SessionWithCsrf, require_staff
from backpath.web.api.diary_entries import entry_fields
from backpath.web.api.errors import ERRORS
from backpath.web.api.logins import router as logins_router
from backpath.web.api.program import router as program_router
from backpath.web.api.schemas import (
    DiaryEntryOut,
    DiaryIn,
    IntakeJson,
    Page,
    PatientOut,
    PatientPage,
    PlanJson,
    PlanVersionOut,
    link_contract,
)
from backpath.web.api.worklist import router as worklist_router
from backpath.web.audit.record import record
from backpath.web.diary import records
from backpath.web.patients.models import Patient
from backpath.web.plans.versions import latest

DESCRIPTION = f"""Evidence-based, non-surgical back pain care.

**{DISCLAIMER}**

Authentication: the browser session (unsafe methods need the `X-CSRFToken` header), or
`Authorization: Bearer <key>` with a key from
`python -m backpath.web create_api_token USERNAME [--name N]`.
No credentials: 401. A patient calling a clinic-staff endpoint: 403. A patient or clinic not
one's own: 404. Invalid input: 422 with `detail` and the offending `field`.
"""


class BackPathAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return link_contract(super().get_openapi_schema(**kwargs))


api = BackPathAPI(
    title="BackPath API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[BearerToken(), SessionWithCsrf()],
    parser=errors.JsonBodyParser(),
)
errors.install(api)
api.add_router("/v1", program_router)
api.add_router("/v1", alerts_router)
api.add_router("/v1", logins_router)
api.add_router("/v1", worklist_router)


def _patient(request: HttpRequest, patient_id: int) -> Patient:
    return lookups.patient_for(request.auth, patient_id)  # type: ignore[attr-defined]


@api.post(
    "/v1/assess",
    response={200: PlanJson, **ERRORS},
    tags=["assess"],
    summary="Assess an intake and return the plan",
)
def assess(request: HttpRequest, intake: Body[IntakeJson], guideline: Profile = "consensus"):
    """Stateless: the same JSON in and out as `backpath assess --format json` (an intake,
    `backpath.intake/1`, in; the plan, `backpath.plan/1`, out). Nothing is stored."""
    return assess_and_plan(intake, guideline).to_json_dict()


@api.get("/v1/patients", response={200: PatientPage, **ERRORS}, tags=["patients"])
def list_patients(request: HttpRequest, page: Query[Page]):
    """The clinic's patients, by family name (clinic staff only)."""
    patients = Patient.objects.visible_to(require_staff(request))
    items = list(patients[page.offset : page.offset + page.limit])
    record(request, "read", None, detail=f"API patient list offset={page.offset}")
    return {"count": patients.count(), "limit": page.limit, "offset": page.offset, "items": items}


@api.get("/v1/patients/{patient_id}", response={200: PatientOut, **ERRORS}, tags=["patients"])
def get_patient(request: HttpRequest, patient_id: int):
    """One patient with their current episode (staff of the clinic, or the patient)."""
    patient = _patient(request, patient_id)
    record(request, "read", patient, patient=patient, detail="API patient")
    return patient


@api.get(
    "/v1/patients/{patient_id}/plan", response={200: PlanVersionOut, **ERRORS}, tags=["patients"]
)
def get_plan(request: HttpRequest, patient_id: int):
    """The plan of the current episode: staff get the latest version whatever its status;
    the patient gets the latest version published to them. 404 when there is none."""
    patient = _patient(request, patient_id)
    episode = patient.current_episode()
    staff = request.auth.is_clinic_staff  # type: ignore[attr-defined]
    version = (latest if staff else lookups.published_version)(episode) if episode else None
    if version is None:
        record(request, "read", patient, patient=patient, detail="API plan: none")
        raise Http404
    record(request, "read", version, patient=patient, detail=f"API plan v{version.number}")
    return {
        "patient_id": patient.pk,
        "episode_id": version.episode_id,
        "number": version.number,
        "status": version.status,
        "profile": version.profile,
        "created": version.created,
        "published": version.published,
        "change_summary": version.change_summary if staff else None,
        "plan": version.document.to_json_dict(),
    }


@api.post(
    "/v1/patients/{patient_id}/diary",
    response={201: DiaryEntryOut, **ERRORS},
    tags=["patients"],
    summary="Add a diary entry",
)
def add_diary_entry(request: HttpRequest, patient_id: int, entry: DiaryIn):
    """Add one entry to the patient's diary (staff of the clinic, or the patient). The score
    is computed from the answers; see the body schema for what each kind needs. A side effect
    (`adverse_event`) answers with `advice` for its urgency (the most severe of `serious` and
    the `warning_signs`), and any urgency but none raises an alert at the clinic."""
    patient = _patient(request, patient_id)
    fields = entry_fields(entry, timezone.localdate())
    row, advice = records.add_diary_entry(
        request,
        patient,
        patient.current_episode(),
        request.auth,  # type: ignore[attr-defined]
        fields,
        via="API ",
    )
    row.advice = advice.as_json() if advice else None  # type: ignore[attr-defined]
    return Status(201, row)
