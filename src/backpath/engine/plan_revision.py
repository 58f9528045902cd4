"""Accepted review suggestions into a new stored plan.

``revised_plan`` writes the clinician's accepted suggestions into a copy of the stored plan's
JSON: the engine decides what to suggest (``adapt``, on ``StoredPlan.to_plan()``); this module
only moves items the way each action says. The new document is validated by the one writer of
plan versions, like every other.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from backpath.engine.adapt import Suggestion

ACTION_LABELS = {
    "continue": "Continue",
    "add_line_2": "Add a second-line option",
    "switch": "Switch treatment",
    "escalate": "Escalate to specialist options",
    "stop_item": "Stop after an adverse event",
    "refer_multidisciplinary": "Refer to multidisciplinary care",
    "await_referral": "Await the red-flag referral",
}
CHOOSE_ONE_OR_MORE = {"add_line_2"}
"""Actions that list options: the clinician picks which of the treatments to take up."""


def suggestion_key(suggestion: Suggestion) -> str:
    """A stable id for a suggestion, so a posted choice is matched to the same suggestion."""
    return f"{suggestion.action}:{','.join(suggestion.treatments)}"


@dataclass
class Accepted:
    suggestion: Suggestion
    treatments: list[str]
    """The treatments the clinician took up (a subset for add_line_2, else all of them)."""


@dataclass
class Revision:
    plan: dict[str, Any]
    changes: list[tuple[str, str]] = field(default_factory=list)
    """(treatment id or "", what was done) per change, for ``PlanChange`` rows."""


def _find(plan: dict[str, Any], treatment: str) -> dict[str, Any] | None:
    return next((r for r in plan["recommended"] if r.get("treatment") == treatment), None)


def _to_line_1(plan: dict[str, Any], treatment: str, on: dt.date, why: str) -> str | None:
    item = _find(plan, treatment)
    if item is None or item.get("line") == 1:
        return None
    was = item.get("line")
    item["line"] = 1
    item["why"] = f"{item.get('why', '')} Moved to start now at the review of {on:%-d %b %Y}: {why}"
    return f"moved from line {was} to line 1"


def _drop(plan: dict[str, Any], treatment: str, reason: str, why: str) -> str | None:
    item = _find(plan, treatment)
    if item is None:
        return None
    plan["recommended"].remove(item)
    plan["not_recommended"].append(
        {
            "treatment": treatment,
            "name": item.get("name", treatment),
            "reason": reason,
            "why": why,
            "sources": list(item.get("sources", [])),
        }
    )
    return f"moved to not recommended ({reason})"


def revised_plan(
    plan: dict[str, Any],
    accepted: Iterable[Accepted],
    on: dt.date,
    reason: str,
    events: dict[str, str] | None = None,
) -> Revision:
    """A copy of ``plan`` with the accepted suggestions applied, and what changed.

    - add_line_2: each chosen treatment moves from line 2 to line 1.
    - switch: the first treatment (given a full course) moves to not recommended
      ("not_indicated_now"); the chosen alternatives move to line 1.
    - stop_item: the treatment moves to not recommended ("contraindicated") with
      "Stopped after an adverse event: ..." naming the events (``events``: treatment id to
      what was reported).
    - refer_multidisciplinary: the programme moves to line 1 and a referral note is added.
    - escalate: nothing moves; a referral note goes into ``notes``.
    - continue, await_referral: nothing moves; the decision is recorded.
    """
    new = copy.deepcopy(plan)
    new.setdefault("recommended", [])
    new.setdefault("not_recommended", [])
    new["notes"] = list(new.get("notes", []))
    changes: list[tuple[str, str]] = []
    day = f"{on:%-d %b %Y}"
    for choice in accepted:
        s = choice.suggestion
        label = ACTION_LABELS.get(s.action, s.action)
        done: list[tuple[str, str | None]] = []
        if s.action == "add_line_2":
            done = [(t, _to_line_1(new, t, on, reason)) for t in choice.treatments]
        elif s.action == "switch" and s.treatments:
            first, *alternatives = s.treatments
            chosen = [t for t in choice.treatments if t in alternatives]
            names = ", ".join((_find(new, t) or {}).get("name", t) for t in chosen)
            why = (
                f"Switched at the review of {day} after a full course without a meaningful "
                f"change, to {names}. {reason}"
            )
            done = [(first, _drop(new, first, "not_indicated_now", why))]
            done += [(t, _to_line_1(new, t, on, reason)) for t in chosen]
        elif s.action == "stop_item":
            for t in s.treatments:
                what = (events or {}).get(t) or s.why
                why = f"Stopped after an adverse event: {what}. Clinician: {reason}"
                done.append((t, _drop(new, t, "contraindicated", why)))
        elif s.action == "refer_multidisciplinary":
            new["notes"].append(f"Referral at the review of {day}: {s.why} Clinician: {reason}")
            done = [(t, _to_line_1(new, t, on, reason)) for t in s.treatments]
            done = [(t, what or "referral noted") for t, what in done]
        elif s.action == "escalate":
            new["notes"].append(
                f"Specialist referral at the review of {day}: {s.why} Clinician: {reason}"
            )
            done = [(t, "specialist referral noted") for t in s.treatments] or [
                ("", "specialist referral noted")
            ]
        else:  # continue, await_referral: a decision on record, the plan stays as it is
            done = [(t, "kept as it is") for t in s.treatments] or [("", "plan kept as it is")]
        changes += [(t, f"{label}: {what}. Reason: {reason}") for t, what in done if what]
    new["recommended"].sort(key=lambda r: r.get("line", 1))  # stable: plan order within a line
    return Revision(plan=new, changes=changes)
