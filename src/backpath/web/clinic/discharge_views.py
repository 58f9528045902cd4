"""Discharge and letters: close an episode with its outcome against baseline, and the
referral letter, discharge summary and patient summary as one-page PDFs (rendered in the
background; every letter downloaded is in the audit trail)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backpath.errors import InvalidInput
from backpath.web import lookups
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.clinic import discharge as closing
from backpath.web.clinic.letters import DEFAULT_IF_RETURNS, DEFAULT_QUESTION, outcome_lines
from backpath.web.plans import printouts, versions
from backpath.web.plans.models import Printout
from backpath.web.plans.views import pdf_pending

LETTERS = {"referral": "Referral letter", "discharge": "Discharge summary",
           "summary": "Patient summary"}  # fmt: skip


class DischargeForm(forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=closing.REASONS, widget=forms.RadioSelect)
    if_pain_returns = forms.CharField(
        label="What to do if the pain returns", widget=forms.Textarea(attrs={"rows": 4}),
        initial=DEFAULT_IF_RETURNS, max_length=4000,
    )  # fmt: skip


@staff_required
def discharge(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = lookups.episode_for(request.user, episode_id)
    version = versions.latest(episode)
    if episode.closed is not None:
        return redirect("patients:detail", patient_id=episode.patient_id)
    form = DischargeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closing.discharge(episode, form.cleaned_data["reason"],
                              form.cleaned_data["if_pain_returns"], request.user)  # fmt: skip
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            record(request, "update", episode, patient=episode.patient,
                   detail=f"discharged: {form.cleaned_data['reason']}")  # fmt: skip
            messages.success(request, "The episode is closed. The discharge summary is below.")
            return redirect("patients:detail", patient_id=episode.patient_id)
    outcome = outcome_lines(episode, version.document) if version and not version.unreadable \
        else []  # fmt: skip
    waiting = episode.questionnaires.filter(purpose="discharge", completed__isnull=True)
    return render(request, "patients/discharge.html", {
        "episode": episode, "patient": episode.patient, "form": form, "outcome": outcome,
        "waiting": waiting.exists(), "today": timezone.localdate(),
    }, status=400 if request.method == "POST" else 200)  # fmt: skip


@require_POST
@staff_required
def referral_question(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The question the referral letter asks; a new question makes a new letter."""
    episode = lookups.episode_for(request.user, episode_id)
    question = request.POST.get("question", "").strip()[:2000]
    type(episode).objects.filter(pk=episode.pk).update(referral_question=question)
    Printout.objects.filter(version__episode=episode, kind="referral").delete()
    return redirect(reverse("patients:letter", args=[episode.pk, "referral"]))


@staff_required
def letter(request: HttpRequest, episode_id: int, kind: str) -> HttpResponse:
    episode = lookups.episode_for(request.user, episode_id)
    if kind not in LETTERS:
        raise Http404("No such letter.")
    version = versions.latest(episode)
    if version is None or version.unreadable:
        messages.error(request, "A letter needs a readable plan: complete the intake first.")
        return redirect("patients:detail", patient_id=episode.patient_id)
    if kind == "discharge" and episode.closed is None:
        messages.error(request, "Discharge the episode first.")
        return redirect("patients:detail", patient_id=episode.patient_id)
    if kind == "referral" and request.GET.get("ask") == "1":
        return render(request, "patients/referral_question.html", {
            "episode": episode, "patient": episode.patient,
            "question": episode.referral_question or DEFAULT_QUESTION})  # fmt: skip
    pdf = printouts.ready_or_queue(version, kind)
    back = reverse("patients:detail", args=[episode.patient_id])
    if pdf is None:
        return pdf_pending(request, LETTERS[kind].lower(), back)
    record(request, "export", episode, patient=episode.patient, detail=f"{LETTERS[kind]} PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="backpath-{kind}-episode-{episode.pk}.pdf"')  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response
