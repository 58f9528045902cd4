"""``make_plan(assessment) -> Plan``: every treatment decided, then plan-wide passes.

Passes after the per-treatment decisions: budget steering between equivalents, the weekly
session limit, and the guarantee of an exercise-based element at line 1 for subacute and
chronic pain. Outside an emergency every treatment id ends up exactly once in the plan.
Last, the plan's exercise-based items get their home program (``engine.home_program``).
"""

from __future__ import annotations

from functools import lru_cache

from backpath import DISCLAIMER
from backpath.engine.assessment import Assessment
from backpath.engine.decide import Draft, Person, decide
from backpath.engine.home_program import HOME_TREATMENTS, PLAN_DISPOSITIONS, prescribe
from backpath.engine.plan_models import (
    NotRecommendedItem,
    Plan,
    PlanScores,
    Profile,
    Reason,
    RecommendedItem,
)
from backpath.engine.schedule import capped
from backpath.instruments.red_flags import TIMEFRAMES
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import Category

_PRIORITY = {Category.active_therapy: 0, Category.psychological: 1}


def _steer_budget(drafts: list[Draft], a: Assessment) -> None:
    budget = a.intake.preferences.budget
    if budget is None:
        return
    allowed = {t.value for t in load_knowledge().policy.budget_tiers[budget]}  # type: ignore[index]
    groups: dict[tuple[str, int], list[Draft]] = {}
    for d in drafts:
        if d.recommended and d.treatment.equivalence_group:
            groups.setdefault((d.treatment.equivalence_group, d.line), []).append(d)
    for members in groups.values():
        within = [d for d in members if d.treatment.cost_tier.value in allowed]
        if not within or len(within) == len(members):
            continue
        names = ", ".join(d.treatment.name for d in within)
        for d in members:
            if d not in within:
                d.exclude(
                    "budget",
                    f"Left out to keep within a {budget} budget: its cost is "
                    f"{d.treatment.cost_tier.value}. A lower-cost option of the same kind "
                    f"({names}) is in the plan instead; the evidence for each is on its own card.",
                    d.sources,
                )


def _limit_sessions(drafts: list[Draft], a: Assessment) -> None:
    limit = a.intake.preferences.max_sessions_per_week
    if limit is None:
        return
    for d in drafts:
        if d.recommended and d.schedule and d.schedule.per_week:
            d.schedule = capped(d.schedule, limit)
    first_line = [
        d for d in drafts if d.recommended and d.line == 1 and d.schedule and d.schedule.per_week
    ]
    first_line.sort(
        key=lambda d: (not d.treatment.exercise_based, _PRIORITY.get(d.treatment.category, 2))
    )
    remaining = limit
    for d in first_line:
        assert d.schedule is not None and d.schedule.per_week is not None
        if remaining < 1:
            d.line = 2
            d.why.append(f"Moved to line 2 to keep within the limit of {limit} sessions a week.")
            continue
        d.schedule = capped(d.schedule, remaining)
        remaining -= d.schedule.per_week or 0


def _after_exercise_failure(drafts: list[Draft], a: Assessment) -> set[str]:
    """Exercise that failed or flared brings multidisciplinary rehabilitation forward; returns
    the treatments brought forward."""
    if a.phase == "acute" or a.triage.disposition not in ("proceed", "referral_with_plan"):
        return set()
    kb = load_knowledge()
    rule = kb.policy.exercise_after_failure
    failed = any(
        kb.treatment(p.treatment).exercise_based
        and p.treatment not in rule.promote
        and (
            p.response == "adverse"
            or (p.response == "none" and p.weeks >= kb.policy.prior_non_response.min_weeks)
        )
        for p in a.intake.prior_treatments
    )
    if not failed:
        return set()
    promoted = set()
    for d in drafts:
        if d.recommended and d.treatment.id in rule.promote and d.line > 1:
            d.line = 1
            d.why.append(rule.promote_why.strip())
            d.sources.extend(s for s in rule.sources if s not in d.sources)
            promoted.add(d.treatment.id)
    return promoted


def _one_of_a_kind_at_line_1(drafts: list[Draft], first: set[str]) -> None:
    """At most one psychological programme at line 1: one brought forward after exercise
    failed (``first``), else the first in plan order that is not the intensive
    multidisciplinary programme; the others wait for the review."""
    limits = load_knowledge().policy.line_limits
    for category in limits.one_at_line_1:
        members = [
            d for d in drafts if d.recommended and d.line == 1 and d.treatment.category == category
        ]
        order = {t: n for n, t in enumerate(limits.preferred)}
        members.sort(
            key=lambda d: (d.treatment.id not in first, order.get(d.treatment.id, len(order)))
        )
        for d in members[1:]:
            d.line = 2
            d.why.append(
                f"Listed at line 2: one psychological programme at a time, and "
                f"{members[0].treatment.name} comes first."
            )


