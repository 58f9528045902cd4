"""The per-person decision for one treatment: recommend (with line) or leave out (with reason).

Checks run in a fixed order, safety first, so that the reason shown is the most important one:
red flag, investigational, absolute contraindication or prior harm, evidence for the phase,
hard safety limits, indication, prior non-response, the person's preferences. Rules are
generic; which tags, treatments and lines apply is data in the knowledge base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from backpath.engine.assessment import Assessment
from backpath.engine.intake import PriorTreatment
from backpath.engine.plan_models import Profile, Reason, Schedule
from backpath.engine.schedule import schedule_for
from backpath.engine.stance import stance
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import (
    Category,
    Contraindication,
    Indication,
    LineWhen,
    Treatment,
)

CLINICAL_REVIEW = "backpath_clinical_review"


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

    def exclude(self, reason: Reason, why: str, sources: list[str] | None = None) -> None:
        self.recommended = False
        self.reason = reason
        self.why = [why]
        if sources is not None:
            self.sources = sources


def pain_level(a: Assessment) -> int:
    """Worst of pain now and the week's average: what line rules and indications compare to."""
    p = a.intake.pain
    return max(p.nrs_now, p.nrs_week_average or 0)


def matches(when: LineWhen, a: Assessment) -> bool:
    if when.risk is not None and (a.risk is None or a.risk.startback not in when.risk):
        return False
    if when.min_nrs is not None and pain_level(a) < when.min_nrs:
        return False
    return when.leg_pain is None or a.intake.episode.leg_pain in when.leg_pain


def had_conservative_care(a: Assessment) -> bool:
    """An adequate trial of exercise-based care that did not help enough (policy.yaml)."""
    kb = load_knowledge()
    rule = kb.policy.adequate_conservative_care
    return any(
        kb.treatment(p.treatment).exercise_based
        and p.weeks >= rule.min_weeks
        and p.response in rule.responses
        for p in a.intake.prior_treatments
    )


def unmet_indication(ind: Indication, a: Assessment) -> str | None:
    """Why the indication is not met, or None when it is."""
    ep = a.intake.episode
    if ind.leg_pain is not None and ep.leg_pain not in ind.leg_pain:
        shown = (ep.leg_pain or "not recorded").replace("_", " ")
        wanted = " or ".join(p.replace("_", " ") for p in ind.leg_pain)
        return f"leg pain is {shown}, not {wanted}"
    if ind.suspected_cause is not None and ep.suspected_cause not in ind.suspected_cause:
        return "the suspected cause does not match"
    if ind.min_nrs is not None and pain_level(a) < ind.min_nrs:
        return f"pain is below {ind.min_nrs}/10"
    if ind.min_bmi is not None:
        pt = a.intake.patient
        if not (pt.weight_kg and pt.height_cm):
            return "weight and height are not recorded"
        if pt.weight_kg / (pt.height_cm / 100) ** 2 < ind.min_bmi:
            return f"body mass index is below {ind.min_bmi:g}"
    if ind.after_conservative_care and not had_conservative_care(a):
        weeks = load_knowledge().policy.adequate_conservative_care.min_weeks
        return (
            f"there has not yet been an adequate trial (at least {weeks:g} weeks) "
            "of exercise-based care"
        )
    return None


@dataclass(frozen=True, slots=True)
class Card:
    """What the per-person rules need from a treatment file, precomputed once per process."""

    treatment: Treatment
    tags: tuple[str, ...]
    absolute: tuple[Contraindication, ...]
    relative: tuple[Contraindication, ...]
    investigational: bool
    interventional: bool
    in_sessions: bool
    schedule: Schedule


@cache
def card(treatment_id: str) -> Card:
    t = load_knowledge().treatment(treatment_id)
    return Card(
        treatment=t,
        tags=tuple(tag.value for tag in t.preference_tags),
        absolute=tuple(c for c in t.contraindications if c.severity == "absolute"),
        relative=tuple(c for c in t.contraindications if c.severity == "relative"),
        investigational=t.category == Category.investigational,
        interventional=t.category == Category.interventional,
        in_sessions=t.course.delivery == "sessions",
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
    no_sessions: bool

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
            no_sessions=prefs.max_sessions_per_week == 0,
        )


