"""The clinic lead's page of the EHRs that may launch BackPath: list, add, deactivate. The
client secret is taken once and never shown again; another clinic's registrations look like
ones that do not exist (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from backpath.errors import InvalidInput
from backpath.web.accounts.access import lead_required
from backpath.web.audit.record import record
from backpath.web.launch import registration
from backpath.web.launch.addresses import launch_url, redirect_uri
from backpath.web.launch.forms import SmartEhrForm
from backpath.web.launch.models import SmartEhr


@lead_required
def ehrs(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = SmartEhrForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ehr = registration.register(user.clinic, by=user, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request, "create", ehr, detail=f"SMART EHR {ehr.name} registered ({ehr.iss})")
            messages.success(request, f"{ehr.name} may now launch BackPath.")
            return redirect("launch:ehrs")
    registered = SmartEhr.objects.filter(clinic=user.clinic)
    context = {"form": form, "ehrs": registered, "launch_url": launch_url(),
               "redirect_uri": redirect_uri()}  # fmt: skip
    return render(request, "launch/ehrs.html", context)


@lead_required
@require_POST
def deactivate(request: HttpRequest, ehr_id: int) -> HttpResponse:
    ehr = get_object_or_404(SmartEhr, pk=ehr_id, clinic=request.user.clinic)  # type: ignore[union-attr]
    if ehr.active:
        registration.deactivate(ehr)
        record(request, "update", ehr, detail=f"SMART EHR {ehr.name} deactivated")
        messages.success(request, f"{ehr.name} can no longer launch BackPath.")
    return redirect("launch:ehrs")
