"""REST endpoints of logins, for automation: the clinic lead's staff (list, invite,
deactivate) and a patient's invitation (clinic staff).

A clinician calling a lead's endpoint gets 403; another clinic's staff member or patient is
404, as one that does not exist. The work is ``logins.lifecycle``'s, audited there.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from backpath.web import lookups
from backpath.web.accounts.models import STAFF_ROLES, User
from backpath.web.api.authentication import require_lead, require_staff
from backpath.web.api.errors import ERRORS, ErrorOut
from backpath.web.audit.record import client_ip, record
from backpath.web.logins import lifecycle

router = Router(tags=["logins"])
WITH_CONFLICT = {**ERRORS, 409: ErrorOut}


class StaffOut(Schema):
    id: int
    email: str
    name: str
    role: str
    state: str
    """invited (no password chosen yet), active or deactivated."""


class StaffList(Schema):
    count: int
    items: list[StaffOut]


class StaffIn(Schema):
    email: str
    name: str = ""
    role: str = "clinician"


class Invited(Schema):
    id: int
    email: str
    role: str
    expires: dt.datetime


class Invitation(Schema):
    url: str
    expires: dt.datetime
    emailed: bool
    username: str


def _actor(request: HttpRequest, user: User) -> lifecycle.Actor:
    return lifecycle.Actor(user, client_ip(request), request.path, request.method or "")


def _out(user: User) -> StaffOut:
    if not user.is_active:
        state = "deactivated"
    else:
        state = "active" if user.has_usable_password() else "invited"
    return StaffOut(
        id=user.pk, email=user.email, name=user.get_full_name(), role=user.role, state=state
    )


@router.get("/staff", response={200: StaffList, **ERRORS}, summary="The clinic's staff")
def list_staff(request: HttpRequest):
    lead = require_lead(request)
    staff = User.objects.filter(clinic=lead.clinic, role__in=STAFF_ROLES).order_by("username")
    items = [_out(u) for u in staff]
    record(request, "read", lead.clinic, detail=f"API staff list ({len(items)})")
    return {"count": len(items), "items": items}


@router.post("/staff", response={201: Invited, **ERRORS}, summary="Invite a clinician or lead")
def invite_staff(request: HttpRequest, body: StaffIn):
    """Creates the login without a password and emails a one-time link to choose one."""
    lead = require_lead(request)
    user, link = lifecycle.invite_staff(_actor(request, lead), body.email, body.name, body.role)
    return Status(201, Invited(id=user.pk, email=user.email, role=user.role, expires=link.expires))


@router.post(
    "/staff/{user_id}/deactivate",
    response={200: StaffOut, **WITH_CONFLICT},
    summary="Deactivate a staff login",
)
def deactivate_staff(request: HttpRequest, user_id: int):
    """No sign-in, sessions or API tokens from now on; records and audit trail stay."""
    lead = require_lead(request)
    user = get_object_or_404(User, pk=user_id, clinic=lead.clinic, role__in=STAFF_ROLES)
    lifecycle.deactivate(_actor(request, lead), user)
    user.refresh_from_db()
    return _out(user)


@router.post(
    "/patients/{patient_id}/invitation",
    response={201: Invitation, **WITH_CONFLICT},
    summary="Invite a patient to their login",
)
def invite_patient(request: HttpRequest, patient_id: int):
    """A one-time link for the patient to choose a password, emailed when an email is on
    file; 409 when the patient already has an active login."""
    staff = require_staff(request)
    patient = lookups.patient_for(staff, patient_id)
    by_email = bool(patient.email)
    user, link = lifecycle.invite_patient(_actor(request, staff), patient, by_email=by_email)
    body = Invitation(url=link.url, expires=link.expires, emailed=by_email, username=user.username)
    return Status(201, body)
