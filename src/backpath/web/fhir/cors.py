"""CORS for the FHIR endpoints, so that SMART on FHIR browser apps can call them.

Only origins the operator lists in ``BACKPATH_FHIR_CORS_ORIGINS`` get
``Access-Control-Allow-Origin`` (their own origin echoed; ``*`` in the list allows any).
Credentials are never allowed (no ``Access-Control-Allow-Credentials``): a page of another
origin cannot ride on a signed-in clinician's session cookie, it must present a bearer
token. Every answer says ``Vary: Origin``, so no cache serves one origin's answer to another.

A preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) from a listed
origin gets 204 with the methods (GET, HEAD, OPTIONS) and request headers (Authorization,
Content-Type, If-None-Match, If-Modified-Since, Prefer, Accept) allowed; from any other
origin a 403 OperationOutcome. Answers expose ETag, Last-Modified, Location,
Content-Location and WWW-Authenticate to the app's script.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from backpath.web.fhir.responses import FhirError, error_response

ALLOW_METHODS = "GET, HEAD, OPTIONS"
ALLOW_HEADERS = "Authorization, Content-Type, If-None-Match, If-Modified-Since, Prefer, Accept"
EXPOSE_HEADERS = "ETag, Last-Modified, Location, Content-Location, WWW-Authenticate"
MAX_AGE = "600"

View = Callable[..., HttpResponse]


def allowed(origin: str | None) -> bool:
    """Whether a browser app of ``origin`` may read the answers."""
    if not origin:
        return False
    listed = settings.BACKPATH_FHIR_CORS_ORIGINS
    return "*" in listed or origin.lower() in listed


def preflight(request: HttpRequest, origin: str) -> HttpResponse:
    if not allowed(origin):
        refusal = FhirError(
            403,
            "forbidden",
            f"Origin {origin[:100]}: browser apps of this origin may not call this server "
            "(the operator lists the allowed ones).",
        )
        return error_response(request, refusal)
    response = HttpResponse(status=204)
    response["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response["Access-Control-Max-Age"] = MAX_AGE
    return response


def cors(view: View) -> View:
    """Answer preflights, and add the CORS headers to every answer of ``view``."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        origin = request.headers.get("Origin")
        asks = request.headers.get("Access-Control-Request-Method")
        if request.method == "OPTIONS" and origin and asks:
            response = preflight(request, origin)
        else:
            response = view(request, *args, **kwargs)
        if allowed(origin):
            response["Access-Control-Allow-Origin"] = str(origin)
            response["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        patch_vary_headers(response, ["Origin"])
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]
    return wrapped
