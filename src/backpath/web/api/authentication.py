"""Who is calling: a bearer token (scripts) or the browser session (with CSRF).

Both give the same user, also set as ``request.user`` so audit records name the caller.
The ownership rules are the web app's: ``Patient.objects.visible_to(user)`` for data, and
``require_staff`` for the clinician endpoints (a patient gets 403).

- No credentials: 401.
- A bearer token that is unknown, revoked or of an inactive user: 401, even when a session
  cookie is also sent (a bad token is never silently replaced by the session).
- A session on an unsafe method (POST) without a valid CSRF token: 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from backpath.web import lookups


class BearerToken(HttpBearer):
    """``Authorization: Bearer <key>`` with a key from ``create_api_token``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = lookups.api_token_user(token)
        if user is None:
            raise AuthenticationError(message="The API token is unknown, expired or revoked.")
        refusal = lookups.token_refusal(user, "api", request.method or "GET")
        if refusal:
            raise AuthorizationError(message=refusal)
        request.user = user
        return user


class SessionWithCsrf(SessionAuth):
    """The logged-in browser session; unsafe methods need Django's CSRF token.

    Ninja's own session auth checks CSRF before it looks at the session, which would answer
    403 instead of 401 to a caller who is not logged in; here the session comes first.
    """

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise AuthorizationError(
                message="CSRF check failed: send the csrftoken cookie's value in the "
                "X-CSRFToken header."
            )
        return user


def require_staff(request: HttpRequest) -> Any:
    """The calling user if clinic staff (clinician or lead); otherwise 403."""
    user = request.auth  # type: ignore[attr-defined]
    if not getattr(user, "is_clinic_staff", False):
        raise AuthorizationError(message="This endpoint is for clinic staff.")
    return user


def require_lead(request: HttpRequest) -> Any:
    """The calling user if a clinic lead; otherwise 403 (a clinician or a patient)."""
    user = request.auth  # type: ignore[attr-defined]
    if not getattr(user, "is_lead", False):
        raise AuthorizationError(message="This endpoint is for the clinic lead.")
    return user
