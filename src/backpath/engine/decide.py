"""The per-person decision for one treatment: recommend (with line) or leave out (with reason).

Checks run in a fixed order, safety first, so that the reason shown is the most important one:
the safety blocks of ``eligibility`` (red flag, investigational, absolute contraindication or
prior harm), evidence for the phase and the guideline's own preconditions, advice and activity
only without pain or disability, hard limits (procedures only where indicated), indication,
prior non-response, the person's preferences. Rules are generic; which tags, treatments and
lines apply is data in the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from backpath.engine import eligibility
from backpath.engine.assessment import Assessment
from backpath.engine.eligibility import label, pain_level
from backpath.engine.intake import PriorTreatment
from backpath.engine.plan_models import Profile, Reason, Schedule
from backpath.engine.schedule import schedule_for
from backpath.engine.stance import stance
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import Category, LineWhen, Treatment

__all__ = ["Card", "Draft", "Person", "card", "decide", "label", "matches", "pain_level"]


@dataclass(slots=True)
class Draft:
    """A decision under construction; planning passes may still move or drop it."""

    treatment: Treatment
    recommended: bool
    why: list[str]
    sources: list[str]
    line: int = 0
    reason: Reason | None = None
    precautions: list[str] = field(default_factory=list)
    schedule: Schedule | None = None
    alternative_to: str | None = None

    def exclude(self, reason: Reason, why: str, sources: list[str] | None = None) -> None:
        self.recommended = False
        self.reason = reason
        self.why = [why]
        if sources is not None:
            self.sources = sources


def matches(when: LineWhen, a: Assessment) -> bool:
    if when.risk is not None and (a.risk is None or a.risk.startback not in when.risk):
        return False
    if when.min_nrs is not None and pain_level(a) < when.min_nrs:
        return False
    return when.leg_pain is None or a.intake.episode.leg_pain in when.leg_pain


@dataclass(frozen=True, slots=True)
class Card:
    """What the per-person rules need from a treatment file, precomputed once per process."""

    treatment: Treatment
    interventional: bool
    schedule: Schedule


@cache
def card(treatment_id: str) -> Card:
    t = load_knowledge().treatment(treatment_id)
    return Card(
        treatment=t,
        interventional=t.category == Category.interventional,
        schedule=schedule_for(t.course),
    )


@dataclass(frozen=True, slots=True)
class Person:
    """The parts of an assessment every decision looks at, gathered once per plan."""

    assessment: Assessment
    conditions: frozenset[str]
    avoid: frozenset[str]
    prior: dict[str, list[PriorTreatment]]
    urgent: bool
    advice_only: bool
    """No pain and at most minimal disability (policy.yaml): advice and activity only."""

    @classmethod
    def of(cls, a: Assessment) -> Person:
        prior: dict[str, list[PriorTreatment]] = {}
        for p in a.intake.prior_treatments:
            prior.setdefault(p.treatment, []).append(p)
        prefs = a.intake.preferences
        return cls(
            assessment=a,
            conditions=a.conditions,
            avoid=frozenset(prefs.avoid),
            prior=prior,
            urgent=a.triage.disposition == "urgent_referral",
            advice_only=_advice_only(a),
        )


def _advice_only(a: Assessment) -> bool:
    rule = load_knowledge().policy.advice_and_activity_only
    s = a.scores
    return (
        pain_level(a) <= rule.max_nrs
        and (s.odi_percent is None or s.odi_percent <= rule.max_odi_percent)
        and (s.rmdq is None or s.rmdq <= rule.max_rmdq)
    )


def decide(t: Treatment, person: Person, profile: Profile) -> Draft:
    """Decide one treatment for one assessed person (not called in an emergency).

    Whatever the reason for leaving a treatment out, the person's own exclusion is named too,
    so the plan always says what their preferences ruled out (safety rule 6).
    """
    c = card(t.id)
    avoided = eligibility.avoided(t, person.avoid)
    d = _decide(c, person, profile)
    if avoided and d.reason != "preference":
        d.why.append(f"It is also left out by preference: it involves {', '.join(avoided)}.")
    return d


def _decide(c: Card, person: Person, profile: Profile) -> Draft:
    t = c.treatment
    a = person.assessment
    st = stance(t.id, a.phase, profile)
    d = Draft(treatment=t, recommended=True, why=[st.why], sources=list(st.sources), line=st.line)
    prior = person.prior.get(t.id, [])

    block = eligibility.blocked(t, a)
    if block is not None:
        d.exclude(block.reason, block.why, list(block.sources))
        return d
    policy = load_knowledge().policy
    if person.advice_only and t.category not in policy.advice_and_activity_only.categories:
        d.exclude(
            "not_indicated_now",
            policy.advice_and_activity_only.why.strip(),
            list(policy.advice_and_activity_only.sources),
        )
    elif person.urgent:
        d.line = 1
        d.why = ["A comfort measure while the urgent assessment is arranged.", st.why]
        d.precautions.append(
            "Until serious disease has been ruled out, it is used only on a clinician's advice, "
            "and any new or worsening symptom is reported at once."
        )
    elif not st.recommend:
        assert st.reason is not None
        d.exclude(st.reason, st.why)
    elif st.after_failed is not None and not _tried_steps(st.after_failed.steps, a):
        d.exclude(
            "not_indicated_now",
            f"{st.after_failed.description.strip()} The record shows no such trial yet.",
        )
    elif limited := eligibility.limit(t, a.phase, a):
        sources = t.indication.sources if t.indication else []
        d.exclude(
            "not_indicated_now",
            limited[0].upper() + limited[1:],
            list(dict.fromkeys([*sources, *st.sources])),
        )
    elif st.only_when is not None and not matches(st.only_when, a):
        d.exclude("not_indicated_now", st.otherwise or st.why)
    elif t.indication and (unmet := eligibility.unmet_indication(t.indication, a)):
        d.exclude(
            "not_indicated_now",
            f"Not indicated now: {unmet}. Indication: {t.indication.description.strip()}",
            list(dict.fromkeys([*t.indication.sources, *st.sources])),
        )
    elif _failed_before(t, prior):
        weeks = max(p.weeks for p in prior)
        d.exclude(
            "not_indicated_now",
            f"Already tried for {weeks:g} weeks without benefit; another option is preferred now.",
            [eligibility.CLINICAL_REVIEW, *st.sources],
        )

    if d.recommended and (pref := eligibility.preference_block(t, a)):
        d.exclude(pref.reason, pref.why)
    if not d.recommended:
        return d

    conditions = person.conditions
    cautions = eligibility.precautions(t, conditions)
    for rule in st.line_rules:
        if matches(rule.when, a):
            if rule.line < d.line and cautions and t.category in policy.no_promotion.categories:
                d.why.append(policy.no_promotion.why.strip())
                d.sources.extend(s for s in policy.no_promotion.sources if s not in d.sources)
            else:
                d.line = rule.line
                d.why.append(_rule_note(rule.when))
            break
    if c.interventional:
        d.line = 3
    if t.safety:
        d.line = max(d.line, t.safety.min_line)
    for text, sources in cautions:
        d.precautions.append(text)
        d.sources.extend(s for s in sources if s not in d.sources)
    if prior and t.exercise_based:
        after = policy.exercise_after_failure
        flared = eligibility.flared(t, a)
        if flared or _failed_before(t, prior, exercise=True):
            d.precautions.append((after.flared if flared else after.failed).strip())
            d.sources.extend(s for s in after.sources if s not in d.sources)
    d.schedule = c.schedule
    return d


def _tried_steps(steps: list[list[str]], a: Assessment) -> bool:
    """Each step has a treatment tried without enough benefit or not tolerated."""
    failed = {
        p.treatment
        for p in a.intake.prior_treatments
        if p.response in ("none", "partial", "adverse")
    }
    return all(failed.intersection(step) for step in steps)


def _failed_before(t: Treatment, prior: list[PriorTreatment], exercise: bool = False) -> bool:
    """Tried long enough without any benefit; exercise-based care is never dropped for that
    (it is offered changed instead), unless ``exercise`` asks about it."""
    if not prior or t.category == Category.self_care or (t.exercise_based and not exercise):
        return False
    min_weeks = load_knowledge().policy.prior_non_response.min_weeks
    return any(p.response == "none" and p.weeks >= min_weeks for p in prior)


def _rule_note(when: LineWhen) -> str:
    parts = []
    if when.risk:
        parts.append(f"STarT Back risk is {' or '.join(when.risk)}")
    if when.min_nrs is not None:
        parts.append(f"pain is {when.min_nrs}/10 or more")
    if when.leg_pain:
        parts.append(f"leg pain is {' or '.join(when.leg_pain)}")
    return f"Line adjusted because {' and '.join(parts)}."