def decide(t: Treatment, person: Person, profile: Profile) -> Draft:
    """Decide one treatment for one assessed person (not called in an emergency).

    Whatever the reason for leaving a treatment out, the person's own exclusion is named too,
    so the plan always says what their preferences ruled out (safety rule 6).
    """
    c = card(t.id)
    avoided = [tag.replace("_", " ") for tag in c.tags if tag in person.avoid]
    d = _decide(c, person, profile, avoided)
    if avoided and d.reason != "preference":
        d.why.append(f"It also involves {', '.join(avoided)}, which you prefer to avoid.")
    return d


def _decide(c: Card, person: Person, profile: Profile, avoided: list[str]) -> Draft:
    t = c.treatment
    a = person.assessment
    st = stance(t.id, a.phase, profile)
    d = Draft(treatment=t, recommended=True, why=[st.why], sources=list(st.sources), line=st.line)
    conditions = person.conditions
    prior = person.prior.get(t.id, [])

    if person.urgent and not t.comfort_measure:
        d.exclude(
            "red_flag",
            "Not until the urgent assessment has ruled out serious disease; "
            "only comfort measures are advised meanwhile.",
            [],
        )
        return d
    if c.investigational:
        d.exclude("investigational", st.why, list(st.sources))
        return d
    absolute = [x for x in c.absolute if x.condition in conditions] if conditions else []
    if absolute:
        first = absolute[0]
        reasons = " ".join(f"{label(x.condition)}: {x.reason}" for x in absolute)
        d.exclude(
            first.kind if first.kind == "interaction" else "contraindicated",
            reasons,
            list(dict.fromkeys(s for x in absolute for s in x.sources)),
        )
        return d
    if any(p.response == "adverse" for p in prior):
        d.exclude(
            "contraindicated",
            "An adverse reaction to this treatment was reported before.",
            [CLINICAL_REVIEW],
        )
        return d
    if person.urgent:
        d.line = 1
        d.why = ["A comfort measure while the urgent assessment is arranged.", st.why]
        d.precautions.append(
            "Until serious disease has been ruled out, use only as your clinician advises "
            "and report any new or worsening symptom at once."
        )
    elif not st.recommend:
        assert st.reason is not None
        d.exclude(st.reason, st.why)
    elif c.interventional and a.phase != "chronic":
        d.exclude(
            "not_indicated_now",
            "Procedures are considered only for chronic pain, after an adequate trial of "
            "conservative care, never as a first step.",
        )
    elif t.safety and a.phase in t.safety.excluded_phases:
        d.exclude("not_indicated_now", t.safety.reason.strip())
    elif st.only_when is not None and not matches(st.only_when, a):
        d.exclude("not_indicated_now", st.otherwise or st.why)
    elif t.indication and (unmet := unmet_indication(t.indication, a)):
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
            [CLINICAL_REVIEW, *st.sources],
        )

    if d.recommended and avoided:
        d.exclude("preference", f"Left out because you prefer to avoid {', '.join(avoided)}.")
    elif d.recommended and person.no_sessions and c.in_sessions:
        d.exclude("preference", "Left out because you asked for no clinic sessions.")
    if not d.recommended:
        return d

    for rule in st.line_rules:
        if matches(rule.when, a):
            d.line = rule.line
            d.why.append(_rule_note(rule.when))
            break
    if c.interventional:
        d.line = 3
    if t.safety:
        d.line = max(d.line, t.safety.min_line)
    for x in c.relative:
        if x.condition in conditions:
            d.precautions.append(
                f"{label(x.condition)}: {x.reason.strip()} {(x.precaution or '').strip()}"
            )
            d.sources.extend(s for s in x.sources if s not in d.sources)
    d.schedule = c.schedule
    return d


def _failed_before(t: Treatment, prior: list[PriorTreatment]) -> bool:
    if not prior or t.exercise_based or t.category == Category.self_care:
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


def label(tag: str) -> str:
    cond = load_knowledge().conditions.get(tag)
    return cond.label if cond else tag
