"""Patient side (to be completed: plain-language plan, diary forms, progress charts)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backpath.web.accounts.access import patient_required


@patient_required
def my_plan(request: HttpRequest) -> HttpResponse:
    return render(request, "diary/placeholder.html", {"title": "My plan"})


@patient_required
def diary(request: HttpRequest) -> HttpResponse:
    return render(request, "diary/placeholder.html", {"title": "Diary"})


@patient_required
def progress(request: HttpRequest) -> HttpResponse:
    return render(request, "diary/placeholder.html", {"title": "Progress"})
