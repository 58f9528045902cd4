"""Patient side: my plan in plain words (with the illustrated home program), the diary, and
progress charts (with home-exercise adherence). The 'today' page is in ``today.py``.

The patient's record is always found from the login (``visible_to(user).get()``), never from
the URL, so no id in a link can reach another person's data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from backpath.engine.stored_plan import StoredPlan
from backpath.errors import InvalidInput
from backpath.reports import exercise_cards, plain_plan
from backpath.reports.charts import svg
from backpath.reports.schedule import DAY_NAMES
from backpath.web import lookups
from backpath.web.accounts.access import patient_required
from backpath.web.audit.record import record
from backpath.web.care.this_week import this_week, week_rows
from backpath.web.chart_cache import cached_svg
from backpath.web.diary import records
from backpath.web.diary.alerting import entry_advice
from backpath.web.diary.forms import FORMS, NEEDS_TREATMENTS, EntryForm
from backpath.web.diary.models import DiaryEntry
from backpath.web.diary.outcomes import adherence_for, charts_for, entries_for, progress_for
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from backpath.web.questionnaires.offered import notice, turned_off

RECENT = 30


def _readable(version: PlanVersion | None) -> StoredPlan | None:
    """The published plan's document, or None when there is none or it cannot be read (the
    page then says why: ``version.unreadable``)."""
    return version.document if version and not version.unreadable else None


@patient_required
def start(request: HttpRequest) -> HttpResponse:
    """Where a patient lands after signing in: Today when their published plan has a home
    program to do, else My plan."""
    _, _, version = lookups.own_record(request.user)
    return redirect("care:today" if version and version.home_program else "care:my_plan")


@patient_required
def my_plan(request: HttpRequest) -> HttpResponse:
    """The plan in plain words; after any safety banner, 'This week' comes first."""
    patient, _episode, version = lookups.own_record(request.user)
    record(request, "read", version or patient, patient=patient, detail="my plan")
    plan = _readable(version)
    context: dict[str, Any] = {
        "patient": patient,
        "version": version,
        "plan": plan,
        "unreadable": version.unreadable if version else None,
        "warning_signs": plain_plan.warning_signs(),
    }
    if plan:
        program = plan.home_program
        if program is not None:
            context |= {
                "program_cards": exercise_cards.cards(program),
                "walking": program.walking_goal,
            }
        context |= {
            "lines": plain_plan.lines(plan),
            "this_week": this_week(plan),
            "week": week_rows(plan),
            "days": DAY_NAMES,
            "education": plain_plan.education(),
            "left_out": plain_plan.left_out_for_preferences(plan),
            "left_out_budget": plain_plan.left_out_for_budget(plan),
        }
    return render(request, "care/my_plan.html", context)


def _form(kind: str, plan: StoredPlan | None, data: Any = None) -> EntryForm:
    cls = FORMS[kind]
    if kind in NEEDS_TREATMENTS:
        return cls(data, treatments=plain_plan.treatment_choices(plan))
    return cls(data)


@patient_required
def diary(request: HttpRequest) -> HttpResponse:
    patient, episode, version = lookups.own_record(request.user)
    plan = _readable(version)
    offered = {k: f for k, f in FORMS.items() if k not in turned_off()}  # licences
    kind = request.GET.get("add", "nrs")
    if kind not in offered:
        kind = "nrs"
    if request.method == "POST":
        form = _form(kind, plan, request.POST)
        fields = form.entry() if form.is_valid() else None
        if fields is not None:
            entry, _advice = records.add_diary_entry(
                request,
                patient,
                episode,
                request.user,
                {"on": form.cleaned_data["on"], "kind": kind, **fields},
            )
            messages.success(request, f"Saved: {entry.get_kind_display()} on {entry.on:%-d %b %Y}.")
            shown = f"&reported={entry.pk}" if kind == DiaryEntry.Kind.ADVERSE else ""
            return redirect(f"{reverse('care:diary')}?add={kind}{shown}")
        # Invalid: the same form is shown again with what was typed and a message per field.
    else:
        form = _form(kind, plan)
    recent = list(entries_for(patient, episode).order_by("-on", "-id")[:RECENT])
    record(request, "read", patient, patient=patient, detail="diary")
    reported = _reported(patient, request.GET.get("reported", ""))
    for e in recent:
        e.treatment_name = plain_plan.treatment_name(e.treatment)
    return render(
        request,
        "care/diary.html",
        {
            "form": form,
            "kind": kind,
            "kinds": [(k, f.title) for k, f in offered.items()],
            "notice": notice(kind) if kind in ("nrs", "peg", "odi", "rmdq") else "",
            "recent": recent,
            "has_plan": plan is not None,
            "advice": entry_advice(reported) if reported else None,
        },
        status=200,
    )


def _reported(patient: Patient, raw: str) -> DiaryEntry | None:
    """The patient's own side effect named in ``?reported=`` (whose advice is shown), if any."""
    if not raw.isdigit():
        return None
    return patient.diary.filter(pk=int(raw), kind=DiaryEntry.Kind.ADVERSE).first()


@patient_required
def progress(request: HttpRequest) -> HttpResponse:
    patient, episode, version = lookups.own_record(request.user)
    plan = _readable(version)
    entries = list(entries_for(patient, episode))
    record(request, "read", patient, patient=patient, detail="progress")
    charts = charts_for(entries, plan)
    summary, problem = None, None
    try:
        summary = progress_for(entries, plan, timezone.localdate())
    except InvalidInput as exc:  # a stored value the domain rejects: say so, do not crash
        problem = str(exc)
    program = plan.home_program if plan else None
    adherence = adherence_for(patient, episode, program, timezone.localdate())
    courses = {r.treatment: r for r in plan.recommended} if plan else {}
    attendance = [
        {
            "name": course.name if (course := courses.get(a.treatment)) else a.treatment,
            "row": a,
            "course": course.schedule.sessions if course else None,
        }
        for a in (summary.attendance if summary else [])
    ]
    # The SVG is matplotlib's output of our own labels; the one text taken from data (the
    # aria-label) is escaped in ``charts.svg``.
    today = timezone.localdate()
    return render(
        request,
        "care/progress.html",
        {
            "charts": [
                {"chart": c, "svg": mark_safe(cached_svg(svg, c, today)), "table": c.table()}
                for c in charts
            ],
            "attendance": attendance,
            "adherence": adherence,
            "adherence_svg": mark_safe(cached_svg(svg, adherence.chart, today))
            if adherence
            else "",
            "problem": problem,
            "has_plan": plan is not None,
        },
    )
