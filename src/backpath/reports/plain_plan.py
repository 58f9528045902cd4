"""The published plan in plain words for the patient: lines, a week's timetable, education.

Nothing here decides care. It regroups what the stored plan and the knowledge data already say:
the line of each item, its schedule, the treatment card's plain text and the red-flag actions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backpath.engine.plan_models import nest_alternatives
from backpath.engine.stored_plan import StoredLeftOut, StoredPlan
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge
from backpath.reports.schedule import session_days

LINE_TITLES = {
    1: ("Start now", "What to begin with straight away."),
    2: (
        "Later if needed",
        "Options to add if the first steps have not helped enough by your review.",
    ),
    3: ("Specialist options", "Treatments a specialist may discuss if other care has not helped."),
}
EDUCATION_CARD = "education_self_care"


@dataclass
class Line:
    number: int
    title: str
    intro: str
    items: list[dict[str, Any]] = field(default_factory=list)


def _card_text(treatment_id: str) -> dict[str, str]:
    try:
        card = load_knowledge().treatment(treatment_id)
    except KeyError:
        return {}
    return {"description": card.description, "what_to_expect": card.what_to_expect}


def referred(plan: StoredPlan) -> bool:
    """The patient has been sent to a specialist: by triage, or by a clinician's decision."""
    return plan.triage.disposition in ("urgent_referral", "referral_with_plan")


def for_the_patient(plan: StoredPlan) -> list[Any]:
    """The recommended items a patient sees: specialist procedures (the knowledge's
    ``interventional`` category) only once they have been referred or a clinician chose
    one for them, so a first plan does not lead with injections."""
    knowledge = load_knowledge()

    def specialist(treatment: str) -> bool:
        card = knowledge.treatments.get(treatment)
        return card is not None and card.category == "interventional"

    def chosen(item: Any) -> bool:
        return item.clinician is not None and item.clinician.action in ("accept", "add")

    return [item for item in plan.recommended
            if not specialist(item.treatment) or referred(plan) or chosen(item)]  # fmt: skip


def lines(plan: StoredPlan) -> list[Line]:
    """Recommended items grouped by line, each with the card's plain description; equivalent
    options sit under the item they are an alternative to. Specialist procedures only when
    referred (``for_the_patient``)."""
    grouped: dict[int, Line] = {}
    for item in for_the_patient(plan):
        title, intro = LINE_TITLES.get(item.line, (f"Line {item.line}", ""))
        line = grouped.setdefault(item.line, Line(item.line, title, intro))
        shown = item.model_dump(mode="json", exclude_none=True)
        line.items.append({**shown, **_card_text(item.treatment)})
    for line in grouped.values():
        line.items = nest_alternatives(line.items)
    return [grouped[n] for n in sorted(grouped)]


def week_table(plan: StoredPlan) -> list[dict[str, Any]]:
    """One row per 'start now' item: a cell per weekday saying what to do that day.

    Clinic sessions are spread evenly over the week (staggered between treatments so they
    do not all land on Monday); home routines appear every day.
    """
    rows = []
    offset = 0
    for item in plan.recommended:
        if item.line != 1:
            continue
        schedule = item.schedule.model_dump(mode="json", exclude_none=True)
        per_week = schedule.get("per_week")
        if per_week:
            minutes = schedule.get("minutes")
            label = f"Session, {minutes} min" if minutes else "Session"
            days = session_days(int(per_week), offset)
            offset += 1
            cells = [label if d in days else "" for d in range(7)]
        elif schedule.get("routine"):
            cells = ["Routine"] * 7
        else:
            continue
        rows.append({"name": item.name, "cells": cells, "schedule": schedule})
    return rows


def education() -> dict[str, str]:
    """The education card's plain text (what it is, why it helps, what to expect)."""
    card = load_knowledge().treatment(EDUCATION_CARD)
    return {
        "name": card.name,
        "description": card.description,
        "how_it_works": card.how_it_works,
        "what_to_expect": card.what_to_expect,
    }


def warning_signs() -> list[dict[str, Any]]:
    """Red flags that need urgent help, grouped under the action the screen's data gives."""
    spec = red_flags.definition()
    labels = {item.id: item.label for item in spec.items}
    groups: dict[str, dict[str, Any]] = {}
    for flag, rule in spec.scoring.flags.items():
        if rule.disposition not in ("emergency", "urgent_referral"):
            continue
        group = groups.setdefault(  # the words for the patient, not the clinician's
            rule.public_action,
            {"action": rule.public_action, "disposition": rule.disposition, "signs": []},
        )
        group["signs"].append(labels[flag])
    return sorted(groups.values(), key=lambda g: -red_flags.severity(g["disposition"]))


def left_out_for_preferences(plan: StoredPlan) -> list[StoredLeftOut]:
    return [n for n in plan.not_recommended if n.reason == "preference"]


def left_out_for_budget(plan: StoredPlan) -> list[StoredLeftOut]:
    """Options left out for the budget the patient gave (never shown as their preference)."""
    return [n for n in plan.not_recommended if n.reason == "budget"]


def treatment_choices(plan: StoredPlan | None) -> list[tuple[str, str]]:
    """The plan's recommended items, for the diary's session and side-effect forms."""
    return [(r.treatment, r.name) for r in plan.recommended] if plan else []


def treatment_name(treatment_id: str) -> str:
    """The card's name for a treatment id (the id itself when the card is unknown)."""
    card = load_knowledge().treatments.get(treatment_id)
    return card.name if card else treatment_id
