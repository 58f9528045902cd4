"""Login, logout, password change (Django's own views) and the role-based home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_patient:  # type: ignore[union-attr]
        return redirect("care:start")
    if user.is_clinic_staff:  # type: ignore[union-attr]
        return redirect("patients:list")
    return redirect("admin:index")
