"""The EHR launch: ``/launch/smart`` (the launch URL an EHR registers), the sign-in detour,
``/launch/smart/callback`` (the redirect URI) and the confirmation of a new patient.

Each step either moves on or answers a refusal page (``pages.refuse``), never a server error.
A clinician not signed in signs in first (the launch waits in the session); after the sign-in
form (or the two-factor form, which the browser marks ``Sec-Fetch-Site: same-origin`` on the
way to the launch URL) BackPath shows a "continue" link rather than redirecting to the EHR at
once, because the form page's Content-Security-Policy (``form-action 'self'``) rightly stops a
form's redirect chain from leaving BackPath.
"""

from __future__ import annotations

import logging
import secrets
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.decorators import ratelimit

from backpath.web.audit.record import record
from backpath.web.launch import discovery, flow, opening
from backpath.web.launch.ehr_patient import EhrPatient
from backpath.web.launch.id_token import verified_claims
from backpath.web.launch.models import SmartEhr
from backpath.web.launch.pages import refuse
from backpath.web.launch.refusals import REASONS, Refused
from backpath.web.patients import identity
from backpath.web.patients.models import Patient

PENDING = "smart_launch_pending"
"""A launch waiting for the clinician to sign in: iss, launch, when."""
NEW_PATIENTS = "smart_launch_new_patients"
"""EHR patients waiting for the clinician's confirmation, by a random key."""
log = logging.getLogger("backpath.launch")
RATE = "30/m"
"""Launches and EHR answers one client address may send (each makes BackPath call the EHR)."""


def _too_many(request: HttpRequest) -> HttpResponse:
    """Over the rate: the page, and a log line rather than an audit row per request."""
    log.warning("SMART launch rate limit reached for %s", request.path)
    reason = REASONS["too_many"]
    context = {"reason": reason, "code": "too_many", "detail": "", "ehr": None}
    return render(request, "launch/refused.html", context, status=reason.status)


def _registered_for(request: HttpRequest, iss: str) -> SmartEhr:
    user: Any = request.user
    if not user.is_clinic_staff:
        raise Refused("not_staff", f"{user.get_role_display()} account")
    ehr = SmartEhr.objects.filter(iss=iss, active=True, clinic_id=user.clinic_id).first()
    if ehr is None:
        raise Refused("wrong_clinic", f"iss {iss} is not registered for {user.clinic}")
    return ehr


def _still_allowed(request: HttpRequest, ehr: SmartEhr | None) -> SmartEhr:
    """The launch's registration, if it is still active and the user still works at its
    clinic (roles and registrations can change during a launch)."""
    user: Any = request.user
    if ehr is None or not ehr.active:
        raise Refused("ehr_inactive", "the registration was deactivated")
    if not user.is_clinic_staff:
        raise Refused("not_staff", f"{user.get_role_display()} account")
    if ehr.clinic_id != user.clinic_id:
        raise Refused("wrong_clinic", "the registration belongs to another clinic")
    return ehr


def _authorization(request: HttpRequest, ehr: SmartEhr, launch: str) -> str:
    """The EHR's authorization URL for this launch (its state kept in the session)."""
    config = discovery.smart_configuration(ehr.iss)
    url = flow.authorization_url(request, ehr, config, launch)
    record(request, "smart_launch", ehr, detail=f"launch from {ehr.name}: to its sign-in")
    return url


@require_GET
@ratelimit(key="ip", rate=RATE, group="smart-launch", block=False)
def launch(request: HttpRequest) -> HttpResponse:
    """``GET /launch/smart?iss=...&launch=...``: where the EHR opens BackPath."""
    if getattr(request, "limited", False):
        return _too_many(request)
    iss, code = request.GET.get("iss", "").strip(), request.GET.get("launch", "").strip()
    ehr = None
    try:
        if not iss or not code or len(iss) > 500 or len(code) > 2048:
            raise Refused("incomplete", "iss and launch are required")
        if not SmartEhr.objects.filter(iss=iss, active=True).exists():
            raise Refused("unknown_ehr", f"iss {iss} is not registered")
        if not request.user.is_authenticated:
            request.session[PENDING] = {"iss": iss, "launch": code, "at": time.time()}
            messages.info(request, "Sign in to BackPath to open the patient the EHR sent.")
            return redirect_to_login(reverse("launch:resume"))
        ehr = _registered_for(request, iss)
        url = _authorization(request, ehr, code)
    except Refused as refused:
        return refuse(request, refused, ehr)
    if request.headers.get("Sec-Fetch-Site") == "same-origin":  # came via a BackPath form
        return render(request, "launch/continue.html", {"ehr": ehr, "url": url})
    return redirect(url)


@login_required
@require_GET
def resume(request: HttpRequest) -> HttpResponse:
    """After the sign-in: the waiting launch, with a link on to the EHR's sign-in service."""
    pending = request.session.pop(PENDING, None)
    ehr = None
    try:
        if not isinstance(pending, dict):
            raise Refused("bad_state", "no launch is waiting in this browser")
        if time.time() - float(pending["at"]) >= flow.lifetime_seconds():
            raise Refused("expired", "the launch waited longer than BACKPATH_SMART_STATE_MINUTES")
        ehr = _registered_for(request, pending["iss"])
        url = _authorization(request, ehr, pending["launch"])
    except Refused as refused:
        return refuse(request, refused, ehr)
    return render(request, "launch/continue.html", {"ehr": ehr, "url": url})


