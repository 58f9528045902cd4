"""Plan pages (to be completed: editing, versions, publishing, print and PDF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from backpath.web.accounts.access import staff_required
from backpath.web.audit.record import record
from backpath.web.patients.models import Episode, Patient


@staff_required
def plan_page(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_object_or_404(
        Episode, pk=episode_id, patient__in=Patient.objects.visible_to(request.user)
    )
    version = episode.plan_versions.order_by("-number").first()
    record(request, "read", version or episode, patient=episode.patient)
    return render(
        request,
        "plans/plan.html",
        {"episode": episode, "version": version, "plan": version.plan if version else None},
    )
