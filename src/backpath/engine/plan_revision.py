"""Accepted review suggestions into a new stored plan.

``revised_plan`` writes the clinician's accepted suggestions into a new ``StoredPlan``: the
engine decides what to suggest (``adapt``, on ``StoredPlan.to_plan()``); this module only moves
items the way each action says. The new document is validated by the one writer of plan
versions, like every other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from backpath.engine.adapt import Suggestion
from backpath.engine.stored_plan import StoredLeftOut, StoredPlan, StoredRecommended

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
    plan: StoredPlan
    changes: list[tuple[str, str]] = field(default_factory=list)
    """(treatment id or "", what was done) per change, for ``PlanChange`` rows."""


@dataclass
class _Draft:
    """The items and notes being revised (the stored plan itself is immutable)."""

    recommended: list[StoredRecommended]
    not_recommended: list[StoredLeftOut]
    notes: list[str]

    def find(self, treatment: str) -> StoredRecommended | None:
        return next((r for r in self.recommended if r.treatment == treatment), None)

    def to_line_1(self, treatment: str, on: dt.date, why: str) -> str | None:
        item = self.find(treatment)
        if item is None or item.line == 1:
            return None
        moved = item.model_copy(
            update={
                "line": 1,
                "why": f"{item.why} Moved to start now at the review of {on:%-d %b %Y}: {why}",
            }
        )
        self.recommended[self.recommended.index(item)] = moved
        return f"moved from line {item.line} to line 1"

    def drop(self, treatment: str, reason: str, why: str) -> str | None:
        item = self.find(treatment)
        if item is None:
            return None
        self.recommended.remove(item)
        self.not_recommended.append(
            StoredLeftOut(
                treatment=treatment,
                name=item.name,
                reason=reason,  # a contract reason, set by the caller
                why=why,
                sources=item.sources,
            )
        )
        return f"moved to not recommended ({reason})"


def revised_plan(
    plan: StoredPlan,
    accepted: Iterable[Accepted],
    on: dt.date,
    reason: str,
    events: dict[str, str] | None = None,
) -> Revision:
    """``plan`` with the accepted suggestions applied, and what changed.

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
    new = _Draft(list(plan.recommended), list(plan.not_recommended), list(plan.notes))
    changes: list[tuple[str, str]] = []
    day = f"{on:%-d %b %Y}"
    for choice in accepted:
        s = choice.suggestion
        label = ACTION_LABELS.get(s.action, s.action)
        done: list[tuple[str, str | None]] = []
        if s.action == "add_line_2":
            done = [(t, new.to_line_1(t, on, reason)) for t in choice.treatments]
        elif s.action == "switch" and s.treatments:
            first, *alternatives = s.treatments
            chosen = [t for t in choice.treatments if t in alternatives]
            names = ", ".join(getattr(new.find(t), "name", t) for t in chosen)
            why = (
                f"Switched at the review of {day} after a full course without a meaningful "
                f"change, to {names}. {reason}"
            )
            done = [(first, new.drop(first, "not_indicated_now", why))]
            done += [(t, new.to_line_1(t, on, reason)) for t in chosen]
        elif s.action == "stop_item":
            for t in s.treatments:
                what = (events or {}).get(t) or s.why
                why = f"Stopped after an adverse event: {what}. Clinician: {reason}"
                done.append((t, new.drop(t, "contraindicated", why)))
        elif s.action == "refer_multidisciplinary":
            new.notes.append(f"Referral at the review of {day}: {s.why} Clinician: {reason}")
            done = [(t, new.to_line_1(t, on, reason)) for t in s.treatments]
            done = [(t, what or "referral noted") for t, what in done]
        elif s.action == "escalate":
            new.notes.append(
                f"Specialist referral at the review of {day}: {s.why} Clinician: {reason}"
            )
            done = [(t, "specialist referral noted") for t in s.treatments] or [
                ("", "specialist referral noted")
            ]
        else:  # continue, await_referral: a decision on record, the plan stays as it is
            done = [(t, "kept as it is") for t in s.treatments] or [("", "plan kept as it is")]
        changes += [(t, f"{label}: {what}. Reason: {reason}") for t, what in done if what]
    revised = plan.model_copy(
        update={
            "recommended": tuple(sorted(new.recommended, key=lambda r: r.line)),  # stable
            "not_recommended": tuple(new.not_recommended),
            "notes": tuple(new.notes),
        }
    )
    return Revision(plan=revised, changes=changes)
