"""The JSON answers of ``/cds-services`` besides the cards: errors as ``{"detail", "field"}``
(``field`` only when one is at fault) and the feedback receipt.

CDS Hooks forbids ``null`` and empty values (``""``, ``[]``, ``{}``) in its JSON, so an
absent part is left out rather than sent empty.
"""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse

EMPTY: tuple[Any, ...] = (None, "", [], {})


def error(status: int, detail: str, field: str | None = None, *, invalid_token: bool = False,
          **extra: Any) -> JsonResponse:  # fmt: skip
    """An error answer; a 401 challenges for a bearer token (``invalid_token`` when one was
    sent and refused, as RFC 6750 names it)."""
    body: dict[str, Any] = {"detail": detail}
    if field:
        body["field"] = field
    body.update({key: value for key, value in extra.items() if value not in EMPTY})
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    return response


def not_allowed(allowed: str) -> JsonResponse:
    response = error(405, f"Method not allowed; use {allowed}.")
    response["Allow"] = f"{allowed}, OPTIONS"
    return response
