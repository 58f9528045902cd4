"""The one-screen summary at the top of the clinician's plan page: what a clinician reads
before anything else, and what waits for their decision.

It only regroups what the stored plan, the episode and its open alerts already say; the
detail (why, precautions, schedule, sources) stays one click away on each item.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from backpath.engine.plan_models import REASON_LABELS
from backpath.engine.stored_plan import StoredPlan
from backpath.web.patients.models import Episode


def _short_schedule(item: Any) -> str:
    """The schedule in a few words for one line of the summary ("2 sessions a week, 6 weeks")."""
    s = item.schedule
    if s.per_week:
        text = f"{s.per_week} a week"
        if s.minutes:
            text += f", {s.minutes} min"
        return text + (f", {s.weeks:g} weeks" if s.weeks else "")
    return f"{s.weeks:g} weeks" if s.weeks else ""


def line_one(plan: StoredPlan) -> list[dict[str, str]]:
    """Line 1, one row per item (alternatives are under their item below)."""
    return [
        {"treatment": r.treatment, "name": r.name, "schedule": _short_schedule(r)}
        for r in plan.recommended
        if r.line == 1 and not r.alternative_to
    ]


def decisions(plan: StoredPlan, review_due: dt.date | None, today: dt.date) -> list[dict[str, str]]:
    """What waits for a clinician's decision, each with the anchor of the place to decide it:
    the intake contradicting itself, concerns with a review date, items started only with a
    precaution checked, specialist referral options, and a review that is due."""
    out: list[dict[str, str]] = []
    triage = plan.triage
    for c in triage.contradictions:
        out.append({"text": f"The intake contradicts itself: {c.found}", "anchor": "triage-notes"})
    for concern in triage.concerns:
        out.append(
            {
                "text": f"Concern to look at within {concern.review_within_days} days: "
                f"{concern.label or concern.id}.",
                "anchor": "triage-notes",
            }
        )
    for r in plan.recommended:
        if r.clinician is not None:
            continue
        if r.precautions and r.line < 3:
            out.append(
                {"text": f"Check the precautions for {r.name} (line {r.line}), then accept "
                 "or drop it.", "anchor": f"item-{r.treatment}"}
            )  # fmt: skip
    referral = [r.name for r in plan.recommended if r.line == 3 and r.clinician is None]
    if referral:
        out.append(
            {"text": f"Specialist referral options to decide on: {', '.join(referral)}.",
             "anchor": "line-3"}
        )  # fmt: skip
    if review_due is not None and review_due <= today:
        out.append({"text": f"Review due since {review_due:%-d %b %Y}.", "anchor": "review-link"})
    return out


def left_out_groups(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Left-out items grouped by reason, in the contract's order of reasons, for sections that
    open on demand: a clinician looks for "why not X" by reason, not item by item."""
    order = {reason: i for i, reason in enumerate(REASON_LABELS)}
    groups: dict[str, dict[str, Any]] = {}
    for item in items:
        group = groups.setdefault(
            item["reason"],
            {"reason": item["reason"], "label": item["reason_label"], "items": []},
        )
        group["items"].append(item)
    return sorted(groups.values(), key=lambda g: order.get(g["reason"], len(order)))


def facts(plan: StoredPlan, episode: Episode) -> dict[str, Any]:
    """The numbers a clinician scans first: phase, risk, scores and the review date."""
    risk = plan.risk
    return {
        "phase": plan.phase,
        "risk": risk.startback if risk else "",
        "risk_total": risk.startback_total if risk else None,
        "scores": plan.scores,
        "review_due": episode.review_due,
        "review_in_weeks": plan.review_in_weeks,
    }
