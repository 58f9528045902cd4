"""Stored plan JSON to the engine's ``Plan``, and accepted review suggestions into new JSON.

``plan_from_json`` rebuilds the immutable model ``backpath.engine.adapt`` reviews, from the
contract JSON a ``PlanVersion`` stores (which may carry extra fields the contract allows).
``revised_plan`` writes the clinician's accepted suggestions into a copy of that JSON: the
engine decides what to suggest; this module only moves items the way each action says.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from backpath.engine import Plan
from backpath.engine.adapt import Suggestion
from backpath.engine.assessment import Risk, Triage
from backpath.engine.plan_models import NotRecommendedItem, PlanScores, RecommendedItem, Schedule
from backpath.knowledge import load_knowledge

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


def _known(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """Only the fields ``model`` declares (the contract allows extra ones; the model not)."""
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if k in model.model_fields}


def _recommended(item: dict[str, Any]) -> dict[str, Any]:
    card = load_knowledge().treatments.get(item.get("treatment", ""))
    out = _known(RecommendedItem, item)
    if card is not None:
        out.setdefault("name", card.name)
        out.setdefault("category", str(card.category))
    out.setdefault("precautions", [])
    out.setdefault("sources", [])
    out["schedule"] = _known(Schedule, item.get("schedule"))
    return out


def _not_recommended(item: dict[str, Any]) -> dict[str, Any]:
    card = load_knowledge().treatments.get(item.get("treatment", ""))
    out = _known(NotRecommendedItem, item)
    if card is not None:
        out.setdefault("name", card.name)
    out.setdefault("sources", [])
    return out


def plan_from_json(data: dict[str, Any]) -> Plan:
    """The engine's ``Plan`` from contract JSON (``schema`` → ``schema_``; unknown extras and
    missing optional fields tolerated). Raises pydantic's ``ValidationError`` when a required
    part, or the ``home_program`` when present, is missing or malformed."""
    risk = data.get("risk")
    program = data.get("home_program")
    return Plan.model_validate(
        {
            "schema_": data.get("schema", "backpath.plan/1"),
            "triage": _known(Triage, data.get("triage")),
            "phase": data.get("phase"),
            "risk": _known(Risk, risk) if risk else None,
            "scores": _known(PlanScores, data.get("scores")),
            "guideline_profile": data.get("guideline_profile", "consensus"),
            "recommended": [_recommended(r) for r in data.get("recommended", [])],
            "not_recommended": [_not_recommended(n) for n in data.get("not_recommended", [])],
            "review_in_weeks": data.get("review_in_weeks"),
            "notes": list(data.get("notes", [])),
            "disclaimer": data.get("disclaimer", ""),
            "home_program": program or None,
        }
    )


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
