"""The clinic lead's view of the audit trail: who read or changed which record, when, from where."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backpath.web.accounts.access import lead_required
from backpath.web.audit.models import AuditEvent


@lead_required
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(clinic_id=request.user.clinic_id).select_related("patient")  # type: ignore[union-attr]
    who = request.GET.get("user", "").strip()
    patient = request.GET.get("patient", "").strip()
    if who:
        events = events.filter(username__icontains=who)
    if patient.isdigit():
        events = events.filter(patient_id=int(patient))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "who": who, "patient": patient})
