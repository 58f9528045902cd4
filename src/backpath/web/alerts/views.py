"""Acknowledging an alert: a POST from the patient record, the patient list or the review page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from backpath.web.accounts.access import staff_required
from backpath.web.alerts.models import Alert
from backpath.web.alerts.notify import acknowledge


@staff_required
@require_POST
def acknowledge_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Another clinic's alert answers 404, like one that does not exist."""
    alert = get_object_or_404(Alert.objects.visible_to(request.user), pk=alert_id)
    if acknowledge(request, alert):
        messages.success(request, f"{alert.get_urgency_display()} alert acknowledged.")
    else:
        messages.info(request, "That alert had already been acknowledged.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    if alert.patient_id is not None:
        return redirect("patients:detail", patient_id=alert.patient_id)
    return redirect("patients:list")
