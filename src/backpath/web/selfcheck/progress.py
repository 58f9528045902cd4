"""Where a visitor is in the self-check, kept in their session between requests.

Every answer is posted and then redirected to a page that reads it back from here (Post,
Redirect, Get), so reloading or going back never posts again, and no answer ever travels in a
URL. The session holds one self-check per clinic; it is dropped once the request is sent (only
what the thank-you page shows is kept) and ignored after ``MAX_AGE`` seconds.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

MAX_AGE = 2 * 3600  # seconds a self-check may take


def _key(clinic_id: int) -> str:
    return f"selfcheck:{clinic_id}"


def load(request: HttpRequest, clinic_id: int) -> dict[str, Any]:
    """The visitor's answers so far for this clinic ({} when none, or when too old)."""
    state = request.session.get(_key(clinic_id))
    if not isinstance(state, dict) or time.time() - float(state.get("started", 0)) > MAX_AGE:
        return {}
    return dict(state)


def save(request: HttpRequest, clinic_id: int, state: dict[str, Any]) -> None:
    request.session[_key(clinic_id)] = {"started": time.time(), **state}


def sent(request: HttpRequest, clinic_id: int, flags: dict[str, bool] | None) -> None:
    """The request is stored: forget the answers, keep only what the thank-you page needs
    (the red flags of an act-now request, whose advice it repeats)."""
    save(request, clinic_id, {"sent": True, "flags": flags, "act_now": flags is not None})
