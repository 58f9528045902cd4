"""One function records an audit event; views and the API call it for every patient read/write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backpath.web.audit.models import AuditEvent
from backpath.web.client_address import client_address


def client_ip(request: HttpRequest) -> str | None:
    """The real client's address (behind a trusted proxy, the forwarded one)."""
    return client_address(request) or None


def record(
    request: HttpRequest, action: str, obj: Any, patient: Any = None, detail: str = ""
) -> AuditEvent:
    user = request.user if request.user.is_authenticated else None
    return record_event(
        user, action, obj, patient=patient, detail=detail, path=request.path,
        method=request.method or "", ip=client_ip(request),
    )  # fmt: skip


def record_event(
    user: Any,
    action: str,
    obj: Any,
    *,
    patient: Any = None,
    clinic: Any = None,
    detail: str = "",
    path: str = "",
    method: str = "",
    ip: str | None = None,
    username: str = "",
) -> AuditEvent:
    """An event without a web request (a command such as ``createclinic``), or one whose
    actor is not the signed-in user (a sign-in that failed, a link that was used, an EHR's
    signed call: ``username`` then names the actor who has no login)."""
    clinic_id = (
        getattr(clinic, "pk", None)
        or getattr(user, "clinic_id", None)
        or getattr(obj, "clinic_id", None)
        or getattr(patient, "clinic_id", None)
    )
    return AuditEvent.objects.create(
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        clinic_id=clinic_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        patient=patient,
        path=path[:300],
        method=method,
        ip=ip,
        detail=detail[:300],
    )