def _claims(token: dict[str, Any], config: discovery.SmartConfiguration, ehr: SmartEhr) -> str:
    """The EHR user (``fhirUser``) from a verified id_token, for the audit trail; an id_token
    that cannot be verified for want of keys is not used."""
    if not isinstance(token.get("id_token"), str) or not config.jwks_uri:
        return ""
    claims = verified_claims(token["id_token"], config, iss=ehr.iss, client_id=ehr.client_id)
    user = claims.get("fhirUser")
    return f"; EHR user {user}" if isinstance(user, str) else ""


@require_GET
@ratelimit(key="ip", rate=RATE, group="smart-launch", block=False)
def callback(request: HttpRequest) -> HttpResponse:
    """``GET /launch/smart/callback?code=...&state=...``: the EHR's answer."""
    if getattr(request, "limited", False):
        return _too_many(request)
    ehr = None
    try:
        began = flow.take_flow(request, request.GET.get("state", ""))
        ehr = _still_allowed(
            request, SmartEhr.objects.select_related("clinic").filter(pk=began["ehr"]).first()
        )
        if request.GET.get("error"):
            said = f"{request.GET['error']}: {request.GET.get('error_description', '')}"
            raise Refused("ehr_declined", said)
        if not request.GET.get("code"):
            raise Refused("ehr_declined", "the answer has no code")
        config = discovery.smart_configuration(ehr.iss)
        token = flow.exchange_code(ehr, config, began, request.GET["code"])
        by = _claims(token, config, ehr)
        found = opening.fetch_patient(ehr, token)
        del token  # used for this one read, never stored
        return _open(request, ehr, found, by)
    except Refused as refused:
        return refuse(request, refused, ehr)


def _open(request: HttpRequest, ehr: SmartEhr, found: EhrPatient, by: str) -> HttpResponse:
    matched = identity.match(ehr.clinic, found.identifier_pairs())
    if matched.ambiguous:
        names = ", ".join(f"{s}|{v}" for s, v in found.identifier_pairs())
        raise Refused("ambiguous", f"identifiers {names}")
    if matched.patient is not None:
        return _opened(request, ehr, matched.patient, f"opened from {ehr.name}{by}")
    key = secrets.token_urlsafe(16)
    waiting = dict(request.session.get(NEW_PATIENTS) or {})
    waiting = {k: v for k, v in waiting.items()
               if time.time() - float(v["at"]) < flow.lifetime_seconds()}  # fmt: skip
    waiting[key] = {"ehr": ehr.pk, "user": request.user.pk, "at": time.time(), "by": by,
                    "patient": found.model_dump(mode="json")}  # fmt: skip
    request.session[NEW_PATIENTS] = waiting
    return redirect("launch:confirm", key=key)


def _opened(request: HttpRequest, ehr: SmartEhr, patient: Patient, detail: str) -> HttpResponse:
    record(request, "read", patient, patient=patient, detail=f"SMART launch: {detail}")
    messages.success(request, f"Opened from {ehr.name}: {patient}.")
    return redirect("patients:detail", patient_id=patient.pk)


@login_required
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, key: str) -> HttpResponse:
    """The EHR's patient is new to BackPath: show what the EHR says, create on confirmation."""
    waiting = dict(request.session.get(NEW_PATIENTS) or {})
    entry = waiting.get(key)
    ehr = None
    try:
        if entry is None:
            raise Refused("bad_state", "this confirmation is unknown or was used already")
        if time.time() - float(entry["at"]) >= flow.lifetime_seconds():
            raise Refused("expired", "the confirmation waited too long")
        if entry["user"] != request.user.pk:
            raise Refused("wrong_user", "the launch was started by another BackPath user")
        ehr = _still_allowed(
            request, SmartEhr.objects.select_related("clinic").filter(pk=entry["ehr"]).first()
        )
        found = EhrPatient.model_validate(entry["patient"])
        if request.method == "POST":
            del waiting[key]
            request.session[NEW_PATIENTS] = waiting
            matched = identity.match(ehr.clinic, found.identifier_pairs())  # again: it may
            if matched.ambiguous:  # have been added since the page was shown
                raise Refused("ambiguous", "the identifiers now name more than one patient")
            if matched.patient is not None:
                return _opened(request, ehr, matched.patient, f"opened from {ehr.name}")
            patient = opening.create_patient(ehr, found, request.user)  # type: ignore[arg-type]
            record(request, "create", patient, patient=patient,
                   detail=f"SMART launch: created from {ehr.name}, confirmed by the "
                   f"clinician{entry['by']}")  # fmt: skip
            messages.success(request, f"{patient} was added from {ehr.name}.")
            return redirect("patients:detail", patient_id=patient.pk)
    except Refused as refused:
        return refuse(request, refused, ehr)
    return render(request, "launch/confirm.html", {"ehr": ehr, "found": found, "key": key})
