"""Plan pages for clinic staff: the plan, its edits and publishing, history, print and PDF.

The plan page is tabs: the plan (a one-screen summary, then each item with its detail one
click away and the left-out options grouped by reason), the home program, the evidence
(guideline verdicts and references), and the history. Item edits live in ``item_views``.

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
from django.utils import timezone

from backpath import DISCLAIMER, __version__
from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import EditRefused, Facts
from backpath.exercises import load_exercises
from backpath.knowledge import load_knowledge
from backpath.web import lookups, page_cache
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Episode
from backpath.web.plans import display, printouts, program_display, summary, versions
from backpath.web.plans.forms import DROP_CHOICES, PublishForm
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.pdf import render_pdf, stylesheet
from backpath.web.plans.sections import Sections


def episode_for(request: HttpRequest, episode_id: int) -> Episode:
    """The episode with its patient and intake (the plan pages read both), or 404."""
    return lookups.episode_for(request.user, episode_id, also=("intake",))


def _version(episode: Episode, number: int) -> PlanVersion:
    return get_object_or_404(
        PlanVersion.objects.select_related("created_by"), episode=episode, number=number
    )


def latest_or_404(episode: Episode) -> PlanVersion:
    version = versions.latest(episode)
    if version is None:
        raise Http404("This episode has no plan yet.")
    return version


def _print_context(
    episode: Episode, version: PlanVersion, *, evidence: bool = True
) -> dict[str, Any]:
    """What the print and PDF show: the whole plan with its pictures inline, and with
    ``evidence`` the guideline verdicts as an appendix."""
    plan = version.document
    facts = Facts()
    return {
        "episode": episode,
        "patient": episode.patient,
        "version": version,
        "plan": plan,
        "triage": display.triage(plan),
        "lines": display.lines(plan),
        "left_out": display.left_out(plan, facts),
        "verdicts": display.verdicts(plan) if evidence else {},
        "references": display.references(plan),
        "program": program_display.view(plan, facts, inline_pictures=True),
    }


def latest_for_tab(
    request: HttpRequest, episode_id: int, detail: str
) -> tuple[Episode, PlanVersion, HttpResponse | None]:
    """A tab's episode and latest version, its read recorded; with the page to show instead
    when the version cannot be read."""
    episode = episode_for(request, episode_id)
    version = latest_or_404(episode)
    record(request, "read", version, patient=episode.patient, detail=detail)
    instead = unreadable(request, episode, version) if version.unreadable else None
    return episode, version, instead


def unreadable(request: HttpRequest, episode: Episode, version: PlanVersion) -> HttpResponse:
    """A version whose stored document cannot be read: say so and what to do, never a 500."""
    context = {"episode": episode, "version": version, "problem": version.unreadable}
    return render(request, "plans/unreadable.html", context, status=200)


def page_context(
    episode: Episode,
    version: PlanVersion,
    *,
    editable: bool,
    user: Any,
    latest: PlanVersion | None = None,
) -> dict[str, Any]:
    """What every tab of the plan page shares: the version, whether it may be edited and
    published, its working-draft state, and the triage banner. ``latest``: when the caller
    has just read it."""
    latest = latest or versions.latest(episode)
    latest_number = latest.number if latest else version.number
    is_latest = version.number == latest_number
    plan = version.document
    return {
        "episode": episode,
        "patient": episode.patient,
        "version": version,
        "plan": plan,
        "latest_number": latest_number,
        "is_latest": is_latest,
        "editable": editable and is_latest and episode.closed is None,
        "edit_refusal": editing.edit_refusal(plan),
        "publishable": editable and is_latest and version.status != PlanVersion.Status.PUBLISHED,
        "mine": version.in_progress and version.created_by_id == getattr(user, "pk", None),
        "triage": display.triage(plan),
        "published_number": versions.published_number(episode, version),
    }


def main_context(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    *,
    editable: bool,
    editing_item: str = "",
    bound: dict[str, Any] | None = None,
    changed: dict[str, str] | None = None,
    latest: PlanVersion | None = None,
    alerts: list[Any] | None = None,
) -> dict[str, Any]:
    """The plan tab: the one-screen summary, the items (detail one click away) and the
    left-out options grouped by reason. ``editing_item`` opens that item's forms; ``bound``
    is a posted form that was not saved; ``changed`` the edit just saved (said in place);
    ``alerts``: the open alerts, when the caller has just read them."""
    context = page_context(episode, version, editable=editable, user=request.user, latest=latest)
    plan = context["plan"]
    sections = Sections(
        episode, version, editable=context["editable"], editing=editing_item, bound=bound,
        changed=(changed or {}).get("treatment", ""),
    )  # fmt: skip
    context |= {
        "sections": sections,
        "line_one": summary.line_one(plan),
        "decisions": summary.decisions(plan, episode.review_due, timezone.localdate()),
        "facts": summary.facts(plan, episode),
        "alerts": open_alerts(episode) if alerts is None else alerts,
        "drop_choices": DROP_CHOICES,
        "bound": bound or {},
        "changed": changed or {},
        "has_program": plan.home_program is not None,
    }
    return context


def open_alerts(episode: Episode) -> list[Any]:
    """The first open alerts of the episode's patient: the summary's "needs a decision"."""
    return list(episode.patient.alerts.open()[:5])


@staff_required
def plan_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The latest version: its summary, items and left-out options, with the edit actions.

    The page most opened in a clinic's day, so it is rendered once per stamp of what it shows
    (``page_cache``): the episode, its patient and intake, the version and its author, the
    version the patient sees and the open alerts, all read here on every request. The stored
    plan and intake are read only to render: their writers (``versions``, the intake steps)
    move the version's ``revision`` and the intake's ``updated`` with every change. A version
    that cannot be read is never stored."""
    version = lookups.latest_version_for(request.user, episode_id)
    if version is None:
        episode = episode_for(request, episode_id)  # 404 when not theirs
        record(request, "read", episode, patient=episode.patient, detail="plan page: no plan")
        return render(request, "plans/no_plan.html", {"episode": episode})
    episode = version.episode
    record(request, "read", version, patient=episode.patient, detail="plan page")
    changed = {"treatment": request.GET.get("changed", "")}  # after an edit without htmx
    alerts = open_alerts(episode) if version.any_open_alert else []
    published = versions.published_number(episode, version)
    shown = (episode, episode.patient, getattr(episode, "intake", None), version,
             version.created_by, published, changed, *alerts)  # fmt: skip

    def context() -> dict[str, Any] | HttpResponse:
        if version.unreadable:
            return unreadable(request, episode, version)
        return main_context(
            request, episode, version, editable=True, changed=changed, latest=version, alerts=alerts
        )

    return page_cache.render_page(request, "plans/plan.html", shown, context)


