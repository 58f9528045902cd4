"""The lead's page of feedback from EHRs: what users did with BackPath's cards, newest first."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backpath.web.accounts.access import lead_required
from backpath.web.audit.record import record
from backpath.web.cds.models import CardFeedback

PAGE_SIZE = 50


@lead_required
def feedback_list(request: HttpRequest) -> HttpResponse:
    clinic = request.user.clinic  # type: ignore[union-attr]
    rows = CardFeedback.objects.filter(clinic=clinic).select_related("card", "registration")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    record(request, "read", clinic, detail="EHR feedback page")
    return render(request, "cds/feedback.html", {"page": page})