def _alternatives_at_line_2(drafts: list[Draft]) -> None:
    """Of equivalent options at line 2, the first in plan order is listed; the others are
    kept as alternatives to it rather than each listed as something to consider."""
    if not load_knowledge().policy.line_limits.one_per_group_at_line_2:
        return
    first: dict[str, Draft] = {}
    for d in drafts:
        group = d.treatment.equivalence_group
        if not (d.recommended and d.line == 2 and group):
            continue
        if group in first:
            d.alternative_to = first[group].treatment.id
        else:
            first[group] = d


def _ensure_exercise(drafts: list[Draft], a: Assessment) -> None:
    if a.phase == "acute" or a.triage.disposition not in ("proceed", "referral_with_plan"):
        return
    if any(d.recommended and d.line == 1 and d.treatment.exercise_based for d in drafts):
        return
    candidates = [d for d in drafts if d.recommended and d.treatment.exercise_based]
    home = [d for d in candidates if not (d.schedule and d.schedule.per_week)]
    if home or candidates:
        chosen = (home or candidates)[0]
        chosen.line = 1
        chosen.why.append(
            "Started now: every plan for persistent pain includes exercise from the start."
        )


def _review_in_weeks(a: Assessment) -> float:
    """The phase's review interval (a week when urgent), sooner when a triage concern asks."""
    weeks = load_knowledge().policy.review_in_weeks
    review: float = (
        weeks.urgent_referral
        if a.triage.disposition == "urgent_referral"
        else getattr(weeks, a.phase)
    )
    days = [c.review_within_days for c in a.triage.concerns]
    if days and min(days) / 7 < review:
        review = round(min(days) / 7, 1)
    return review


@lru_cache(maxsize=8192)
def _excluded(
    treatment: str, name: str, reason: Reason, why: tuple[str, ...], sources: tuple[str, ...]
) -> NotRecommendedItem:
    """Most exclusions repeat from plan to plan (same evidence, same phase); items are
    immutable, so identical ones are built once and shared."""
    return NotRecommendedItem(
        treatment=treatment, name=name, reason=reason, why=" ".join(why), sources=sources
    )


def _freeze(drafts: list[Draft]) -> tuple[list[RecommendedItem], list[NotRecommendedItem]]:
    recommended, excluded = [], []
    for d in drafts:
        t = d.treatment
        if d.recommended:
            assert d.schedule is not None
            recommended.append(
                RecommendedItem(
                    treatment=t.id,
                    name=t.name,
                    category=t.category.value,
                    line=d.line,
                    why=" ".join(d.why),
                    precautions=tuple(d.precautions),
                    schedule=d.schedule,
                    sources=tuple(d.sources),
                    alternative_to=d.alternative_to,
                )
            )
        else:
            assert d.reason is not None
            excluded.append(_excluded(t.id, t.name, d.reason, tuple(d.why), tuple(d.sources)))
    recommended.sort(key=lambda r: r.line)  # stable: contract order within a line
    return recommended, excluded


def make_plan(assessment: Assessment, profile: Profile = "consensus") -> Plan:
    """Build the plan for an assessment. Pure and deterministic."""
    a = assessment
    kb = load_knowledge()
    notes = list(a.scores.notes)
    recommended: list[RecommendedItem] = []
    excluded: list[NotRecommendedItem] = []
    review: float | None = None
    if a.triage.disposition == "emergency":
        notes.insert(0, "Emergency: seek emergency care now. No treatment plan is given.")
    else:
        person = Person.of(a)
        drafts = [decide(t, person, profile) for t in kb.treatments.values()]
        _steer_budget(drafts, a)
        promoted = _after_exercise_failure(drafts, a)
        _one_of_a_kind_at_line_1(drafts, promoted)
        _limit_sessions(drafts, a)
        _ensure_exercise(drafts, a)
        _alternatives_at_line_2(drafts)
        recommended, excluded = _freeze(drafts)
        review = _review_in_weeks(a)
    if a.triage.disposition == "urgent_referral":
        when = TIMEFRAMES[a.triage.timeframe or "within_days"][1]
        notes.insert(
            0,
            f"Urgent referral: specialist assessment {when}. Comfort measures only until cleared.",
        )
    notes += [
        " ".join(c.plan_note.split())
        for tag, c in kb.conditions.items()
        if c.plan_note and tag in a.conditions
    ]
    home_program = prescribe(a, recommended)
    if (
        home_program is None
        and a.triage.disposition in PLAN_DISPOSITIONS
        and any(r.treatment in HOME_TREATMENTS for r in recommended)
    ):
        notes.append(
            "No home exercise of the library fits this person's plan automatically; "
            "the clinician chooses the exercises."
        )
    s = a.scores
    return Plan(
        triage=a.triage,
        phase=a.phase,
        risk=a.risk,
        scores=PlanScores(nrs=s.nrs, odi_percent=s.odi_percent, rmdq=s.rmdq, peg=s.peg),
        guideline_profile=profile,
        recommended=recommended,
        not_recommended=excluded,
        review_in_weeks=review,
        notes=notes,
        disclaimer=DISCLAIMER,
        home_program=home_program,
    )
