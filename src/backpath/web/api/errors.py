"""Every API error is JSON ``{"detail": "...", "field": ...}``; bad input is 422, never 500.

- A body that is not JSON, or not sent as JSON: 422, field ``body``.
- A body, query or path value that fails its schema: 422, the first error, field such as
  ``answers[2]`` or ``limit``.
- ``InvalidInput`` from the domain (intake, instrument answers): 422 with its field, such as
  ``pain.nrs_now``.
- Not logged in or a bad token: 401 with ``WWW-Authenticate: Bearer``; not allowed: 403;
  another clinic's object or none at all: 404.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from backpath.errors import Conflict, InvalidInput, UnreadableBody, field_path


class ErrorOut(Schema):
    detail: str
    """What went wrong and, for bad input, what is allowed."""
    field: str | None = None
    """The offending field for a 422 (dotted path, list index in brackets), else null."""


ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
LOGIN_NEEDED = "Authentication required: log in, or send 'Authorization: Bearer <key>'."


class JsonBodyParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        content_type = request.content_type or ""
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise UnreadableBody(
                f"must be JSON sent with Content-Type: application/json, got {content_type!r}"
            )
        try:
            data = json.loads(request.body)
            where = nul_in(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            raise UnreadableBody(f"is not valid JSON ({exc})") from None
        if where is not None:
            raise InvalidInput(where, "must not contain a NUL character (\\u0000)")
        return data


def nul_in(data: Any, path: str = "") -> str | None:
    """The path of the first string (or key) holding a NUL character, which PostgreSQL cannot
    store; None when there is none. Refused at the edge, on every database alike."""
    if isinstance(data, str):
        return (path or "body") if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            inner = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return inner
            found = nul_in(value, inner)
            if found is not None:
                return found
    if isinstance(data, list):
        for index, value in enumerate(data):
            found = nul_in(value, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """``('body', 'entry', 'answers', 2)`` -> ``answers[2]``; ``('query', 'limit')`` -> ``limit``.

    The source (body, query, path) is dropped, and for a body so is the parameter's name.
    """
    source, *rest = loc or ["body"]
    if source == "body" and rest:
        rest = rest[1:]
    return field_path(rest) or str(source)


def _error(api: NinjaAPI, request: HttpRequest, status: int, detail: str, field: Any = None):
    return api.create_response(request, {"detail": detail, "field": field}, status=status)


def install(api: NinjaAPI) -> None:
    """Register the handlers that give every error the ``ErrorOut`` shape."""

    def invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
        return _error(api, request, 422, str(exc), exc.field)

    def invalid_params(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        field = field_of(first.get("loc", ()))
        message = str(first.get("msg", "is not valid"))
        return _error(api, request, 422, f"{field}: {message}", field)

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, InvalidInput):  # from the body parser
            return _error(api, request, 422, str(exc.__cause__), exc.__cause__.field)
        if not isinstance(exc, AuthenticationError):
            return _error(api, request, exc.status_code, str(exc))
        # Ninja raises a bare AuthenticationError ("Unauthorized") when no credentials came.
        detail = LOGIN_NEEDED if str(exc) == AuthenticationError().message else str(exc)
        response = _error(api, request, exc.status_code, detail)
        response["WWW-Authenticate"] = 'Bearer realm="BackPath"'
        return response

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _error(api, request, 404, "Not found.")

    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return _error(api, request, 409, exc.message)

    # Ninja types a handler's exception as ``E | type[E]``; it always passes the instance.
    api.add_exception_handler(InvalidInput, invalid_input)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, invalid_params)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, not_found)  # type: ignore[arg-type]
    api.add_exception_handler(Conflict, conflict)  # type: ignore[arg-type]
