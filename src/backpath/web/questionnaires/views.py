"""Pages: the clinician sends questionnaires and confirms what came back; the patient fills
them in through a one-time link (no account needed, made for a phone) or in their app."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from backpath.errors import Conflict, InvalidInput
from backpath.web import lookups
from backpath.web.accounts.access import patient_required, staff_required
from backpath.web.audit.record import record
from backpath.web.questionnaires import answering, confirming, sending
from backpath.web.questionnaires.forms import FillForm
from backpath.web.questionnaires.models import QuestionnaireRequest
from backpath.web.questionnaires.offered import DEFAULTS, choices


class SendForm(forms.Form):
    purpose = forms.ChoiceField(label="What for", choices=QuestionnaireRequest.Purpose.choices)
    instruments = forms.MultipleChoiceField(
        label="Questionnaires", choices=choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one questionnaire."},
    )  # fmt: skip
    channel = forms.ChoiceField(label="How", choices=QuestionnaireRequest.Channel.choices,
                                widget=forms.RadioSelect)  # fmt: skip


@staff_required
def send(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = lookups.patient_for(request.user, patient_id)
    episode = patient.current_episode()
    if episode is None:
        messages.error(request, "Open an episode before sending questionnaires.")
        return redirect("patients:detail", patient_id=patient.pk)
    initial = {"purpose": "intake", "instruments": list(DEFAULTS["intake"]),
               "channel": "email" if patient.email else "link"}  # fmt: skip
    form = SendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            req, link = sending.send(episode, d["instruments"], d["purpose"], d["channel"],
                                     request.user)  # fmt: skip
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request, "create", req, patient=patient, detail=f"questionnaires sent by "
                   f"{req.channel}: {', '.join(req.instruments)}")  # fmt: skip
            if req.channel == "link":
                qr = segno.make(link, error="m").svg_inline(scale=4, title="QR code of the link")
                return render(request, "questionnaires/link.html",
                              {"patient": patient, "req": req, "link": link, "qr": qr})  # fmt: skip
            messages.success(request, f"Questionnaires sent to {patient} "
                             f"({req.get_channel_display().lower()}).")  # fmt: skip
            return redirect("patients:detail", patient_id=patient.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "questionnaires/send.html", {"patient": patient, "form": form},
                  status=status)  # fmt: skip


@require_POST
@staff_required
def confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    req = get_object_or_404(QuestionnaireRequest, pk=request_id,
                            patient__clinic_id=request.user.clinic_id)  # type: ignore[union-attr]  # fmt: skip
    try:
        confirming.confirm(request, req, request.user)
    except InvalidInput as exc:
        messages.error(request, f"Not confirmed: {exc.message}")
    else:
        where = "the intake" if req.purpose == "intake" else "the diary for the review"
        record(
            request, "update", req, patient=req.patient, detail=f"answers confirmed into {where}"
        )
        messages.success(request, f"The patient's answers are now in {where}.")
    return redirect("patients:detail", patient_id=req.patient_id)


def _fill(request: HttpRequest, req: QuestionnaireRequest, via_app: bool) -> HttpResponse:
    form = FillForm(request.POST or None, instruments_asked=list(req.instruments))
    context = {"req": req, "form": form, "clinic": req.patient.clinic, "via_app": via_app}
    if request.method == "POST" and form.is_valid():
        try:
            done = answering.submit(request, req, form.answers())
        except Conflict:  # answered in another tab a moment ago
            return render(request, "questionnaires/gone.html", context, status=410)
        except InvalidInput as exc:
            form.add_error(None, str(exc))
        else:
            return render(request, "questionnaires/done.html",
                          {**context, "advice": done.advice, "alerted": done.alerted})  # fmt: skip
    status = 400 if request.method == "POST" else 200
    return render(request, "questionnaires/fill.html", context, status=status)


@ratelimit(key="ip", rate="30/h", method="POST", block=True)
def fill(request: HttpRequest, secret: str) -> HttpResponse:
    """The one-time link: works without an account until answered or expired."""
    req = (
        QuestionnaireRequest.objects.select_related("patient__clinic")
        .filter(token_hash=sending.digest(secret), expires__gt=timezone.now())
        .first()
    )
    if req is None or req.completed is not None:
        return render(request, "questionnaires/gone.html", {}, status=410)
    return _fill(request, req, via_app=False)


@patient_required
def fill_in_app(request: HttpRequest, request_id: int) -> HttpResponse:
    req = (
        QuestionnaireRequest.objects.select_related("patient__clinic")
        .filter(pk=request_id, patient__user=request.user, completed__isnull=True)
        .first()
    )
    if req is None:
        raise Http404("No such questionnaire is waiting for you.")
    return _fill(request, req, via_app=True)
