"""One function records an audit event; views and the API call it for every patient read/write."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from backpath.web.audit.models import AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest, action: str, obj: Any, patient: Any = None, detail: str = ""
) -> AuditEvent:
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        user=user,
        username=getattr(user, "username", "") or "",
        clinic_id=getattr(user, "clinic_id", None) or getattr(patient, "clinic_id", None),
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        patient=patient,
        path=request.path[:300],
        method=request.method or "",
        ip=client_ip(request),
        detail=detail[:300],
    )
