"""CDS Hooks 2.0 endpoints: ``GET /cds-services`` and ``POST /cds-services/backpath-patient-view``.

Thin edges over ``backpath.interop.cds_hooks``. Errors are JSON ``{"detail", "field"}`` like
the REST API's: 400 for a bad request (the field and what is allowed), 401 without a valid
BackPath API token, 403 for a caller who is not clinic staff, 412 when the prefetch lacks
data BackPath cannot fetch (with ``missing``: key -> why). Discovery is public; every call
of the service is in the audit trail. The specification's signed JWT is not supported yet:
see ``cds_hooks.AUTH_DEVIATION``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from backpath.errors import InvalidInput
from backpath.interop import cds_hooks
from backpath.web import lookups
from backpath.web.audit.record import record
from backpath.web.cds.cors import cors
from backpath.web.patients.models import Patient

ACTION = "cds.patient-view"


def _error(status: int, detail: str, field: str | None = None, **extra: Any) -> JsonResponse:
    response = JsonResponse({"detail": detail, "field": field, **extra}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


def _not_allowed(allowed: str) -> JsonResponse:
    response = _error(405, f"Method not allowed; use {allowed}.")
    response["Allow"] = f"{allowed}, OPTIONS"
    return response


def _caller(request: HttpRequest) -> tuple[Any, JsonResponse | None]:
    """The clinic user of the bearer token, or the 401/403 answer."""
    key = lookups.bearer_key(request.headers.get("Authorization"))
    if key is None:
        return None, _error(
            401,
            "Authentication required: send 'Authorization: Bearer <token>'. "
            + cds_hooks.AUTH_DEVIATION,
        )
    user = lookups.api_token_user(key)
    if user is None:
        return None, _error(
            401, "The token is unknown, expired or revoked. " + cds_hooks.AUTH_DEVIATION
        )
    refusal = lookups.token_refusal(user, "cds", request.method or "POST")
    if refusal:
        return None, _error(403, refusal)
    if not user.is_clinic_staff:
        return None, _error(403, "The CDS service is for a clinic's staff and integration users.")
    return user, None


def _allowed_fetch(url: str, access_token: str) -> object:
    """Fetch only from the FHIR servers this deployment lists (BACKPATH_CDS_FHIR_SERVERS)."""
    allowed = [base.rstrip("/") + "/" for base in settings.CDS_FHIR_SERVERS]
    if not any(url.startswith(base) for base in allowed):
        raise cds_hooks.FetchError(
            "this fhirServer is not one BackPath may fetch from "
            "(set BACKPATH_CDS_FHIR_SERVERS, or send the data as prefetch)"
        )
    return cds_hooks.fetch_json(url, access_token)


def _matched_patient(user: Any, data: cds_hooks.PatientData) -> Patient | None:
    """The BackPath patient whose id (as BackPath's FHIR endpoints use it) is the context's,
    visible to the caller, and whose birth year and family name agree with the prefetch."""
    patient_id = data.patient_id
    if not patient_id.isdigit() or len(patient_id) > 12:
        return None
    patient = Patient.objects.visible_to(user).filter(pk=int(patient_id)).first()
    if patient is None:
        return None
    year, families = cds_hooks.patient_identity(data)
    if year is not None and year != patient.birth_year:
        return None
    if families and patient.family_name.casefold() not in families:
        return None
    return patient


def _link(request: HttpRequest, patient: Patient | None) -> cds_hooks.Link:
    if patient is not None:
        url = reverse("patients:detail", args=[patient.pk])
        return cds_hooks.Link(
            label="Open in BackPath", url=request.build_absolute_uri(url), type="absolute"
        )
    url = request.build_absolute_uri(reverse("patients:create"))
    return cds_hooks.Link(label="Add this patient to BackPath", url=url, type="absolute")


@csrf_exempt
@cors
def discovery(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return _not_allowed("GET")
    return JsonResponse(cds_hooks.discovery())


@csrf_exempt
@cors
def patient_view(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":
        return _not_allowed("POST")
    user, denied = _caller(request)
    if denied is not None:
        return denied
    request.user = user
    try:
        body = request.body
    except RequestDataTooBig:
        record(request, ACTION, None, detail="status=413")
        return _error(413, "The request body is larger than this server accepts.", "body")
    try:
        call = cds_hooks.parse_request(body)
        data = cds_hooks.gather(call, _allowed_fetch)
    except InvalidInput as exc:
        record(request, ACTION, None, detail=f"status=400 {exc}")
        return _error(400, exc.message, exc.field)
    except cds_hooks.PrefetchUnavailable as exc:
        record(request, ACTION, None, detail=f"status=412 missing={','.join(exc.missing)}")
        return _error(
            412,
            "BackPath could not obtain the data it needs: "
            + "; ".join(f"{key}: {why}" for key, why in exc.missing.items()),
            "prefetch",
            missing=exc.missing,
        )
    patient = _matched_patient(user, data)
    response = cds_hooks.build_cards(
        data, links=[_link(request, patient)], source_url=request.build_absolute_uri("/")
    )
    indicators = ",".join(card.indicator for card in response.cards)
    fetched = f" fetched={','.join(data.fetched)}" if data.fetched else ""
    record(
        request,
        ACTION,
        patient,
        patient=patient,
        detail=f"hookInstance={call.hookInstance[:80]} cards={indicators}{fetched}",
    )
    return JsonResponse(response.to_json())
