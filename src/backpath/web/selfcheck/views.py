"""Public self-check (red flags first, then the basics) and the clinic's request queue.

Nothing is stored for the clinic until the visitor submits a consultation request: answers
wait in the visitor's session (``progress``), and every step posts, then redirects to a page
that reads them back, so a reload never posts twice. Posting is rate-limited per address; a
honeypot field and a minimum fill-in time keep simple bots out.

Red flags that need emergency or same-day care stop the self-check with that advice at once,
and offer to have the clinic contact the visitor: such a request (and any request whose
triage needs a person) raises an alert at the clinic, to the clinic's leads.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from backpath.engine import assess_and_plan
from backpath.errors import InvalidInput
from backpath.exercises.advice import self_check_advice
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge
from backpath.reports.phases import phase_cutoffs
from backpath.web.accounts.access import staff_required
from backpath.web.accounts.models import Clinic
from backpath.web.alerts.notify import raise_alert
from backpath.web.audit.record import record
from backpath.web.patients.intake_forms import STEP_IDS
from backpath.web.patients.models import Episode, Intake, Patient
from backpath.web.selfcheck import progress, states
from backpath.web.selfcheck.forms import (
    MIN_SECONDS,
    BasicsForm,
    RequestForm,
    SelfCheckFlagsForm,
    intake_from,
)
from backpath.web.selfcheck.models import ConsultationRequest

STEP_RATE = "60/h"
SUBMIT_RATE = "5/h"


def rate_limited(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "selfcheck/rate_limited.html", status=429)


def _clinic(clinic_id: int) -> Clinic:
    return get_object_or_404(Clinic, pk=clinic_id)


def _see(name: str, clinic: Clinic) -> HttpResponseRedirect:
    """303 See Other: the browser fetches the next page with GET, so reloading it is safe."""
    return HttpResponseRedirect(reverse(f"selfcheck:{name}", args=[clinic.pk]), status=303)


@ratelimit(key="ip", rate=STEP_RATE, method="POST", block=True)
def start(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    if request.method == "POST":
        form = SelfCheckFlagsForm(request.POST)
        if form.is_valid():
            flags = {k: v == "yes" for k, v in form.cleaned_data.items()}
            act_now = red_flags.score(flags).disposition in ("emergency", "urgent_referral")
            progress.save(request, clinic.pk, {"flags": flags, "act_now": act_now})
            return _see("act_now" if act_now else "basics", clinic)
    else:
        state = progress.load(request, clinic.pk)  # back from a later page: answers kept
        flags = {} if state.get("sent") else state.get("flags") or {}
        answered = {k: "yes" if v else "no" for k, v in flags.items()}
        form = SelfCheckFlagsForm(initial=answered)
    return render(request, "selfcheck/start.html", {"clinic": clinic, "form": form})


def act_now(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    state = progress.load(request, clinic.pk)
    if not state.get("act_now") or state.get("sent"):
        return redirect("selfcheck:start", clinic_id=clinic.pk)
    _shown_now(request, clinic, state)
    return _act_now_page(request, clinic, state, RequestForm())


def _act_now_page(request: HttpRequest, clinic: Clinic, state: dict[str, Any],
                  form: RequestForm, status: int = 200) -> HttpResponse:  # fmt: skip
    triage = red_flags.score(state["flags"])
    return render(request, "selfcheck/act_now.html",
                  {"clinic": clinic, "triage": triage, "form": form}, status=status)  # fmt: skip


def _shown_now(request: HttpRequest, clinic: Clinic, state: dict[str, Any]) -> None:
    """When the request form was first shown: a human needs ``MIN_SECONDS`` to fill it in."""
    if "shown" not in state:
        progress.save(request, clinic.pk, {**state, "shown": time.time()})


@ratelimit(key="ip", rate=STEP_RATE, method="POST", block=True)
def basics(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    state = progress.load(request, clinic.pk)
    if "flags" not in state or state.get("act_now") or state.get("sent"):
        return redirect("selfcheck:start", clinic_id=clinic.pk)
    if request.method == "POST":
        form = BasicsForm(request.POST)
        if form.is_valid():
            answers = {k: str(v) if k == "duration_weeks" else v
                       for k, v in form.cleaned_data.items()}  # fmt: skip
            intake = intake_from(state["flags"], answers)
            progress.save(request, clinic.pk, {"flags": state["flags"], "act_now": False,
                                               "basics": answers, "intake": intake})  # fmt: skip
            return _see("options", clinic)
    else:
        form = BasicsForm(initial=state.get("basics"))
    return render(request, "selfcheck/basics.html", {"clinic": clinic, "form": form})


def options(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    state = progress.load(request, clinic.pk)
    if "intake" not in state or state.get("sent"):
        return redirect("selfcheck:start", clinic_id=clinic.pk)
    _shown_now(request, clinic, state)
    return _options(request, clinic, state["intake"], RequestForm())


def _options(request: HttpRequest, clinic: Clinic, intake: dict[str, Any], form: RequestForm,
             status: int = 200) -> HttpResponse:  # fmt: skip
    plan = assess_and_plan(intake)
    kb = load_knowledge()
    cards = {t.id: t for t in kb.treatments.values()}
    options = [{"item": r, "card": cards[r.treatment]} for r in plan.recommended]
    against = [n for n in plan.not_recommended if n.reason == "evidence_against"]
    return render(request, "selfcheck/options.html", {
        "clinic": clinic, "plan": plan, "options": options, "against": against,
        "form": form, "phase_cutoffs": phase_cutoffs()}, status=status)  # fmt: skip


@ratelimit(key="ip", rate=SUBMIT_RATE, method="POST", block=True)
def submit(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    state = progress.load(request, clinic.pk) if request.method == "POST" else {}
    if state.get("sent") or ("intake" not in state and not state.get("act_now")):
        return redirect("selfcheck:start", clinic_id=clinic.pk)
    flags = state["flags"] if state.get("act_now") else None
    if request.POST.get("website") or time.time() - float(state.get("shown", 0)) < MIN_SECONDS:
        # Looks automated: answer as if accepted, store nothing.
        progress.sent(request, clinic.pk, flags)
        return _see("thanks", clinic)
    form = RequestForm(request.POST)
    if not form.is_valid():  # shown again where the form is, with what was typed
        if flags is not None:
            return _act_now_page(request, clinic, state, form, status=400)
        return _options(request, clinic, state["intake"], form, status=400)
    if flags is not None:
        triage = red_flags.score(flags)
        answers: dict[str, Any] = {"schema": "backpath.intake/1", "red_flags": flags}
        disposition, actions = triage.disposition, [r.action for r in triage.reasons]
    else:
        answers = state["intake"]
        plan = assess_and_plan(answers).to_json_dict()
        disposition, actions = plan["triage"]["disposition"], plan["triage"]["actions"]
    with transaction.atomic():
        req = ConsultationRequest.objects.create(
            clinic=clinic, name=form.cleaned_data["name"], email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"], message=form.cleaned_data["message"],
            answers=answers, disposition=disposition,
        )  # fmt: skip
    _alert_for_request(request, req, disposition, actions)
    progress.sent(request, clinic.pk, flags)
    return _see("thanks", clinic)


def thanks(request: HttpRequest, clinic_id: int) -> HttpResponse:
    clinic = _clinic(clinic_id)
    state = progress.load(request, clinic.pk)
    if not state.get("sent"):
        return redirect("selfcheck:start", clinic_id=clinic.pk)
    triage = red_flags.score(state["flags"]) if state.get("flags") else None
    return render(request, "selfcheck/thanks.html", {"clinic": clinic, "triage": triage})


def _alert_for_request(
    request: HttpRequest, req: ConsultationRequest, disposition: str, actions: list[str]
) -> None:
    """An alert for a request whose triage needs a person (emergency or same day)."""
    flags = [f for f, present in (req.answers.get("red_flags") or {}).items() if present]
    raise_alert(
        None,  # an anonymous visitor: the request itself is the record
        clinic=req.clinic,
        origin="selfcheck",
        advice=self_check_advice(disposition, [str(a) for a in actions]),
        reported=f"Self-check request from {req.name} ({req.email or req.phone}): "
        f"{disposition.replace('_', ' ')}; red flags: {', '.join(flags) or 'none'}",
        key=f"selfcheck:{req.pk}",
        consultation_request=req,
    )


OPEN = (states.NEW, states.CONTACTED)
SHOWN = {"open": "New and contacted", "booked": "Booked", "declined": "Declined",
         "spam": "Spam", "all": "All"}  # fmt: skip


@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    """The clinic's requests, newest first, those with red flags marked; open ones by default."""
    shown = request.GET.get("show", "open")
    shown = shown if shown in SHOWN else "open"
    requests = ConsultationRequest.objects.filter(clinic_id=request.user.clinic_id)  # type: ignore[union-attr]
    if shown == "open":
        requests = requests.filter(status__in=OPEN)
    elif shown != "all":
        requests = requests.filter(status=shown)
    record(request, "read", None, detail="consultation request queue")
    page = Paginator(requests.order_by("-created", "-id").prefetch_related("changes__by"),
                     50).get_page(request.GET.get("page"))  # fmt: skip
    rows = [(r, [(s, states.ACTION_LABELS[s]) for s in states.NEXT.get(r.status, ())])
            for r in page]  # fmt: skip
    return render(request, "selfcheck/queue.html",
                  {"page": page, "rows": rows, "shown": shown, "choices": SHOWN})  # fmt: skip


