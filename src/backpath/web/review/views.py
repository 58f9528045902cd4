"""The clinician's review: baseline against now, responder status, and the engine's
adaptation suggestions, accepted into a new draft plan version; and the home program's
progression suggestions from the exercise log, each accepted on its own into a new draft.

The patient's open alerts come first, and while one is open no exercise is progressed: a
'progress' suggestion is shown as held, and cannot be accepted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from pydantic import ValidationError

from backpath.engine.adapt import PlanRevision, adapt
from backpath.engine.exercise_progress import (
    APPLICABLE,
    apply_suggestion,
    suggest_progress,
    window,
)
from backpath.engine.plan_edits import Edit, EditRefused
from backpath.engine.plan_revision import (
    ACTION_LABELS,
    Accepted,
    revised_plan,
    suggestion_key,
)
from backpath.engine.program_models import ExerciseSuggestion, HomeProgram
from backpath.errors import InvalidInput
from backpath.reports.citations import citations
from backpath.reports.plain_plan import treatment_name
from backpath.tracking import MEASURE_LABELS, Progress
from backpath.web import lookups
from backpath.web.accounts.access import staff_required
from backpath.web.alerts.models import Alert
from backpath.web.audit.record import record
from backpath.web.diary.models import ExerciseLog
from backpath.web.diary.outcomes import entries_for, progress_for
from backpath.web.patients.models import Episode
from backpath.web.plans import versions
from backpath.web.plans.forms import ProgressAcceptForm
from backpath.web.plans.models import PlanChange, PlanVersion
from backpath.web.review.forms import ReviewForm

STATUS_LABELS = {
    "improved": "Improved (meaningful change)",
    "no_meaningful_change": "No meaningful change",
    "worse": "Worse (meaningful change)",
    "unknown": "Not known yet",
}
CHOICE_ACTIONS = {"add_line_2", "switch"}
EXERCISE_ACTIONS = {
    "progress": "Progress to the next step",
    "regress": "Make it easier",
    "stop": "Stop this exercise",
    "keep": "Keep it as it is",
    "adherence": "Talk about doing it",
}
HELD_ACTIONS = {"progress"}
HELD_NOTE = (
    "Held: the patient has an open alert. Act on it and acknowledge it before progressing "
    "this exercise."
)


def reviewed_version(episode: Episode) -> PlanVersion | None:
    """The plan the patient follows: the latest published version, else the latest draft."""
    versions = episode.plan_versions.order_by("-number")
    return versions.filter(status=PlanVersion.Status.PUBLISHED).first() or versions.first()


def weeks_since_start(episode: Episode, version: PlanVersion, today: dt.date) -> float:
    """Weeks since care began: the first publication to the patient (else this version)."""
    first = episode.plan_versions.filter(published__isnull=False).order_by("published").first()
    start = first.published if first else version.created
    days = (today - timezone.localdate(start)).days
    return round(max(0, days) / 7, 1)


def _options(suggestion: Any) -> list[tuple[str, str]]:
    if suggestion.action == "add_line_2":
        pool = suggestion.treatments
    elif suggestion.action == "switch":
        pool = suggestion.treatments[1:]
    else:
        return []
    return [(t, treatment_name(t)) for t in pool]


def _sources(ids: Iterable[str]) -> list[dict[str, str]]:
    return [{"id": c.id, "label": c.authors_year, "href": c.href} for c in citations(ids)]


def _events_by_treatment(progress: Progress) -> dict[str, str]:
    grouped: dict[str, list[str]] = {}
    for e in progress.adverse_events:
        if e.treatment:
            serious = " (serious)" if e.serious else ""
            grouped.setdefault(e.treatment, []).append(
                f"{e.on:%-d %b %Y}{serious}: {e.description}"
            )
    return {t: "; ".join(v) for t, v in grouped.items()}


def _measures(progress: Progress) -> list[dict[str, Any]]:
    rows = []
    for measure, label in MEASURE_LABELS.items():
        response = progress.responses.get(measure)
        latest = progress.latest.get(measure)
        baseline = progress.baseline.get(measure)
        if baseline is None and latest is None:
            continue
        rows.append(
            {
                "label": label,
                "baseline": baseline,
                "latest": latest,
                "response": response,
                "status": response.status if response else "unknown",
            }
        )
    return rows


def _save(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    revision: PlanRevision,
    form: ReviewForm,
    progress: Progress,
) -> PlanVersion | None:
    reason = form.cleaned_data["reason"].strip()
    accepted = [Accepted(s, taken) for s, taken in form.accepted()]
    today = timezone.localdate()
    new = revised_plan(version.document, accepted, today, reason, _events_by_treatment(progress))
    try:
        new.plan.checked()  # the new version must still be a valid plan
    except InvalidInput as exc:
        form.add_error(None, f"These changes would not make a valid plan: {exc.message}")
        return None
    actions = ", ".join(dict.fromkeys(ACTION_LABELS[a.suggestion.action].lower() for a in accepted))
    try:
        with transaction.atomic():
            created = versions.create_version(
                episode,
                new.plan,
                profile=version.profile,
                summary=(
                    f"Adapted at the review of {today:%-d %b %Y} from version "
                    f"{version.number}: {actions}. {revision.summary}"
                ),
                user=request.user,
                changes=[(t, PlanChange.Action.ADAPT, what) for t, what in new.changes],
            )
            record(
                request,
                "create",
                created,
                patient=episode.patient,
                detail=f"plan adapted at review: {actions}",
            )
    except versions.StaleVersion:
        form.add_error(None, "Another change to this plan was saved at the same moment; try again.")
        return None
    return created


def _program_rows(
    episode: Episode, version: PlanVersion, today: dt.date, *, hold: bool = False
) -> tuple[HomeProgram | None, list[dict[str, Any]]]:
    """The reviewed program's suggestions from the episode's exercise log, each with what
    changes and the days that count for it (after its last change): done / too painful /
    skipped. With ``hold`` (an open alert) a progression is shown as held, not applicable."""
    program = version.home_program
    if program is None:
        return None, []
    logs = [log.to_domain() for log in ExerciseLog.objects.filter(episode=episode, on__lte=today)]
    rows = []
    for s in suggest_progress(program, logs, today):
        item = program.find(s.exercise)
        assert item is not None  # one suggestion per exercise of the program
        counts = dict.fromkeys(ExerciseLog.Outcome.values, 0)
        for log in window(item, logs, today):
            counts[log.outcome] += 1
        rows.append(
            {
                "suggestion": s,
                "key": _key(s),
                "name": item.name,
                "label": EXERCISE_ACTIONS.get(s.action, s.action),
                "now": item.dose.text(),
                "then": s.dose.text() if s.dose else "",
                "counts": counts,
                "applicable": s.action in APPLICABLE and not (hold and s.action in HELD_ACTIONS),
                "held": hold and s.action in HELD_ACTIONS,
                "sources": _sources(list(s.sources)),
            }
        )
    return program, rows


def _key(s: ExerciseSuggestion) -> str:
    return f"{s.exercise}:{s.action}:{'' if s.to_level is None else s.to_level}"


def _accept_exercise(
    request: HttpRequest,
    episode: Episode,
    reviewed: HomeProgram | None,
    rows: list[dict[str, Any]],
    today: dt.date,
) -> tuple[PlanVersion | None, dict[str, Any]]:
    """Apply the posted suggestion (made for the ``reviewed`` program) to the latest version's
    program, as a new draft version with its ``PlanChange``; or (None, the posted form and why
    it was not saved). A latest version that already changed that exercise is not touched."""
    form = ProgressAcceptForm(request.POST)
    posted = [request.POST.get(k, "") for k in ("exercise", "action", "to_level")]
    bound: dict[str, Any] = {"form": form, "key": ":".join(posted), "problem": None}
    if not form.is_valid():
        bound["problem"] = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return None, bound
    data = form.cleaned_data
    level = "" if data["to_level"] is None else data["to_level"]
    bound["key"] = key = f"{data['exercise']}:{data['action']}:{level}"
    row = next((r for r in rows if r["key"] == key and r["applicable"]), None)
    try:
        if row is None:
            raise EditRefused(
                "The suggestions changed since this page was loaded (new exercise log entries or "
                "a new plan version). Look at them again before accepting."
            )
        base = versions.latest(episode)
        if base is None or data["version"] != base.number:
            raise versions.StaleVersion(base.number if base else 0)
        program = base.home_program
        s: ExerciseSuggestion = row["suggestion"]
        if (
            program is None
            or reviewed is None
            or program.find(s.exercise) != reviewed.find(s.exercise)
        ):
            raise EditRefused(
                f"Version {base.number} already changes {row['name']}; look at it on the plan "
                "page before accepting this suggestion."
            )
        changed = apply_suggestion(program, s, on=today)
        summary = (
            f"Home program at the review of {today:%-d %b %Y}: {row['label'].lower()}, "
            f"{row['name']}. {s.why}"
        )
        edit = Edit(
            base.document.with_program(changed),
            "progress_exercise",
            s.exercise,
            summary,
        )
        with transaction.atomic():
            created = versions.save_edit(episode, base.number, edit, data["reason"], request.user)
            record(
                request,
                "create",
                created,
                patient=episode.patient,
                detail=f"home program at review: {s.action} {s.exercise}",
            )
    except EditRefused as exc:
        bound["problem"] = exc.message
        return None, bound
    return created, bound


def _program_section(
    request: HttpRequest, episode: Episode, version: PlanVersion, today: dt.date, hold: bool
) -> tuple[HttpResponse | None, dict[str, Any]]:
    """The home program part of the review: its rows, and a posted acceptance handled (the
    redirect when saved; else the rows with the form's problem at its suggestion)."""
    latest = versions.latest(episode) or version
    context: dict[str, Any] = {"latest_number": latest.number, "program_problem": None}
    try:
        program, rows = _program_rows(episode, version, today, hold=hold)
    except InvalidInput as exc:
        problem = f"The stored home program cannot be read ({exc})."
        return None, context | {"program": None, "program_rows": [], "program_problem": problem}
    if request.method == "POST" and "exercise" in request.POST:
        created, bound = _accept_exercise(request, episode, program, rows, today)
        if created is not None:
            messages.success(
                request,
                f"The home program change is kept in version {created.number}, your working "
                "draft. Check it, then publish it to the patient.",
            )
            return redirect(reverse("plans:program", args=[episode.pk]) + "#home-program"), {}
        for row in rows:
            if row["key"] == bound["key"]:
                row["bound"] = bound
        if not any("bound" in row for row in rows):
            context["program_problem"] = bound["problem"]
    return None, context | {"program": program, "program_rows": rows}


@staff_required
def review(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = lookups.episode_for(request.user, episode_id)
    patient = episode.patient
    version = reviewed_version(episode)
    alerts = list(Alert.objects.visible_to(request.user).open().filter(patient=patient))
    context: dict[str, Any] = {
        "episode": episode,
        "patient": patient,
        "version": version,
        "alerts": alerts,
        "next": request.get_full_path(),
        "held_note": HELD_NOTE,
    }
    if version is None:
        record(request, "read", episode, patient=patient, detail="review: no plan")
        return render(request, "review/review.html", context)
    today = timezone.localdate()
    weeks = weeks_since_start(episode, version, today)
    try:
        progress = progress_for(entries_for(patient, episode), version.document, today)
        revision = adapt(version.document.to_plan(), progress, weeks)
    except (InvalidInput, ValidationError) as exc:
        record(request, "read", version, patient=patient, detail="review: not computable")
        return render(request, "review/review.html", context | {"problem": str(exc)})
    suggestions = [
        (f"{i}:{suggestion_key(s)}", s, _options(s)) for i, s in enumerate(revision.suggestions)
    ]
    saved, program_context = _program_section(request, episode, version, today, bool(alerts))
    if saved is not None:
        return saved
    exercise_post = request.method == "POST" and "exercise" in request.POST
    form = ReviewForm(
        request.POST if request.method == "POST" and not exercise_post else None,
        suggestions=suggestions,
    )
    if request.method == "POST" and not exercise_post and form.is_valid():
        created = _save(request, episode, version, revision, form, progress)
        if created is not None:
            messages.success(
                request,
                f"Plan version {created.number} was created as a draft. "
                "Check it, then publish it to the patient.",
            )
            return redirect("plans:plan", episode_id=episode.pk)
    record(request, "read", version, patient=patient, detail="review")
    rows = form.rows()
    for row in rows:
        s = row["suggestion"]
        row |= {
            "label": ACTION_LABELS.get(s.action, s.action),
            "names": [treatment_name(t) for t in s.treatments],
            "sources": _sources(s.sources),
        }
    attendance = [{"name": treatment_name(a.treatment), "row": a} for a in progress.attendance]
    return render(
        request,
        "review/review.html",
        context
        | program_context
        | {
            "weeks": weeks,
            "progress": progress,
            "measures": _measures(progress),
            "overall": STATUS_LABELS[progress.status],
            "status_measure": MEASURE_LABELS.get(progress.status_measure)
            if progress.status_measure
            else None,
            "attendance": attendance,
            "revision": revision,
            "form": form,
            "rows": rows,
            "events": [
                {"event": e, "name": treatment_name(e.treatment) if e.treatment else ""}
                for e in progress.adverse_events
            ],
        },
    )
