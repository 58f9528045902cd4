"""Patient pages: reminder settings, and the plan as a calendar file.

The record is found from the login, never from the URL (as in the diary), so the calendar
link of one patient can never give another patient's plan.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from backpath.reports.calendar import CalendarFor, program_calendar
from backpath.web import lookups
from backpath.web.accounts.access import patient_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.reminders.forms import ReminderForm
from backpath.web.reminders.models import ReminderPreference, ReminderSent

RECENT = 7


def _mine(request: HttpRequest) -> tuple[Patient, PlanVersion | None]:
    patient, _episode, version = lookups.own_record(request.user)
    return patient, version


def _preference(patient: Patient) -> ReminderPreference:
    """The saved preference, or the unsaved defaults (off; the login's email address)."""
    try:
        return patient.reminder_preference
    except ReminderPreference.DoesNotExist:
        email = patient.user.email if patient.user else ""
        return ReminderPreference(patient=patient, email=email)


@patient_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    patient, version = _mine(request)
    preference = _preference(patient)
    if request.method == "POST":
        form = ReminderForm(request.POST, instance=preference)
        if form.is_valid():
            saved = form.save()
            record(request, "update", saved, patient=patient, detail="reminder settings")
            state = f"on, at {saved.hour:02d}:00" if saved.enabled else "off"
            messages.success(request, f"Saved: email reminders are {state}.")
            return redirect("reminders:settings")
    else:
        form = ReminderForm(instance=preference)
    record(request, "read", patient, patient=patient, detail="reminder settings")
    recent = ReminderSent.objects.filter(patient=patient).order_by("-on")[:RECENT]
    return render(
        request,
        "reminders/settings.html",
        {"form": form, "has_plan": version is not None, "recent": recent},
    )


def _today_url(request: HttpRequest) -> str | None:
    try:
        return request.build_absolute_uri(reverse("care:today"))
    except NoReverseMatch:
        return None


@patient_required
def program_ics(request: HttpRequest) -> HttpResponse:
    patient, version = _mine(request)
    ics = None
    if version is not None:
        preference = _preference(patient)
        zone = preference.zone()
        made = version.published or version.created
        owner = CalendarFor(
            clinic=patient.clinic.name,
            patient=str(patient),
            uid_base=f"episode-{version.episode_id}.clinic-{patient.clinic_id}",
            start=timezone.localtime(made, zone).date(),
            zone=zone,
            at=dt.time(preference.hour),
            stamp=made,
            sequence=version.number,
            today_url=_today_url(request),
        )
        ics = program_calendar(version.document, owner)
    if ics is None:
        record(request, "read", patient, patient=patient, detail="calendar file: none")
        return render(request, "reminders/no_calendar.html", {"has_plan": version}, status=404)
    record(request, "export", version, patient=patient, detail="calendar file (.ics)")
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="backpath-plan.ics"'
    return response
