"""CDS Hooks 2.0 endpoints: ``GET /cds-services`` and ``POST /cds-services/backpath-patient-view``.

Thin edges over ``backpath.interop.cds_hooks``. The caller is an EHR with its signed JWT or a
clinic user with a BackPath API token (``callers``). Errors are JSON ``{"detail", "field"}``
(``responses``): 400 for a bad request (the field and what is allowed), 401 when the caller is
not authenticated (naming what was wrong), 403 for a token whose owner or scope may not call,
412 when the prefetch lacks data BackPath cannot fetch (with ``missing``: key -> why).
Discovery is public; every call of the service is in the audit trail, and the cards it sends
are kept for the feedback endpoint (``feedback``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from backpath.errors import InvalidInput
from backpath.interop import cds_hooks
from backpath.web.accounts.models import Clinic
from backpath.web.cds.callers import audit, posted
from backpath.web.cds.cors import cors
from backpath.web.cds.feedback import remember_cards
from backpath.web.cds.responses import error, not_allowed
from backpath.web.launch.addresses import launch_url
from backpath.web.launch.registration import launches_from
from backpath.web.links import base_url
from backpath.web.patients import identity
from backpath.web.patients.models import Patient

ACTION = "cds.patient-view"


def _allowed_fetch(url: str, access_token: str) -> object:
    """Fetch only from the FHIR servers this deployment lists (BACKPATH_CDS_FHIR_SERVERS)."""
    allowed = [base.rstrip("/") + "/" for base in settings.CDS_FHIR_SERVERS]
    if not any(url.startswith(base) for base in allowed):
        raise cds_hooks.FetchError(
            "this fhirServer is not one BackPath may fetch from "
            "(set BACKPATH_CDS_FHIR_SERVERS, or send the data as prefetch)"
        )
    return cds_hooks.fetch_json(url, access_token)


def _matched_patient(clinic: Clinic, data: cds_hooks.PatientData) -> tuple[Patient | None, str]:
    """The clinic's patient named by the prefetched Patient's identifiers (system and value;
    ``identity.match``, never BackPath's database key), when the birth year and family name
    agree as well; with a word for the audit trail on how it went."""
    found = identity.match(clinic, cds_hooks.patient_identifiers(data))
    if found.ambiguous:
        return None, "ambiguous"
    patient = found.patient
    if patient is None:
        return None, "none"
    year, families = cds_hooks.patient_identity(data)
    if year is not None and year != patient.birth_year:
        return None, "disagrees"
    if families and patient.family_name.casefold() not in families:
        return None, "disagrees"
    return patient, "identifier"


def _link(clinic: Clinic, patient: Patient | None, fhir_server: str | None) -> cds_hooks.Link:
    """A SMART launch when the clinic registered this EHR for it (the launch matches the
    patient on identifiers, or offers to add them); otherwise a plain link. Either is on
    BackPath's public address (``BACKPATH_BASE_URL``), where the clinician's browser goes,
    not on the address the EHR's server called (``CDS_BASE_URL`` may be another)."""
    if launches_from(clinic.pk, fhir_server):
        label = "Open in BackPath" if patient is not None else "Open BackPath for this patient"
        return cds_hooks.Link(label=label, url=launch_url(), type="smart")
    if patient is not None:
        url = base_url() + reverse("patients:detail", args=[patient.pk])
        return cds_hooks.Link(label="Open in BackPath", url=url, type="absolute")
    url = base_url() + reverse("patients:create")
    return cds_hooks.Link(label="Add this patient to BackPath", url=url, type="absolute")


def _server(call: Any) -> str | None:
    return str(call.fhirServer) if call.fhirServer is not None else None


@csrf_exempt
@cors
def discovery(request: HttpRequest) -> JsonResponse:
    if request.method != "GET":
        return not_allowed("GET")
    return JsonResponse(cds_hooks.discovery())


@csrf_exempt
@cors
def unknown_service(request: HttpRequest, rest: str) -> JsonResponse:
    return error(404, f"No such CDS service; this server offers '{cds_hooks.SERVICE_ID}'.")


@csrf_exempt
@cors
def patient_view(request: HttpRequest) -> JsonResponse:
    accepted = posted(request, ACTION)
    if isinstance(accepted, JsonResponse):
        return accepted
    caller, body = accepted
    try:
        call = cds_hooks.parse_request(body)
        data = cds_hooks.gather(call, _allowed_fetch)
    except InvalidInput as exc:
        audit(request, caller, ACTION, None, detail=f"status=400 {exc}")
        return error(400, exc.message, exc.field)
    except cds_hooks.PrefetchUnavailable as exc:
        audit(request, caller, ACTION, None,
              detail=f"status=412 missing={','.join(exc.missing)}")  # fmt: skip
        return error(
            412,
            "BackPath could not obtain the data it needs: "
            + "; ".join(f"{key}: {why}" for key, why in exc.missing.items()),
            "prefetch",
            missing=exc.missing,
        )
    patient, matched = _matched_patient(caller.clinic, data)
    response = cds_hooks.build_cards(
        data,
        links=[_link(caller.clinic, patient, _server(call))],
        source_url=base_url() + "/",
    )
    remember_cards(caller, call.hookInstance, response.cards)
    indicators = ",".join(card.indicator for card in response.cards)
    fetched = f" fetched={','.join(data.fetched)}" if data.fetched else ""
    unread = f" unreadable={len(data.unreadable)}" if data.unreadable else ""
    audit(request, caller, ACTION, patient, patient=patient, detail=(
        f"hookInstance={call.hookInstance} match={matched} cards={indicators}{fetched}{unread}"
    ))  # fmt: skip
    return JsonResponse(response.to_json())
