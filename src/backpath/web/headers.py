"""No copy of patient data in a browser's or a proxy's cache: every response that does not set
its own caching (static files and exercise pictures do; they carry no patient data) is
``Cache-Control: private, no-store`` — pages, the API, FHIR, CDS Hooks and calendar feeds.
Placed after WhiteNoise, so static files keep their long cache."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

NO_STORE = "private, no-store"


class NoStore:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = NO_STORE
        return response
