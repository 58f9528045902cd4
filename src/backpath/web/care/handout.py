"""The home program as a printable handout: an HTML page and the same page as a PDF.

Each exercise is drawn as two numbered frames (start and end pose; print runs no animation)
with its dose, days, steps and stop rules, then the walking goal and the warning signs. The
PDF inlines the stylesheet and fetches nothing (``reports.pdf``). ``handout_html``
and ``pdf_response`` take any (patient, version), so a clinician's page can offer the same
handout; the caller checks access and records the audit event.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from backpath import DISCLAIMER, __version__
from backpath.reports import plain_plan
from backpath.reports.exercise_cards import cards, general_stop_rules
from backpath.web import lookups
from backpath.web.accounts.access import patient_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Patient
from backpath.web.plans import printouts
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.pdf import PROGRAM_STYLESHEET, render_pdf, stylesheet
from backpath.web.plans.views import pdf_pending


def handout_html(
    patient: Patient,
    version: PlanVersion,
    *,
    request: HttpRequest | None = None,
    inline_css: bool = False,
    links: dict[str, str] | None = None,
) -> str:
    """The handout page of ``version``'s home program.

    ``links`` (label -> URL) are shown on screen only; ``inline_css`` is for the PDF.

    Raises:
        Http404: the version has no home program.
    """
    program = version.home_program
    if program is None:
        raise Http404("This plan has no home exercise program.")
    context: dict[str, Any] = {
        "patient": patient,
        "version": version,
        "program": program,
        "cards": cards(program, animated=False),
        "general_stop_rules": general_stop_rules(program),
        "walking": program.walking_goal,
        "warning_signs": plain_plan.warning_signs(),
        "printed": timezone.localtime(),
        "inline_css": stylesheet(PROGRAM_STYLESHEET) if inline_css else "",
        "links": links or {},
        # Also set by the context processor, which needs a request; a PDF made without one
        # must still carry the disclaimer.
        "disclaimer": DISCLAIMER,
        "backpath_version": __version__,
    }
    return render_to_string("care/handout.html", context, request=request)


def pdf_filename(version: PlanVersion) -> str:
    return f"backpath-home-program-v{version.number}-{timezone.localdate():%Y-%m-%d}.pdf"


def handout_pdf_bytes(version: PlanVersion) -> bytes:
    """The handout PDF of ``version`` (rendered by the background worker: ``printouts``)."""
    return render_pdf(handout_html(version.episode.patient, version, inline_css=True))


def pdf_response(patient: Patient, version: PlanVersion, request: HttpRequest) -> HttpResponse:
    """The handout as a PDF download once the background worker has made it, else the page
    that waits for it (raises ``Http404`` when the version has no home program)."""
    if version.home_program is None:
        raise Http404("This plan has no home exercise program.")
    pdf = printouts.ready_or_queue(version, "handout")
    if pdf is None:
        return pdf_pending(request, "your home program", reverse("care:handout"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(version)}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _published(request: HttpRequest) -> tuple[Patient, PlanVersion]:
    patient, _episode, version = lookups.own_record(request.user)
    if version is None:
        raise Http404("Your clinic has not shared a plan with you yet.")
    return patient, version


@patient_required
def handout(request: HttpRequest) -> HttpResponse:
    """The patient's printable handout of the published program."""
    patient, version = _published(request)
    page = handout_html(
        patient,
        version,
        request=request,
        links={
            "Download as PDF": reverse("care:handout_pdf"),
            "Back to today's exercises": reverse("care:today"),
        },
    )
    record(request, "read", version, patient=patient, detail="home program handout")
    return HttpResponse(page)


@patient_required
def handout_pdf(request: HttpRequest) -> HttpResponse:
    patient, version = _published(request)
    response = pdf_response(patient, version, request)
    record(request, "export", version, patient=patient, detail="home program handout PDF")
    return response


@patient_required
def summary_pdf(request: HttpRequest) -> HttpResponse:
    """The patient's one-page summary of the published plan (rendered in the background)."""
    patient, version = _published(request)
    pdf = printouts.ready_or_queue(version, "summary")
    if pdf is None:
        return pdf_pending(request, "your one-page summary", reverse("care:my_plan"))
    record(request, "export", version, patient=patient, detail="patient summary PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="backpath-my-plan-summary.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
