"""Who may see what, written once: decorators for views and querysets for data.

- Clinic staff (clinicians and leads) see the patients of their own clinic only.
- A patient sees only their own record.
- Anything else is answered as if it did not exist (404), so ids of other clinics leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinicians and clinic leads only; a patient gets 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_clinic_staff:  # type: ignore[union-attr]
            raise PermissionDenied("This page is for clinic staff.")
        return view(request, *args, **kwargs)

    return wrapper


def lead_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Clinic leads only."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_lead:  # type: ignore[union-attr]
            raise PermissionDenied("This page is for the clinic lead.")
        return view(request, *args, **kwargs)

    return wrapper


def patient_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Patients only (their own record is found from the login, never from the URL)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_patient:  # type: ignore[union-attr]
            raise PermissionDenied("This page is for patients.")
        return view(request, *args, **kwargs)

    return wrapper
