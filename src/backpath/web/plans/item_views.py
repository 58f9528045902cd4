"""Editing the plan in place: accept, drop or add back one item, and save or discard the
working draft the edits collect in.

Progressive enhancement: with JavaScript, htmx asks for an item's forms and posts them, and
gets back the plan tab's main region to swap in place (``HX-Request``), so the page keeps
its scroll position and nothing reloads. Without it, the links open a page with the item's
forms, and each post redirects back to the item on the plan page. Either way the same views
validate, call the domain's edit rules (``plan_edits``) and store through ``versions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from backpath.engine import plan_edits as editing
from backpath.engine.plan_edits import EditRefused
from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Episode
from backpath.web.plans import versions
from backpath.web.plans.forms import AcceptForm, AddForm, DraftForm, DropForm
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.views import episode_for, latest_or_404, main_context, unreadable

ACTIONS = ("accept", "drop", "add")


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _item_url(episode: Episode, treatment: str) -> str:
    return reverse("plans:plan", kwargs={"episode_id": episode.pk}) + f"#item-{treatment}"


def _main(request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
    """The plan tab's main region alone, for htmx to swap in place."""
    return render(request, "plans/_main.html", context)


def _known(version: PlanVersion, treatment: str) -> bool:
    plan = version.document
    return any(i.treatment == treatment for i in plan.recommended) or any(
        i.treatment == treatment for i in plan.not_recommended
    )


@staff_required
def item_edit(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    """One item's edit forms: in place (htmx: the main region with the item open) or, without
    JavaScript, on a page of their own."""
    episode = episode_for(request, episode_id)
    version = latest_or_404(episode)
    if version.unreadable:
        return unreadable(request, episode, version)
    if not _known(version, treatment):
        raise Http404("No such item in this plan.")
    record(request, "read", version, patient=episode.patient, detail=f"plan item {treatment}")
    if request.GET.get("close") == "1":
        context = main_context(request, episode, version, editable=True)
        return (
            _main(request, context)
            if _is_htmx(request)
            else redirect(_item_url(episode, treatment))
        )
    context = main_context(request, episode, version, editable=True, editing_item=treatment)
    if _is_htmx(request):
        return _main(request, context)
    item = context["sections"].find(treatment)
    return render(request, "plans/item_edit.html", context | {"item": item})


def _not_saved(
    request: HttpRequest,
    episode: Episode,
    version: PlanVersion,
    action: str,
    treatment: str,
    form: Any,
    problem: str | None,
) -> HttpResponse:
    """The item's forms again, with what was typed, its errors and the refusal."""
    record(request, "read", version, patient=episode.patient, detail=f"plan {action}: not saved")
    bound = {"action": action, "treatment": treatment, "errors": form.errors,
             "data": form.data, "problem": problem}  # fmt: skip
    context = main_context(request, episode, version, editable=True, bound=bound)
    if _is_htmx(request):
        return _main(request, context)
    return render(
        request, "plans/item_edit.html", context | {"item": context["sections"].find(treatment)}
    )


def _edit(request: HttpRequest, episode_id: int, treatment: str, action: str) -> HttpResponse:
    episode = episode_for(request, episode_id)
    if request.method != "POST":
        return redirect(_item_url(episode, treatment))
    current = latest_or_404(episode)
    if current.unreadable:
        return unreadable(request, episode, current)
    plan = current.document
    form: AcceptForm | DropForm | AddForm
    if action == "add":
        lines = editing.allowed_lines(plan, treatment) or editing.LINES
        form = AddForm(request.POST, lines=lines)
    else:
        form = DropForm(request.POST) if action == "drop" else AcceptForm(request.POST)
    if not form.is_valid():
        return _not_saved(request, episode, current, action, treatment, form, None)
    data = form.cleaned_data
    try:
        if data["version"] != current.number or (
            data["revision"] is not None and data["revision"] != current.revision
        ):
            raise versions.StaleVersion(current.number)
        if action == "accept":
            edit = editing.accept(plan, treatment, data["reason"])
        elif action == "drop":
            edit = editing.drop(plan, treatment, data["drop_reason"], data["reason"])
        else:
            edit = editing.add(plan, treatment, data["line"], data["reason"],
                               versions.facts_for(episode))  # fmt: skip
        with transaction.atomic():
            saved = versions.save_edit(
                episode, data["version"], edit, data["reason"], request.user,
                revision=data["revision"],
            )  # fmt: skip
            record(request, "create" if saved.revision == 0 else "update", saved,
                   patient=episode.patient, detail=f"plan {action}: {treatment}")  # fmt: skip
    except EditRefused as exc:
        return _not_saved(request, episode, current, action, treatment, form, exc.message)
    said = f"{edit.summary} Kept in version {saved.number}, your working draft."
    if _is_htmx(request):
        changed = {"treatment": treatment, "action": action, "text": said}
        return _main(request, main_context(request, episode, saved, editable=True, changed=changed))
    messages.success(request, said)
    plan_url = reverse("plans:plan", kwargs={"episode_id": episode.pk})
    return redirect(f"{plan_url}?changed={treatment}#item-{treatment}")


@staff_required
def accept_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "accept")


@staff_required
def drop_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "drop")


@staff_required
def add_item(request: HttpRequest, episode_id: int, treatment: str) -> HttpResponse:
    return _edit(request, episode_id, treatment, "add")


def _draft(request: HttpRequest, episode_id: int, action: str) -> HttpResponse:
    """Save (``seal``) or ``discard`` the working draft."""
    episode = episode_for(request, episode_id)
    plan_url = reverse("plans:plan", kwargs={"episode_id": episode.pk})
    if request.method != "POST":
        return redirect(plan_url)
    current = latest_or_404(episode)
    form = DraftForm(request.POST)
    try:
        if not form.is_valid():
            raise EditRefused("The form is missing the plan version; reload the page.")
        seen, revision = form.cleaned_data["version"], form.cleaned_data["revision"] or 0
        with transaction.atomic():
            if action == "save":
                version = versions.seal(episode, seen, revision, request.user)
                said = f"Version {version.number} is saved as a draft."
                record(request, "update", version, patient=episode.patient,
                       detail="plan working draft saved")  # fmt: skip
            else:
                version = versions.discard(episode, seen, revision, request.user)
                said = (f"Your unsaved changes are discarded; version {version.number} "
                        "is the current one again.")  # fmt: skip
                record(request, "delete", current, patient=episode.patient,
                       detail=f"plan working draft v{seen} discarded: {current.change_summary}"[
                           :500])  # fmt: skip
    except EditRefused as exc:
        said, version = exc.message, current
    if _is_htmx(request):
        changed = {"treatment": "", "action": action, "text": said}
        return _main(
            request, main_context(request, episode, version, editable=True, changed=changed)
        )
    messages.info(request, said)
    return redirect(plan_url)


@staff_required
def save_draft(request: HttpRequest, episode_id: int) -> HttpResponse:
    return _draft(request, episode_id, "save")


@staff_required
def discard_draft(request: HttpRequest, episode_id: int) -> HttpResponse:
    return _draft(request, episode_id, "discard")
