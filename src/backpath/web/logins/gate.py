"""What every signed-in request passes: the session's idle limit by role, and two-factor
sign-in (django-otp) where it is set up or required.

- Staff sessions end after ``BACKPATH_STAFF_IDLE_MINUTES`` (30) without a request; patients'
  after 14 days. The clock restarts at each request (``set_expiry``), server-side.
- A user with a confirmed authenticator must enter a code before anything else; clinic staff
  must set one up first when ``BACKPATH_STAFF_MFA`` is on (the default for ``backpath serve``;
  the demo turns it off). API calls with a bearer token carry no session and are not gated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django_otp import devices_for_user

PATIENT_SESSION_DAYS = 14
OPEN_PATHS = (
    "/mfa/",
    "/logout/",
    "/static/",
    "/healthz",
    "/readyz",
    "/welcome/",
    "/password/reset/",
)
"""Reachable before the second factor: entering or setting it up, signing out, assets."""


def idle_seconds(user: Any) -> int:
    if getattr(user, "is_clinic_staff", False):
        return int(getattr(settings, "BACKPATH_STAFF_IDLE_MINUTES", 30)) * 60
    return PATIENT_SESSION_DAYS * 24 * 3600


def second_factor(user: Any) -> str | None:
    """'verify' (a code is due), 'setup' (staff must set up an authenticator) or None."""
    if user.is_verified():
        return None
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return "verify"
    if getattr(user, "is_clinic_staff", False) and getattr(settings, "BACKPATH_STAFF_MFA", False):
        return "setup"
    return None


class SessionGate:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            request.session.set_expiry(idle_seconds(user))
            due = second_factor(user)
            if due and not request.path.startswith(OPEN_PATHS):
                if request.path.startswith(("/api/", "/fhir/", "/cds-services/")):
                    return JsonResponse(
                        {"detail": "Two-factor sign-in is required: finish it in the browser."},
                        status=403,
                    )
                return redirect("logins:mfa_verify" if due == "verify" else "logins:mfa_setup")
        return self.get_response(request)