def _request_for(request: HttpRequest, request_id: int) -> ConsultationRequest:
    return get_object_or_404(ConsultationRequest, pk=request_id,
                             clinic_id=request.user.clinic_id)  # type: ignore[union-attr]  # fmt: skip


@require_POST
@staff_required
def change_status(request: HttpRequest, request_id: int) -> HttpResponse:
    req = _request_for(request, request_id)
    try:
        change = states.move(req, request.POST.get("status", ""), request.user,
                             request.POST.get("note", ""))  # fmt: skip
    except InvalidInput as exc:
        messages.error(request, f"Not changed: {exc}")
        return redirect("selfcheck:queue")
    record(request, "update", req, detail=f"request {change.old} -> {change.new}")
    messages.success(request, f"{req.name}: {req.get_status_display().lower()}.")
    return redirect("selfcheck:queue")


@staff_required
def convert(request: HttpRequest, request_id: int) -> HttpResponse:
    """Turn a request into a patient, an episode and an intake, without retyping: the contact
    details go to the patient, the answers to the intake, and the request is booked."""
    req = _request_for(request, request_id)
    if request.method != "POST" or req.status not in OPEN:
        return redirect("selfcheck:queue")
    answers = req.answers
    if "age" not in (answers.get("patient") or {}):
        messages.error(
            request,
            "This request holds red-flag answers only (the self-check stopped for urgent "
            "care): add the person as a patient by hand.",
        )
        return redirect("selfcheck:queue")
    given, _, family = req.name.strip().partition(" ")
    with transaction.atomic():
        patient = Patient.objects.create(
            clinic=req.clinic, given_name=given or req.name, family_name=family or "-",
            birth_year=timezone.localdate().year - int(answers["patient"]["age"]),
            email=req.email, mobile=req.phone[:32], created_by=request.user,
        )  # fmt: skip
        episode = Episode.objects.create(patient=patient, clinician=request.user)
        data = {k: v for k, v in answers.items() if k in ("episode", "pain", "red_flags",
                                                           "preferences")}  # fmt: skip
        Intake.objects.create(
            episode=episode,
            data=data,
            completed_steps=[s for s in STEP_IDS if s in ("pain", "red_flags", "preferences")],
        )
        req.patient = patient
        req.save(update_fields=["patient"])
        states.move(req, states.BOOKED, request.user,
                    "Added as a patient from the request.")  # fmt: skip
        record(request, "create", patient, patient=patient, detail=f"from request {req.pk}")
    return redirect("patients:intake", episode_id=episode.pk, step=STEP_IDS[0])
