"""What every signed-in request passes: the session's idle limit by role, and two-factor
sign-in (django-otp) where it is set up or required.

- Staff sessions end after ``BACKPATH_STAFF_IDLE_MINUTES`` (30) without a request; patients'
  after 14 days. The clock restarts server-side (``set_expiry``) at the first request of each
  minute: restarting it at every request wrote the session row on every page view, the
  largest cost of a busy clinic's requests, for no gain a minute of idle time would notice.
- A user with a confirmed authenticator must enter a code before anything else; clinic staff
  must set one up first when ``BACKPATH_STAFF_MFA`` is on (the default for ``backpath serve``;
  the demo turns it off). API calls with a bearer token carry no session and are not gated.
  The page a signed-in user was going to (a GET, e.g. an EHR launch waiting for the sign-in)
  is remembered, and the second factor continues there (``after_second_factor``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import devices_for_user

PATIENT_SESSION_DAYS = 14
SEEN = "_backpath_seen_minute"
NO_DEVICE = "_backpath_no_device"
"""Whether the user had no confirmed authenticator at the start of the minute: a device set up
in another session is asked for within a minute; the session that sets it up is verified."""
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
AFTER = "_backpath_after_second_factor"


def idle_seconds(user: Any) -> int:
    if getattr(user, "is_clinic_staff", False):
        return int(getattr(settings, "BACKPATH_STAFF_IDLE_MINUTES", 30)) * 60
    return PATIENT_SESSION_DAYS * 24 * 3600


def second_factor(user: Any, *, no_device: bool = False) -> str | None:
    """'verify' (a code is due), 'setup' (staff must set up an authenticator) or None.
    ``no_device``: the user had no confirmed authenticator a moment ago (not asked again)."""
    if user.is_verified():
        return None
    if not no_device and any(True for _ in devices_for_user(user, confirmed=True)):
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
            minute = int(time.time() // 60)
            session = request.session
            if session.get(SEEN) != minute:  # at most one session write a minute
                session[SEEN] = minute
                session.set_expiry(idle_seconds(user))
                session[NO_DEVICE] = not any(True for _ in devices_for_user(user, confirmed=True))
            due = second_factor(user, no_device=bool(session.get(NO_DEVICE)))
            if due and not request.path.startswith(OPEN_PATHS):
                if request.path.startswith(("/api/", "/fhir/", "/cds-services/")):
                    return JsonResponse(
                        {"detail": "Two-factor sign-in is required: finish it in the browser."},
                        status=403,
                    )
                if request.method == "GET":
                    session[AFTER] = request.get_full_path()
                return redirect("logins:mfa_verify" if due == "verify" else "logins:mfa_setup")
        return self.get_response(request)


def after_second_factor(request: HttpRequest) -> str:
    """Where to go once the second factor is done: the page the user was going to when the
    gate stopped them (a path on this site only), else the home page."""
    target = request.session.pop(AFTER, "")
    if isinstance(target, str) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("accounts:home")
