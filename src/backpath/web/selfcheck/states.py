"""A consultation request's states and the one writer of them.

new → contacted → booked, declined or spam (a new request may be booked, declined or marked
spam at once; spam can be put back to new). Every change is a ``RequestChange`` row with who
and when, and an audit event.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backpath.errors import InvalidInput
from backpath.web.selfcheck.models import ConsultationRequest, RequestChange

NEW, CONTACTED, BOOKED, DECLINED, SPAM = "new", "contacted", "booked", "declined", "spam"
NEXT: dict[str, tuple[str, ...]] = {
    NEW: (CONTACTED, BOOKED, DECLINED, SPAM),
    CONTACTED: (BOOKED, DECLINED, SPAM),
    BOOKED: (),
    DECLINED: (CONTACTED,),
    SPAM: (NEW,),
}
ACTION_LABELS = {CONTACTED: "Mark contacted", BOOKED: "Mark booked", DECLINED: "Decline",
                 SPAM: "Mark as spam", NEW: "Not spam"}  # fmt: skip


def move(req: ConsultationRequest, new: str, user: Any, note: str = "") -> RequestChange:
    """Change ``req`` to ``new``; ``InvalidInput('status', ...)`` names what is allowed."""
    with transaction.atomic():
        req = ConsultationRequest.objects.select_for_update().get(pk=req.pk)
        allowed = NEXT.get(req.status, ())
        if new not in allowed:
            names = ", ".join(allowed) or "nothing (it is final)"
            raise InvalidInput("status", f"a {req.status} request can become: {names}")
        change = RequestChange.objects.create(request=req, old=req.status, new=new,
                                              note=note.strip()[:300], by=user)  # fmt: skip
        req.status = new
        req.handled_by = user
        req.save(update_fields=["status", "handled_by"])
    return change
