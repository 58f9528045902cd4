"""The plan at a glance, copied onto its episode for the worklist: the latest version's status,
disposition and phase, and from the published version the review date and how many home
exercises fall due on each weekday.

``versions`` writes it whenever a version is stored or published (``refresh``); the worklist
sorts and filters on these columns in the database instead of reading every plan.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from backpath.engine.stored_plan import StoredPlan, read_stored_plan
from backpath.errors import InvalidInput

MONDAY = dt.date(2024, 1, 1)  # any Monday: the program's days repeat every week


def glance_of(latest: tuple[dict[str, Any], str] | None,
              published: tuple[dict[str, Any], dt.datetime] | None) -> dict[str, Any]:  # fmt: skip
    """The episode's columns from the latest version ``(plan, status)`` and the published one
    ``(plan, published at)``; an unreadable plan leaves its fields empty."""
    values: dict[str, Any] = {"plan_status": "none", "disposition": "", "phase": "",
                              "review_due": None, "due_by_weekday": []}  # fmt: skip
    if latest is not None:
        values["plan_status"] = "published" if latest[1] == "published" else "draft"
        doc = _read(latest[0])
        if doc is not None:
            values["disposition"], values["phase"] = doc.triage.disposition, doc.phase
    if published is not None:
        doc = _read(published[0])
        if doc is not None:
            if doc.review_in_weeks:
                start = timezone.localdate(published[1])
                values["review_due"] = start + dt.timedelta(weeks=doc.review_in_weeks)
            program = doc.home_program
            if program is not None:
                values["due_by_weekday"] = [
                    len(program.due_on(MONDAY + dt.timedelta(days=k))) for k in range(7)
                ]
    return values


def _read(plan: dict[str, Any]) -> StoredPlan | None:
    try:
        return read_stored_plan(plan)
    except InvalidInput:
        return None


def refresh(episode: Any) -> None:
    """Write the glance of ``episode``'s versions onto it (inside the caller's transaction)."""
    versions = episode.plan_versions.order_by("-number")
    latest = versions.values_list("plan", "status").first()
    published = (versions.filter(status="published").exclude(published=None)
                 .values_list("plan", "published").first())  # fmt: skip
    values = glance_of(latest, published)
    type(episode).objects.filter(pk=episode.pk).update(**values)
    for name, value in values.items():
        setattr(episode, name, value)
