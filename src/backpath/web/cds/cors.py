"""CORS for the CDS Hooks endpoints: browser-based CDS clients call them from other origins.

Callers authenticate with a bearer token, never with cookies, so any origin may call and
credentials are not allowed (no ``Access-Control-Allow-Credentials``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type",
    "Access-Control-Max-Age": "86400",
}

View = Callable[..., HttpResponse]


def cors(view: View) -> View:
    """Answer a preflight ``OPTIONS`` with 204 and add the CORS headers to every response."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
        else:
            response = view(request, *args, **kwargs)
        for name, value in HEADERS.items():
            response[name] = value
        return response

    return wrapped
