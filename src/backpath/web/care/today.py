"""The patient's 'today' page: the home exercises due on a day, one tap each to log them.

A tap (done, too painful, skipped) is one ``ExerciseLog`` row per episode, day and exercise;
tapping again the same day changes the answer. 'Too painful' asks which stop rule applied,
if any; a stop-rule answer shows at once the advice of that rule's urgency (emergency, same
day, contact the clinic, or just stop the exercise) and, for any urgency but none, raises an
alert at the clinic (``backpath.web.diary.alerting``, also used by the API). Only the
published plan's program is shown or accepted, and only today and the six days before it can
be logged.

Above the exercises, the streak and this week's summary (``care.encouragement``): praise for
what was logged, never a nag.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from backpath.engine.program_models import OUTCOME_LABELS
from backpath.errors import InvalidInput
from backpath.reports import plain_plan
from backpath.reports.exercise_cards import (
    card,
    days_text,
    stop_rule_text,
)
from backpath.web import lookups
from backpath.web.accounts.access import patient_required
from backpath.web.audit.record import record
from backpath.web.care.encouragement import for_today
from backpath.web.diary import records
from backpath.web.diary.alerting import log_advice
from backpath.web.diary.log_form import NO_STOP_RULE, ExerciseLogForm, check_day, window
from backpath.web.questionnaires.models import QuestionnaireRequest


def _day_from(request: HttpRequest, today: dt.date) -> tuple[dt.date, str | None]:
    """The day asked for in ``?day=``, or today with the reason it was refused."""
    raw = request.GET.get("day")
    if not raw:
        return today, None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return today, f"day: '{raw[:20]}' is not a date like {today.isoformat()}"
    try:
        check_day(day, today)
    except InvalidInput as exc:
        return today, str(exc)
    return day, None


def _today_url(day: dt.date, today: dt.date, **more: str) -> str:
    query = {"day": day.isoformat()} if day != today else {}
    query |= more
    url = reverse("care:today")
    return f"{url}?{urlencode(query)}" if query else url


def _errors(form: ExerciseLogForm) -> list[str]:
    """Each error as 'Field label: message' (the fields are hidden, so one list at the top)."""
    return [
        f"{form.fields[name].label if name in form.fields else 'Answer'}: {message}"
        for name, errors in form.errors.items()
        for message in errors
    ]


def _page(
    request: HttpRequest,
    day: dt.date,
    *,
    problem: str | None = None,
    form: ExerciseLogForm | None = None,
    ask: str | None = None,
    status: int = 200,
) -> HttpResponse:
    patient, episode, version = lookups.own_record(request.user)
    today = timezone.localdate()
    program = version.home_program if version else None
    unreadable = version.unreadable if version else None
    record(request, "read", version or patient, patient=patient, detail=f"today {day}")
    context: dict[str, Any] = {
        "day": day,
        "today": today,
        "days": [{"day": d, "url": _today_url(d, today)} for d in window(today)],
        "plan": version,
        "unreadable": unreadable,
        "program": program,
        "problem": problem,
        "form_errors": _errors(form) if form is not None else [],
        "warning_signs": plain_plan.warning_signs(),
        "questionnaires": list(QuestionnaireRequest.objects.filter(
            patient=patient, completed__isnull=True, expires__gt=timezone.now())),
    }  # fmt: skip
    if program is not None and episode is not None:
        logs = {log.exercise: log for log in episode.exercise_logs.filter(on=day)}
        due = program.due_on(day)
        items = []
        for item in due:
            log = logs.get(item.exercise)
            items.append(
                {
                    "card": card(item),
                    "log": log,
                    "stop_rule": stop_rule_text(log.stop_rule) if log and log.stop_rule else None,
                    "advice": log_advice(log) if log and log.stop_rule else None,
                    "ask": ask == item.exercise
                    and log is not None
                    and log.outcome == "too_painful",
                    "ask_url": _today_url(day, today, ask=item.exercise) + f"#ex-{item.exercise}",
                }
            )
        context |= {
            "items": items,
            "not_due": [
                {"name": e.name, "days": days_text(e)} for e in program.exercises if e not in due
            ],
            "walking": program.walking_goal,
            "outcomes": list(OUTCOME_LABELS.items()),
            "no_stop_rule": NO_STOP_RULE,
            "cheer": for_today(patient, episode, today),
        }
    return render(request, "care/today.html", context, status=status)


@patient_required
def today(request: HttpRequest) -> HttpResponse:
    now = timezone.localdate()
    day, problem = _day_from(request, now)
    ask = request.GET.get("ask")
    return _page(request, day, problem=problem, ask=ask, status=400 if problem else 200)


@patient_required
@require_POST
def log_exercise(request: HttpRequest) -> HttpResponse:
    patient, episode, version = lookups.own_record(request.user)
    now = timezone.localdate()
    program = version.home_program if version else None
    form = ExerciseLogForm(request.POST, program=program, today=now)
    if not form.is_valid() or episode is None:
        return _page(request, form.cleaned_data.get("on", now), form=form, status=400)
    data = form.cleaned_data
    stop_rule = "" if data["stop_rule"] == NO_STOP_RULE else data["stop_rule"]
    item = program.find(data["exercise"]) if program else None  # the valid form guarantees it
    name = item.name if item else data["exercise"]
    logged = records.log_exercise(
        request,
        patient,
        episode,
        version,
        request.user,
        on=data["on"],
        exercise=data["exercise"],
        outcome=data["outcome"],
        stop_rule=stop_rule,
        name=name,
    )
    log = logged.log
    messages.success(request, f"Saved: {name}, {log.get_outcome_display().lower()}.")
    if stop_rule:
        advice, alerted = logged.advice, logged.alerted
        if advice.raises_alert:
            told = " Your clinic has been told." if alerted else ""
            lead = "" if advice.heading in advice.text else f"{advice.heading}. "
            messages.warning(request, f"{lead}{advice.text}{told}")
    ask = {}
    if log.outcome == "too_painful" and not data["question"]:
        ask = {"ask": log.exercise}
    return redirect(_today_url(log.on, now, **ask) + f"#ex-{log.exercise}")