@staff_required
def version_page(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """Any version, read-only."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    record(request, "read", version, patient=episode.patient, detail=f"plan version {number}")
    if version.unreadable:
        return unreadable(request, episode, version)
    context = main_context(request, episode, version, editable=False)
    return render(request, "plans/plan.html", context)


@staff_required
def evidence_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    """The evidence tab: each guideline's verdict next to the consensus, and the references."""
    episode, version, instead = latest_for_tab(request, episode_id, "plan evidence")
    if instead is not None:
        return instead
    context = page_context(episode, version, editable=False, user=request.user)
    context |= {
        "verdicts": display.verdicts(version.document),
        "references": display.references(version.document),
    }
    return render(request, "plans/evidence.html", context)


@staff_required
def publish(request: HttpRequest, episode_id: int) -> HttpResponse:
    """Publish the latest version to the patient (POST; the note is optional)."""
    episode = episode_for(request, episode_id)
    if request.method != "POST":
        return redirect("plans:plan", episode_id=episode.pk)
    current = latest_or_404(episode)
    if current.unreadable:
        return unreadable(request, episode, current)
    form = PublishForm(request.POST)
    problem = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                version = versions.publish(
                    episode, data["version"], data["note"], request.user, revision=data["revision"]
                )
                record(request, "update", version, patient=episode.patient, detail="plan published")
        except EditRefused as exc:
            problem = exc.message
        else:
            messages.success(request, f"Version {version.number} is published to the patient.")
            return redirect("plans:plan", episode_id=episode.pk)
    record(request, "read", current, patient=episode.patient, detail="plan publish: not saved")
    bound = {"action": "publish", "errors": form.errors, "data": form.data, "problem": problem}
    context = main_context(request, episode, current, editable=True, bound=bound)
    return render(request, "plans/plan.html", context)


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
    context: dict[str, Any] = {"episode": episode, "patient": episode.patient, "rows": rows}
    newest = all_versions[0] if all_versions else None
    if newest is not None and not newest.unreadable:  # the tabs name the current version
        context |= {"version": newest, "plan": newest.document}
    return render(request, "plans/history.html", context)


def _printable(
    request: HttpRequest | None,
    episode: Episode,
    version: PlanVersion,
    inline_css: bool,
    *,
    evidence: bool = False,
) -> str:
    context = _print_context(episode, version, evidence=evidence)
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


def evidence_pdf_bytes(version: PlanVersion) -> bytes:
    """The plan PDF with the guideline verdicts as an appendix."""
    return render_pdf(_printable(None, version.episode, version, inline_css=True, evidence=True))


def pdf_pending(request: HttpRequest, what: str, back: str) -> HttpResponse:
    """The page shown while a PDF is prepared in the background (it reloads itself)."""
    return render(request, "plans/pdf_pending.html", {"what": what, "back": back}, status=202)


@staff_required
def print_page(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """A version as a printable page: no navigation, print styles, the disclaimer."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    if version.unreadable:
        return unreadable(request, episode, version)
    record(request, "read", version, patient=episode.patient, detail=f"plan v{number} print")
    evidence = request.GET.get("evidence") == "1"
    return HttpResponse(_printable(request, episode, version, inline_css=False, evidence=evidence))


@staff_required
def plan_pdf(request: HttpRequest, episode_id: int, number: int) -> HttpResponse:
    """A version as a PDF download (WeasyPrint), recorded as an export."""
    episode = episode_for(request, episode_id)
    version = _version(episode, number)
    if version.unreadable:
        return unreadable(request, episode, version)
    evidence = request.GET.get("evidence") == "1"
    kind = "evidence" if evidence else "plan"
    pdf = printouts.ready_or_queue(version, kind)
    if pdf is None:
        back = reverse("plans:version", args=[episode.pk, number])
        what = f"version {number} of the plan" + (" with its evidence" if evidence else "")
        return pdf_pending(request, what, back)
    detail = f"plan v{number} PDF" + (" with evidence appendix" if evidence else "")
    record(request, "export", version, patient=episode.patient, detail=detail)
    response = HttpResponse(pdf, content_type="application/pdf")
    suffix = "-evidence" if evidence else ""
    filename = f"backpath-plan-episode-{episode.pk}-v{version.number}{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
