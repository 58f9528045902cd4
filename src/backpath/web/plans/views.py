"""Plan pages for clinic staff: the plan, its edits and publishing, history, print and PDF.

Every view finds the episode through ``Patient.objects.visible_to`` (another clinic's → 404;
a patient → 403 from ``staff_required``) and records each read and write in the audit trail.
Edits go through ``backpath.engine.plan_edits`` (what may change: the domain's safety rules)
and ``versions`` (how it is stored).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse

from backpath import DISCLAIMER, __version__
from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import EditRefused, Facts
from backpath.exercises import load_exercises
from backpath.knowledge import load_knowledge
from backpath.web import lookups
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Episode
from backpath.web.plans import display, printouts, program_display, versions
from backpath.web.plans.forms import DROP_CHOICES, AcceptForm, AddForm, DropForm, PublishForm
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.pdf import render_pdf, stylesheet


def episode_for(request: HttpRequest, episode_id: int) -> Episode:
    return lookups.episode_for(request.user, episode_id)


def _version(episode: Episode, number: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("created_by"), episode=episode, number=number
    )


def latest_or_404(episode: Episode) -> PlanVersion:
    version = versions.latest(episode)
    if version is None:
        raise Http404("This episode has no plan yet.")
    return version


def _plan_context(
    episode: Episode,
    version: PlanVersion,
    latest_number: int,
    facts: Facts,
    *,
    print_pictures: bool = False,
) -> dict[str, Any]:
    plan = version.document
    return {
        "episode": episode,
        "patient": episode.patient,
        "version": version,
        "latest_number": latest_number,
        "is_latest": version.number == latest_number,
        "plan": plan,
        "triage": display.triage(plan),
        "lines": display.lines(plan),
        "left_out": display.left_out(plan, facts),
        "verdicts": display.verdicts(plan),
        "references": display.references(plan),
        "program": program_display.view(plan, facts, inline_pictures=print_pictures),
    }


def _open_program_forms(
    request: HttpRequest, context: dict[str, Any], bound: dict[str, Any]
) -> None:
    """Mark which program edit forms the page carries: only those asked for (``?change=`` an
    exercise id, or ``add``) or just posted, so the plan page stays light."""
    program = context["program"]
    if not program:
        return
    asked = str(bound.get("exercise") or request.GET.get("change", ""))
    if bound.get("action") == "add_exercise":
        asked = "add"
    program["adding"] = asked == "add"
    for exercise in program["exercises"]:
        exercise["changing"] = exercise["id"] == asked


def _unreadable(request: HttpRequest, episode: Episode, version: PlanVersion) -> HttpResponse:
    """A version whose stored document cannot be read: say so and what to do, never a 500."""
    context = {"episode": episode, "version": version, "problem": version.unreadable}
    return render(request, "plans/unreadable.html", context, status=200)


def _render_plan(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    *,
    editable: bool,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    if version.unreadable:
        return _unreadable(request, episode, version)
    latest = versions.latest(episode)
    latest_number = latest.number if latest else version.number
    facts = versions.facts_for(episode) if editable else Facts()
    context = _plan_context(episode, version, latest_number, facts)
    is_latest = context["is_latest"]
    context |= {
        "editable": editable and is_latest,
        "edit_refusal": editing.edit_refusal(version.document),
        "publishable": editable and is_latest and version.status != PlanVersion.Status.PUBLISHED,
        "bound": bound or {},
        "drop_choices": DROP_CHOICES,
        "published_number": episode.plan_versions.filter(status=PlanVersion.Status.PUBLISHED)
        .values_list("number", flat=True)
        .first(),
    }
    _open_program_forms(request, context, bound or {})
    if bound:  # a posted form that was not saved: show its values and errors at its item
        for group in (*[line["items"] for line in context["lines"]], context["left_out"]):
            for item in group:
                if item["treatment"] == bound.get("treatment"):
                    item["bound"] = bound
        program = context["program"]
        if program and bound.get("exercise"):
            for exercise in program["exercises"]:
                if exercise["id"] == bound["exercise"]:
                    exercise["bound"] = bound
                    if bound["action"] == "redose_exercise":  # what was typed, its errors
                        for f in exercise["dose_fields"]:
                            f["value"] = bound["data"].get(f["name"], f["value"])
                            f["errors"] = bound["errors"].get(f["name"], [])
        if program and bound.get("action") == "add_exercise":
            program["bound"] = bound
    return render(request, "plans/plan.html", context)


@staff_required
def plan_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The latest version of the episode's plan, with the edit and publish forms."""
    episode = episode_for(request, episode_id)
    version = versions.latest(episode)
    if version is None:
        record(request, "read", episode, patient=episode.patient, detail="plan page: no plan")
        return render(request, "plans/no_plan.html", {"episode": episode})
    record(request, "read", version, patient=episode.patient, detail="plan page")
    return _render_plan(request, episode, version, editable=True)


