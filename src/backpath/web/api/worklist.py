"""``GET /api/v1/worklist``: the clinic's worklist for other systems (clinic staff only), the
same rows in the same order as the page (``clinic.worklist``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from backpath import DISCLAIMER
from backpath.web.api.authentication import require_staff
from backpath.web.api.errors import ERRORS
from backpath.web.audit.record import record
from backpath.web.clinic.worklist import Filters, rows_of, worklist

router = Router(tags=["worklist"])
ATTENTION = ("0 emergency, 1 urgent, 2 open alert, 3 review overdue, 9 nothing pressing; the "
             "list is in this order.")  # fmt: skip


class WorklistQuery(Schema):
    q: str = Field("", max_length=100, description="Part of a name or clinic identifier.")
    mine: bool = Field(False, description="Only episodes you are responsible for.")
    status: Literal["active", "all", "discharged"] = "active"
    limit: int = Field(50, ge=1, le=200, description="Rows per page, 1 to 200.")
    offset: int = Field(0, ge=0, le=1_000_000_000, description="How many to skip (up to 10^9).")


class WorklistRow(Schema):
    patient_id: int
    name: str
    clinic_identifier: str
    attention: int = Field(description=ATTENTION)
    reasons: list[str]
    open_alerts: int
    episode_id: int | None
    disposition: str
    phase: str
    plan_status: str = Field(description="none, draft or published.")
    review_due: dt.date | None
    review_overdue: bool
    last_diary_entry: dt.date | None
    exercises_done_this_week: int | None
    exercises_due_this_week: int | None


class WorklistPage(Schema):
    disclaimer: str = DISCLAIMER
    count: int
    limit: int
    offset: int
    items: list[WorklistRow]


@router.get("/worklist", response={200: WorklistPage, **ERRORS})
def get_worklist(request: HttpRequest, query: Query[WorklistQuery]):
    """Who needs attention first: open alerts and red flags, then overdue reviews, then by
    name (clinic staff only)."""
    user = require_staff(request)
    today = timezone.localdate()
    rows = worklist(user, Filters(q=query.q.strip(), mine=query.mine, status=query.status), today)
    page = rows_of(list(rows[query.offset : query.offset + query.limit]), today)
    record(request, "read", None, detail=f"API worklist offset={query.offset}")
    items = [
        {"patient_id": r.patient.pk, "name": str(r.patient),
         "clinic_identifier": r.patient.clinic_identifier, "attention": r.priority,
         "reasons": r.reasons, "open_alerts": r.open_alerts, "episode_id": r.episode_id,
         "disposition": r.disposition, "phase": r.phase, "plan_status": r.plan_status,
         "review_due": r.review_due, "review_overdue": r.review_overdue,
         "last_diary_entry": r.last_entry, "exercises_done_this_week": r.exercises_done,
         "exercises_due_this_week": r.exercises_due}
        for r in page
    ]  # fmt: skip
    return {"count": rows.count(), "limit": query.limit, "offset": query.offset, "items": items}
