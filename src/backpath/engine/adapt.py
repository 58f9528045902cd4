"""``adapt(plan, progress, weeks_since_start) -> PlanRevision``: what to change at a review.

Rules run in a fixed order, safety first:

1. ``stop_item`` for every recommended item linked to an adverse event, serious or not.
2. Emergency and urgent-referral plans are not adapted: one ``await_referral`` (an action
   of its own, so a red-flag plan never reads "continue").
3. Improved, or response not yet judgeable (no follow-up pain score, under half of the
   planned sessions attended, review not due): ``continue`` line 1, saying why.
4. No meaningful change or worse at review: ``switch`` an item given a full course for an
   untried line-2 item of its equivalence group, ``add_line_2``; for chronic pain after long
   enough (or a line-2 course) ``refer_multidisciplinary`` and ``escalate`` to the plan's
   line-3 options as a specialist referral; line 1 continues.

Suggestions name only items the plan recommends, never an interventional item outside line 3,
and never opioids except to stop them. Deterministic: plan order throughout.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from backpath import DISCLAIMER
from backpath.engine.plan_models import Plan, RecommendedItem
from backpath.instruments import red_flags
from backpath.instruments.answers import number_in_range
from backpath.knowledge import load_knowledge
from backpath.tracking import MEASURE_LABELS, Progress

Action = Literal["continue", "add_line_2", "switch", "escalate", "stop_item",
                 "refer_multidisciplinary", "await_referral"]  # fmt: skip

# Below this share of planned sessions attended, the response cannot be judged fairly
# (backpath_clinical_review).
MIN_ATTENDANCE = 0.5
# Pain still unchanged after this many weeks of care is chronic and calls for a specialist
# review of the next options (acp2017, nice_ng59).
ESCALATE_AFTER_WEEKS = 12.0
# The base of every plan: kept whatever the response, never switched (nice_ng59, acp2017).
FOUNDATION = frozenset({"education_self_care", "stay_active"})
# Never proposed by a review; a prescriber decides on opioids outside it (acp2017, nice_ng59).
NEVER_PROPOSED = frozenset({"opioids"})
MULTIDISCIPLINARY = "multidisciplinary_rehabilitation"
MAX_WEEKS = 520.0  # ten years of follow-up: anything longer is a data-entry error
CHANGE_SOURCES = ("ostelo2008",)
ESCALATION_SOURCES = ("acp2017", "nice_ng59")
SAFETY_SOURCES = ("backpath_clinical_review",)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Suggestion(_Frozen):
    action: Action
    treatments: list[str]
    """Ids of the plan's recommended items it concerns (a switch: from, then to)."""
    why: str
    sources: list[str]


class PlanRevision(_Frozen):
    suggestions: list[Suggestion]
    summary: str
    disclaimer: str = DISCLAIMER


def _suggest(
    action: Action, items: list[RecommendedItem], why: str, *sources: tuple[str, ...]
) -> Suggestion:
    cited = [s for group in sources for s in group] + [s for r in items for s in r.sources]
    return Suggestion(
        action=action,
        treatments=[r.treatment for r in items],
        why=why,
        sources=list(dict.fromkeys(cited)),
    )


def _names(items: list[RecommendedItem]) -> str:
    return ", ".join(r.name for r in items)


def _stops(plan: Plan, progress: Progress) -> list[Suggestion]:
    out = []
    for item in plan.recommended:
        events = [e for e in progress.adverse_events if e.treatment == item.treatment]
        if not events:
            continue
        serious = any(e.serious for e in events)
        what = "; ".join(f"{e.on.isoformat()}: {e.description}" for e in events)
        then = "See your clinician promptly." if serious else "Talk to your clinician first."
        kind = "A serious adverse event" if serious else "An adverse event"
        why = f"Stop {item.name}. {kind} was reported ({what}). {then}"
        out.append(Suggestion(action="stop_item", treatments=[item.treatment], why=why,
                              sources=[*SAFETY_SOURCES]))  # fmt: skip
    return out


def _usable(plan: Plan, stopped: set[str]) -> list[RecommendedItem]:
    """Items a review may still propose: not stopped, not opioids, procedures at line 3 only."""
    return [
        r
        for r in plan.recommended
        if r.treatment not in stopped
        and r.treatment not in NEVER_PROPOSED
        and r.category != "investigational"
        and (r.category != "interventional" or r.line == 3)
    ]


def _pain_change(progress: Progress) -> str:
    m = progress.status_measure
    if m is None:
        return "No follow-up pain score has been recorded yet"
    r = progress.responses[m]
    return f"{MEASURE_LABELS[m]} went from {r.baseline:g} to {r.current:g}"


def _course_done(item: RecommendedItem, progress: Progress) -> bool:
    course = item.schedule.sessions
    return bool(course) and progress.attended(item.treatment) >= (course or 0)


def _switches(items: list[RecommendedItem], progress: Progress) -> list[Suggestion]:
    kb = load_knowledge()
    group = {r.treatment: kb.treatment(r.treatment).equivalence_group for r in items}
    out = []
    for r in items:
        if r.line > 2 or r.treatment in FOUNDATION or not group[r.treatment]:
            continue
        if not _course_done(r, progress):  # too soon to call a non-response
            continue
        to = [
            x
            for x in items
            if x.line == 2 and x is not r and group[x.treatment] == group[r.treatment]
            and not progress.attended(x.treatment)
        ]  # fmt: skip
        if to:
            why = (
                f"{r.name} was attended for its full course without a meaningful change in "
                f"pain; an option with a similar role may suit better: {_names(to)}."
            )
            out.append(_suggest("switch", [r, *to], why, CHANGE_SOURCES))
    return out


