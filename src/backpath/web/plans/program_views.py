"""The home program tab of the clinician's plan page: its pictures, and swap / add /
re-dose / remove, each kept in the clinician's working draft with its ``PlanChange``
(``versions.save_edit``).

Like the other plan edits, every view finds the episode through ``Patient.objects.visible_to``
and records each read and write in the audit trail; a refused or invalid change shows the
program tab again with the message at the form and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from backpath.engine.plan_edits import Edit, EditRefused, Facts
from backpath.engine.stored_plan import StoredPlan
from backpath.errors import BackPathError
from backpath.exercises import load_exercises
from backpath.reports.figures import render_svg
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Episode
from backpath.web.plans import program_changes, program_display, versions
from backpath.web.plans.forms import (
    AddExerciseForm,
    RedoseForm,
    RemoveExerciseForm,
    SwapExerciseForm,
)
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.views import episode_for, latest_for_tab, latest_or_404, page_context

FIGURE_MAX_AGE = 24 * 3600


@login_required
@require_GET
def figure(request: HttpRequest, exercise: str, mode: str) -> HttpResponse:
    """An exercise's picture as an SVG file (library content, no patient data): linked rather
    than inlined, so the plan page stays light and the browser caches each picture once."""
    if mode not in program_display.PICTURE_MODES:
        raise Http404("Unknown picture mode.")
    try:
        svg = render_svg(exercise, mode)
    except BackPathError:
        raise Http404("No picture for this exercise.") from None
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = f"private, max-age={FIGURE_MAX_AGE}"
    return response


def _program_context(
    request: HttpRequest, episode: Episode, version: PlanVersion, bound: dict[str, Any]
) -> dict[str, Any]:
    """The program tab: only the edit forms asked for (``?change=`` an exercise id, or
    ``add``) or just posted, so the page stays light."""
    context = page_context(episode, version, editable=True, user=request.user)
    facts = versions.facts_for(episode) if context["editable"] else Facts()
    program = program_display.view(version.document, facts)
    if program:
        asked = str(bound.get("exercise") or request.GET.get("change", ""))
        if bound.get("action") == "add_exercise":
            asked = "add"
            program["bound"] = bound
        program["adding"] = asked == "add"
        for exercise in program["exercises"]:
            exercise["changing"] = exercise["id"] == asked
            if bound and exercise["id"] == bound.get("exercise"):
                exercise["bound"] = bound
                if bound["action"] == "redose_exercise":  # what was typed, and its errors
                    for f in exercise["dose_fields"]:
                        f["value"] = bound["data"].get(f["name"], f["value"])
                        f["errors"] = bound["errors"].get(f["name"], [])
    return context | {"program": program, "bound": bound}


@staff_required
def program_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The home program tab: exercises with pictures, dose and stop rules, and their edits."""
    episode, version, instead = latest_for_tab(request, episode_id, "plan home program")
    if instead is not None:
        return instead
    return render(request, "plans/program.html", _program_context(request, episode, version, {}))


def not_saved(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    action: str,
    form: Any,
    problem: str | None,
    *,
    exercise: str = "",
) -> HttpResponse:
    """The program tab again with the posted form's values, its errors and the refusal."""
    record(request, "read", version, patient=episode.patient, detail=f"plan {action}: not saved")
    anchor = f"exercise-{exercise}" if exercise else "program-add"
    bound = {"action": action, "exercise": exercise, "anchor": anchor, "errors": form.errors,
             "data": form.data, "problem": problem}  # fmt: skip
    context = _program_context(request, episode, version, bound)
    return render(request, "plans/program.html", context)


def _form(
    action: str, post: Any, current: PlanVersion, exercise: str, facts: Any
) -> AddExerciseForm | SwapExerciseForm | RedoseForm | RemoveExerciseForm:
    """The posted form, built with what the page offered for this version."""
    if action in ("swap_exercise", "add_exercise"):
        program = current.home_program
        phase = current.document.phase
        offered = program_display.eligible(phase, program, facts) if program else []
        choices = [(ex.id, ex.name) for ex in offered]
        if action == "add_exercise":
            return AddExerciseForm(post, choices=choices)
        return SwapExerciseForm(post, choices=choices)
    if action == "redose_exercise":
        program = current.home_program
        item = program.find(exercise) if program else None
        if item is None:
            raise EditRefused(f"'{exercise}' is not in the home program of this version.")
        library = load_exercises().get(exercise)
        return RedoseForm(post, fields=program_display.limit_fields(library, item.dose))
    return RemoveExerciseForm(post)


def _change(action: str, plan: StoredPlan, exercise: str, form: Any, facts: Any) -> Edit:
    data = form.cleaned_data
    if action == "swap_exercise":
        return program_changes.swap(plan, exercise, data["new"], data["reason"], facts)
    if action == "add_exercise":
        return program_changes.add(plan, data["exercise"], data["reason"], facts)
    if action == "redose_exercise":
        return program_changes.redose(
            plan, exercise, form.numbers(), data["reason"], timezone.localdate()
        )
    return program_changes.remove(plan, exercise, data["reason"])


def _program_edit(
    request: HttpRequest, episode_id: int, action: str, exercise: str = ""
) -> HttpResponse:
    episode = episode_for(request, episode_id)
    if request.method != "POST":
        return redirect("plans:program", episode_id=episode.pk)
    current = latest_or_404(episode)
    facts = versions.facts_for(episode)
    form: Any = RemoveExerciseForm(request.POST)  # replaced below unless the program is unreadable
    try:
        plan = versions.document_to_edit(current)
        program_changes.current_program(plan)
        form = _form(action, request.POST, current, exercise, facts)
        if not form.is_valid():
            return not_saved(request, episode, current, action, form, None, exercise=exercise)
        data = form.cleaned_data
        if data["version"] != current.number or (
            data["revision"] is not None and data["revision"] != current.revision
        ):
            raise versions.StaleVersion(current.number)
        edit = _change(action, plan, exercise, form, facts)
        with transaction.atomic():
            created = versions.save_edit(
                episode, data["version"], edit, data["reason"], request.user,
                revision=data["revision"],
            )  # fmt: skip
            record(
                request,
                "create",
                created,
                patient=episode.patient,
                detail=f"home program {action.removesuffix('_exercise')}: {edit.treatment}",
            )
    except EditRefused as exc:
        form.is_valid()  # so the page can show what was typed
        return not_saved(request, episode, current, action, form, exc.message, exercise=exercise)
    messages.success(
        request, f"{edit.summary} Kept in version {created.number}, your working draft."
    )
    shown = {"swap_exercise": "new", "add_exercise": "exercise"}.get(action)
    anchor = (
        "#home-program"
        if action == "remove_exercise"
        else f"#exercise-{form.cleaned_data[shown] if shown else exercise}"
    )
    return redirect(reverse("plans:program", kwargs={"episode_id": episode.pk}) + anchor)


@staff_required
def swap_exercise(request: HttpRequest, episode_id: int, exercise: str) -> HttpResponse:
    return _program_edit(request, episode_id, "swap_exercise", exercise)


@staff_required
def redose_exercise(request: HttpRequest, episode_id: int, exercise: str) -> HttpResponse:
    return _program_edit(request, episode_id, "redose_exercise", exercise)


@staff_required
def remove_exercise(request: HttpRequest, episode_id: int, exercise: str) -> HttpResponse:
    return _program_edit(request, episode_id, "remove_exercise", exercise)


@staff_required
def add_exercise(request: HttpRequest, episode_id: int) -> HttpResponse:
    return _program_edit(request, episode_id, "add_exercise")