@staff_required
def version_page(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """Any version, read-only."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    record(request, "read", version, patient=episode.patient, detail=f"plan version {number}")
    return _render_plan(request, episode, version, editable=False)


def not_saved(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    action: str,
    treatment: str,
    form: Any,
    problem: str | None,
    *,
    exercise: str = "",
) -> HttpResponse:
    """The plan page again with the posted form's values, its errors and the refusal."""
    record(request, "read", version, patient=episode.patient, detail=f"plan {action}: not saved")
    if exercise:
        anchor = f"exercise-{exercise}"
    elif action == "add_exercise":
        anchor = "program-add"
    else:
        anchor = f"item-{treatment}" if treatment else ""
    bound = {
        "action": action,
        "treatment": treatment,
        "exercise": exercise,
        "anchor": anchor,
        "errors": form.errors,
        "data": form.data,
        "problem": problem,
    }
    return _render_plan(request, episode, version, editable=True, bound=bound)


def _edit(request: HttpRequest, episode_id: int, treatment: str, action: str) -> HttpResponse:
    episode = episode_for(request, episode_id)
    if request.method != "POST":
        return redirect("plans:plan", episode_id=episode.pk)
    current = latest_or_404(episode)
    if current.unreadable:
        return _unreadable(request, episode, current)
    plan = current.document
    facts = versions.facts_for(episode)
    form: AcceptForm | DropForm | AddForm
    if action == "add":
        lines = editing.allowed_lines(plan, treatment) or editing.LINES
        form = AddForm(request.POST, lines=lines)
    else:
        form = DropForm(request.POST) if action == "drop" else AcceptForm(request.POST)
    if not form.is_valid():
        return not_saved(request, episode, current, action, treatment, form, None)
    data = form.cleaned_data
    try:
        if data["version"] != current.number:
            raise versions.StaleVersion(current.number)
        if action == "accept":
            edit = editing.accept(plan, treatment, data["reason"])
        elif action == "drop":
            edit = editing.drop(plan, treatment, data["drop_reason"], data["reason"])
        else:
            edit = editing.add(plan, treatment, data["line"], data["reason"], facts)
        with transaction.atomic():
            created = versions.save_edit(
                episode, data["version"], edit, data["reason"], request.user
            )
            record(
                request,
                "create",
                created,
                patient=episode.patient,
                detail=f"plan {action}: {treatment}",
            )
    except EditRefused as exc:
        return not_saved(request, episode, current, action, treatment, form, exc.message)
    messages.success(
        request,
        f"Saved as version {created.number} (draft). {edit.summary} "
        "Publish it when the plan is ready for the patient.",
    )
    return redirect("plans:plan", episode_id=episode.pk)


@staff_required
def accept_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "accept")


@staff_required
def drop_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "drop")


@staff_required
def add_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "add")


@staff_required
def publish(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Publish the latest version to the patient (POST; the note is optional)."""
    episode = episode_for(request, episode_id)
    if request.method != "POST":
        return redirect("plans:plan", episode_id=episode.pk)
    current = latest_or_404(episode)
    form = PublishForm(request.POST)
    problem = None
    if form.is_valid():
        try:
            with transaction.atomic():
                version = versions.publish(
                    episode, form.cleaned_data["version"], form.cleaned_data["note"], request.user
                )
                record(request, "update", version, patient=episode.patient, detail="plan published")
        except EditRefused as exc:
            problem = exc.message
        else:
            messages.success(request, f"Version {version.number} is published to the patient.")
            return redirect("plans:plan", episode_id=episode.pk)
    return not_saved(request, episode, current, "publish", "", form, problem)


@staff_required
def history(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Every version with its status, author, summary and the recorded changes."""
    episode = episode_for(request, episode_id)
    all_versions = list(
        episode.plan_versions.order_by("-number")
        .select_related("created_by")
        .prefetch_related("changes__created_by")
    )
    names = {eid: e.name for eid, e in load_exercises().items()}  # home program changes
    names |= {tid: t.name for tid, t in load_knowledge().treatments.items()}
    rows = [
        {
            "version": v,
            "changes": [
                {"change": c, "name": names.get(c.treatment, c.treatment)} for c in v.changes.all()
            ],
        }
        for v in all_versions
    ]
    record(request, "read", episode, patient=episode.patient, detail="plan history")
    return render(request, "plans/history.html", {"episode": episode, "rows": rows})


def _printable(
    request: HttpRequest | None, episode: Episode, version: PlanVersion, inline_css: bool
) -> str:
    latest = versions.latest(episode)
    context = _plan_context(
        episode, version, latest.number if latest else 0, Facts(), print_pictures=True
    )
    context |= {
        "editable": False,
        "printing": True,
        "inline_css": stylesheet() if inline_css else "",
        # Also set by the context processor, which needs a request; the PDF is made without.
        "disclaimer": DISCLAIMER,
        "backpath_version": __version__,
    }
    return render_to_string("plans/print.html", context, request=request)


def plan_pdf_bytes(version: PlanVersion) -> bytes:
    """The version's plan PDF (rendered by the background worker: ``printouts``)."""
    return render_pdf(_printable(None, version.episode, version, inline_css=True))


def pdf_pending(request: HttpRequest, what: str, back: str) -> HttpResponse:
    """The page shown while a PDF is prepared in the background (it reloads itself)."""
    return render(request, "plans/pdf_pending.html", {"what": what, "back": back}, status=202)


@staff_required
def print_page(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """A version as a printable page: no navigation, print styles, the disclaimer."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    if version.unreadable:
        return _unreadable(request, episode, version)
    record(request, "read", version, patient=episode.patient, detail=f"plan v{number} print")
    return HttpResponse(_printable(request, episode, version, inline_css=False))


@staff_required
def plan_pdf(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """A version as a PDF download (WeasyPrint), recorded as an export."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    if version.unreadable:
        return _unreadable(request, episode, version)
    pdf = printouts.ready_or_queue(version, "plan")
    if pdf is None:
        back = reverse("plans:version", args=[episode.pk, number])
        return pdf_pending(request, f"version {number} of the plan", back)
    record(request, "export", version, patient=episode.patient, detail=f"plan v{number} PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"backpath-plan-episode-{episode.pk}-v{version.number}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