def _not_responding(
    plan: Plan, progress: Progress, weeks: float, items: list[RecommendedItem]
) -> list[Suggestion]:
    change = f"{_pain_change(progress)} after {weeks:g} weeks: " + (
        "meaningfully worse; check with your clinician."
        if progress.status == "worse"
        else "less than a meaningful change."
    )
    out = _switches(items, progress)
    switched = {t for s in out for t in s.treatments}
    tried_line_2 = any(r.line == 2 and _course_done(r, progress) for r in items)
    escalating = plan.phase == "chronic" and (weeks >= ESCALATE_AFTER_WEEKS or tried_line_2)
    line_2 = [
        r
        for r in items
        if r.line == 2 and r.treatment not in switched and not progress.attended(r.treatment)
        and not (escalating and r.treatment == MULTIDISCIPLINARY)
    ]  # fmt: skip
    if line_2:
        why = f"{change} Consider adding one of the second-line options: {_names(line_2)}."
        out.append(_suggest("add_line_2", line_2, why, CHANGE_SOURCES))
    if escalating:
        mdt = [r for r in items if r.treatment == MULTIDISCIPLINARY and r.line != 1]
        if mdt:
            why = "A programme combining physical and psychological care suits chronic pain "
            why += "that single treatments have not helped enough."
            out.append(_suggest("refer_multidisciplinary", mdt, why, ESCALATION_SOURCES))
        line_3 = [r for r in items if r.line == 3]
        why = f"{change} For chronic pain that conservative care has not helped enough, "
        why += "guidelines consider specialist options. " + (
            f"A specialist may consider: {_names(line_3)}." if line_3 else
            "This plan holds no line-3 option; a specialist reviews the plan as a whole."
        )  # fmt: skip
        out.append(_suggest("escalate", line_3, why, ESCALATION_SOURCES))
    keep = [r for r in items if r.line == 1 and r.treatment not in switched]
    if keep:
        why = f"Keep going with the first-line care: {_names(keep)}."
        out.append(_suggest("continue", keep, why))
    return out


def _review(plan: Plan, progress: Progress, weeks: float, stopped: set[str]) -> list[Suggestion]:
    items = _usable(plan, stopped)
    line_1 = [r for r in items if r.line == 1]
    attended, planned = progress.sessions_of(r.treatment for r in items)
    review = plan.review_in_weeks or 0.0
    if progress.status == "improved":
        meds = [r for r in line_1 if r.category == "medication"]
        taper = f" Ask your clinician about tapering {_names(meds)}." if meds else ""
        why = f"{_pain_change(progress)}: a meaningful improvement. Keep going.{taper}"
        return [_suggest("continue", line_1, why, CHANGE_SOURCES)]
    if progress.status == "unknown":
        why = "No follow-up pain score (NRS or PEG) yet, so the response cannot be judged."
    elif planned and attended / planned < MIN_ATTENDANCE:
        why = (
            f"Only {attended} of {planned} planned sessions were attended, so the response "
            "cannot be judged fairly yet. Address what gets in the way of attending first."
        )
    elif weeks < review:
        why = f"It is early: the plan is reviewed at {review:g} weeks."
    else:
        return _not_responding(plan, progress, weeks, items)
    if progress.status == "worse":
        why += f" {_pain_change(progress)}, meaningfully worse: check with your clinician."
    return [_suggest("continue", line_1, why, CHANGE_SOURCES)]


def _await_referral(plan: Plan) -> Suggestion:
    then = (
        "seek emergency care now"
        if plan.triage.disposition == "emergency"
        else "keep to comfort measures until serious disease is ruled out"
    )
    why = f"A red-flag referral comes first: follow it and {then}. The plan is not adapted."
    return _suggest("await_referral", [], why, red_flags.definition().sources)


def _summary(plan: Plan, progress: Progress, suggestions: list[Suggestion]) -> str:
    if plan.triage.disposition in ("emergency", "urgent_referral"):
        head = "Red-flag referral: the plan is not adapted until it is done."
    elif progress.status == "unknown":
        head = "Response unknown: no follow-up pain score yet."
    else:
        head = f"{_pain_change(progress)}: {progress.status.replace('_', ' ')}."
    actions = ", ".join(dict.fromkeys(s.action.replace("_", " ") for s in suggestions))
    planned = {r.treatment for r in plan.recommended}
    others = len([e for e in progress.adverse_events if e.treatment not in planned])
    extra = f" {others} adverse event(s) not linked to a plan item: tell your clinician."
    return f"{head} Suggested: {actions}.{extra if others else ''}"


def adapt(plan: Plan, progress: Progress, weeks_since_start: float) -> PlanRevision:
    """Review ``plan`` against ``progress``, ``weeks_since_start`` weeks into care.

    Pure and deterministic. Raises ``InvalidInput('weeks_since_start', ...)`` unless it is a
    number of weeks from 0 to ``MAX_WEEKS``.
    """
    weeks = number_in_range(weeks_since_start, 0, MAX_WEEKS, "weeks_since_start", whole=False)
    stops = _stops(plan, progress)
    stopped = {t for s in stops for t in s.treatments}
    red_flag = plan.triage.disposition in ("emergency", "urgent_referral")
    rest = [_await_referral(plan)] if red_flag else _review(plan, progress, weeks, stopped)
    suggestions = [*stops, *rest]
    return PlanRevision(suggestions=suggestions, summary=_summary(plan, progress, suggestions))
