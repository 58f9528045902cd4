"""Patient pages: reminder settings, the plan as a calendar file, and its secret feed link.

The record is found from the login, never from the URL (as in the diary), so the calendar
download of one patient can never give another patient's plan. The subscribed feed
(``/me/calendar/<secret>.ics``) needs no sign-in: the secret alone names the patient
(``reminders.feed``), and a stopped or unknown secret gets the same 404.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from backpath.reports.calendar import CalendarFor, empty_calendar, program_calendar
from backpath.web import lookups
from backpath.web.accounts.access import patient_required
from backpath.web.audit.record import client_ip, record, record_event
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.reminders import feed
from backpath.web.reminders.forms import ReminderForm
from backpath.web.reminders.models import ReminderPreference, ReminderSent

RECENT = 7
FEED_SECRET = "reminders:new_feed"
"""Session key holding a new link's secret until the settings page has shown it once."""
FEED_PATH = "/me/calendar/(secret).ics"


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
    live = feed.live_feed(patient)
    secret = request.session.pop(FEED_SECRET, None) if live else None
    url = request.build_absolute_uri(reverse("reminders:feed", args=[secret])) if secret else ""
    return render(
        request,
        "reminders/settings.html",
        {
            "form": form,
            "has_plan": version is not None,
            "recent": recent,
            "feed": live,
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1] if url else "",
        },
    )


def _today_url(request: HttpRequest) -> str | None:
    try:
        return request.build_absolute_uri(reverse("care:today"))
    except NoReverseMatch:
        return None


def _owner(request: HttpRequest, patient: Patient, version: PlanVersion) -> CalendarFor:
    preference = _preference(patient)
    zone = preference.zone()
    made = version.published or version.created
    return CalendarFor(
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


def _patient_today(patient: Patient) -> dt.date:
    return timezone.localdate(timezone.now(), _preference(patient).zone())


def _ics(ics: bytes, attachment: bool) -> HttpResponse:
    response = HttpResponse(ics, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = 'attachment; filename="backpath-plan.ics"'
    return response


@patient_required
def program_ics(request: HttpRequest) -> HttpResponse:
    patient, version = _mine(request)
    ics = None
    if version is not None:
        ics = program_calendar(version.document, _owner(request, patient, version))
    if ics is None:
        record(request, "read", patient, patient=patient, detail="calendar file: none")
        return render(request, "reminders/no_calendar.html", {"has_plan": version}, status=404)
    record(request, "export", version, patient=patient, detail="calendar file (.ics)")
    return _ics(ics, attachment=True)


@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The subscribed calendar: no sign-in, the secret is the key. While there is no plan or
    nothing left to come it is an empty calendar, so the subscription is kept."""
    patient = feed.patient_for(secret)
    if patient is None:
        raise Http404("No such calendar.")
    version = lookups.published_version(patient.current_episode())
    ics = None
    if version is not None:
        owner = _owner(request, patient, version)
        ics = program_calendar(version.document, owner, _patient_today(patient))
    if ics is None:
        owner = CalendarFor(
            clinic=patient.clinic.name, patient=str(patient), uid_base=f"patient-{patient.pk}",
            start=_patient_today(patient), zone=_preference(patient).zone(), at=dt.time(8),
            stamp=timezone.now(),
        )  # fmt: skip
        ics = empty_calendar(owner)
    record_event(
        None, "export", version or patient, patient=patient, detail="calendar feed (secret link)",
        path=FEED_PATH, method="GET", ip=client_ip(request),  # never the secret itself
    )  # fmt: skip
    return _ics(ics, attachment=False)


@patient_required
@require_POST
def feed_new(request: HttpRequest) -> HttpResponse:
    patient, _version = _mine(request)
    made, secret = feed.make_new(patient)
    request.session[FEED_SECRET] = secret
    record(request, "create", made, patient=patient, detail="calendar link made")
    messages.success(request, "Your new calendar link is ready below. Any older link has stopped.")
    return redirect(reverse("reminders:settings") + "#calendar")


@patient_required
@require_POST
def feed_stop(request: HttpRequest) -> HttpResponse:
    patient, _version = _mine(request)
    stopped = feed.stop(patient)
    request.session.pop(FEED_SECRET, None)
    if stopped is not None:
        record(request, "update", stopped, patient=patient, detail="calendar link stopped")
        messages.success(request, "Your calendar link has stopped working.")
    else:
        messages.info(request, "You had no calendar link to stop.")
    return redirect(reverse("reminders:settings") + "#calendar")
