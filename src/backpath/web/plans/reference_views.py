"""Reference pages for clinic staff that belong to no patient."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backpath.web.accounts.access import staff_required
from backpath.web.plans import display


@staff_required
def seed_claims(request: HttpRequest) -> HttpResponse:
    """What the clinic articles BackPath grew from claim about each treatment, against the
    evidence. Staff only: the claims are not evidence and never reach a plan or a patient."""
    return render(request, "plans/claims.html", {"treatments": display.seed_claims()})
