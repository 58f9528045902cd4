"""The clinic lead's EHRs page: the clinic's registrations, a form to add one, deactivation.

Leads only (403 for anyone else); another clinic's registration is answered as not found.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from backpath.errors import InvalidInput
from backpath.interop.cds_hooks import SERVICE_ID
from backpath.web.accounts.access import lead_required
from backpath.web.audit.record import client_ip, record
from backpath.web.ehrs import registration
from backpath.web.ehrs.forms import RecordNumberSystemForm, RegisterEhrForm
from backpath.web.ehrs.jwt_verify import audience
from backpath.web.ehrs.models import EhrRegistration
from backpath.web.logins.lifecycle import Actor
from backpath.web.patients import identity


def _actor(request: HttpRequest) -> Actor:
    return Actor(request.user, client_ip(request), request.path, request.method or "")


@lead_required
def registrations(request: HttpRequest) -> HttpResponse:
    clinic = request.user.clinic  # type: ignore[union-attr]
    form = RegisterEhrForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = registration.register(_actor(request), clinic, **form.cleaned_data)
        except InvalidInput as exc:
            field = exc.field.split(".")[0].split("[")[0]
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"{added.name} is registered: its signed calls now work.")
            return redirect("ehrs:list")
    record(request, "read", clinic, detail="EHR registrations page")
    numbers = RecordNumberSystemForm(initial={"record_number_system": clinic.record_number_system})
    return _page(request, form, numbers)


def _page(
    request: HttpRequest, form: RegisterEhrForm, numbers: RecordNumberSystemForm
) -> HttpResponse:
    clinic = request.user.clinic  # type: ignore[union-attr]
    rows = EhrRegistration.objects.filter(clinic=clinic).select_related("created_by")
    return render(request, "ehrs/registrations.html", {
        "form": form, "registrations": rows, "service_url": audience(reverse("cds:patient-view")),
        "service_id": SERVICE_ID, "allowed_urls": settings.JWKS_ALLOWED_URLS,
        "numbers": numbers, "record_system": identity.record_number_system(clinic),
    }, status=400 if form.errors or numbers.errors else 200)  # fmt: skip


@lead_required
def record_numbers(request: HttpRequest) -> HttpResponse:
    """The system of the clinic's record numbers, so CDS Hooks and SMART match the EHR's."""
    if request.method != "POST":
        return redirect("ehrs:list")
    clinic = request.user.clinic  # type: ignore[union-attr]
    numbers = RecordNumberSystemForm(request.POST)
    if numbers.is_valid():
        try:
            system = identity.set_record_number_system(
                clinic, numbers.cleaned_data["record_number_system"]
            )
        except InvalidInput as exc:
            numbers.add_error("record_number_system", exc.message)
        else:
            record(request, "update", clinic, detail=f"record-number system {system[:200]}")
            messages.success(request, f"Your clinic's record numbers are now read as {system}.")
            return redirect("ehrs:list")
    return _page(request, RegisterEhrForm(), numbers)


@lead_required
def deactivate(request: HttpRequest, registration_id: int) -> HttpResponse:
    found = get_object_or_404(
        EhrRegistration,
        pk=registration_id,
        clinic=request.user.clinic,  # type: ignore[union-attr]
    )
    if request.method == "POST":
        registration.deactivate(_actor(request), found)
        messages.success(request, f"{found.name} is deactivated: its calls are refused from now.")
    return redirect("ehrs:list")
