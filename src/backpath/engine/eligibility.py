"""Who may have which treatment and which home exercise, and with which precautions.

DESIGN.md's safety rules for one treatment or exercise and one person are written here once and
used by plan generation (``decide``), clinician edits (``plan_edits``, ``program_edits``) and
the home program (``home_program``), and through them by the pages, the CLI and the API:

- ``blocked``: what no edit may override: a red flag (comfort measures only until cleared),
  investigational status, an absolute contraindication or interaction the person carries
  (alone or in a combination of tags), harm from the same treatment before, and the
  person's own exclusions (rules 1, 2, 4 and 6);
- ``allowed_lines`` and ``limit``: interventional procedures only at line 3 where their
  indication holds, and a card's hard safety limits (rules 3 and 5);
- ``unmet_indication``: when the card's indication does not hold;
- ``precautions``: the relative contraindications the person carries, with what to do;
- ``exercise_refusal``: the exercises a person's conditions or phase rule out.

Which tags, treatments and lines these rules concern is knowledge data; the rules are generic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from backpath.engine.assessment import Assessment
from backpath.engine.plan_models import Reason
from backpath.exercises import Exercise
from backpath.knowledge import Phase, load_knowledge
from backpath.knowledge.models import Category, Contraindication, Indication, Treatment

CLINICAL_REVIEW = "backpath_clinical_review"


@dataclass(frozen=True)
class Facts:
    """What the rules know about a person: condition tags (with those BackPath derives), the
    weekly session limit, and, when the intake could be assessed, the whole assessment."""

    conditions: frozenset[str] = frozenset()
    max_sessions_per_week: int | None = None
    assessment: Assessment | None = None

    @classmethod
    def of(cls, a: Assessment) -> Facts:
        return cls(a.conditions, a.intake.preferences.max_sessions_per_week, a)


@dataclass(frozen=True)
class Block:
    """Why a treatment may not be in a person's plan, whoever asks."""

    reason: Reason
    why: str
    sources: tuple[str, ...]


def label(tag: str) -> str:
    cond = load_knowledge().conditions.get(tag)
    return cond.label if cond else tag


def carried(c: Contraindication, conditions: frozenset[str]) -> bool:
    """The rule applies: its tag and every tag it goes together with are carried."""
    return c.condition in conditions and all(t in conditions for t in c.also)


def rule_label(c: Contraindication) -> str:
    """'Older adult' or, for a combination, 'Older adult with high fall risk'."""
    others = [label(t).lower() for t in c.also]
    return label(c.condition) + (f" with {' and '.join(others)}" if others else "")


@cache
def _rules(treatment_id: str) -> tuple[tuple[Contraindication, ...], tuple[Contraindication, ...]]:
    """(absolute, relative) contraindications of a card, split once per process."""
    t = load_knowledge().treatment(treatment_id)
    return (
        tuple(c for c in t.contraindications if c.severity == "absolute"),
        tuple(c for c in t.contraindications if c.severity == "relative"),
    )


def absolute(t: Treatment, conditions: frozenset[str]) -> list[Contraindication]:
    if not conditions:
        return []
    return [c for c in _rules(t.id)[0] if carried(c, conditions)]


def relative(t: Treatment, conditions: frozenset[str]) -> list[Contraindication]:
    if not conditions:
        return []
    return [c for c in _rules(t.id)[1] if carried(c, conditions)]


def precautions(t: Treatment, conditions: frozenset[str]) -> list[tuple[str, list[str]]]:
    """Each relative contraindication the person carries, as (precaution text, sources)."""
    return [
        (f"{rule_label(c)}: {c.reason.strip()} {(c.precaution or '').strip()}", list(c.sources))
        for c in relative(t, conditions)
    ]


def avoided(t: Treatment, avoid: Iterable[str]) -> list[str]:
    """The person's exclusions this treatment involves, in words ('needles', ...)."""
    if not avoid:
        return []
    wanted = set(avoid)
    return [tag.value.replace("_", " ") for tag in t.preference_tags if tag.value in wanted]


def blocked(t: Treatment, a: Assessment) -> Block | None:
    """The first safety reason the treatment may not be in the plan at all, or None.

    In order: red flag, investigational, absolute contraindication or interaction, harm from
    it before (an exercise-based treatment that flared is offered again in a graded form,
    see ``flared``). Preferences are checked by ``preference_block``.
    """
    if a.triage.disposition == "urgent_referral" and not t.comfort_measure:
        return Block(
            "red_flag",
            "Not until the urgent assessment has ruled out serious disease; "
            "only comfort measures are advised meanwhile.",
            (),
        )
    if t.category == Category.investigational:
        consensus = t.consensus.for_phase(a.phase)
        return Block("investigational", consensus.rationale.strip(), tuple(consensus.sources))
    ruled_out = absolute(t, a.conditions)
    if ruled_out:
        first = ruled_out[0]
        return Block(
            "interaction" if first.kind == "interaction" else "contraindicated",
            " ".join(f"{rule_label(x)}: {x.reason.strip()}" for x in ruled_out),
            tuple(dict.fromkeys(s for x in ruled_out for s in x.sources)),
        )
    prior = a.intake.prior_treatments
    if (
        prior
        and not t.exercise_based
        and any(p.response == "adverse" for p in prior if p.treatment == t.id)
    ):
        return Block(
            "contraindicated",
            "An adverse reaction to this treatment was reported before.",
            (CLINICAL_REVIEW,),
        )
    return None


def flared(t: Treatment, a: Assessment) -> bool:
    """An exercise-based treatment that made the pain flare before (response ``adverse``)."""
    return t.exercise_based and any(
        p.response == "adverse" for p in a.intake.prior_treatments if p.treatment == t.id
    )


def preference_block(t: Treatment, a: Assessment) -> Block | None:
    """The person's own exclusions: an avoided kind of care, or no clinic sessions."""
    prefs = a.intake.preferences
    words = avoided(t, prefs.avoid)
    if words:
        return Block("preference", f"Left out by preference: it involves {', '.join(words)}.", ())
    if prefs.max_sessions_per_week == 0 and t.course.delivery == "sessions":
        return Block("preference", "Left out by preference: no clinic sessions were wanted.", ())
    return None


def pain_level(a: Assessment) -> int:
    """Worst of pain now and the week's average: what line rules and indications compare to."""
    p = a.intake.pain
    return max(p.nrs_now, p.nrs_week_average or 0)


def _adequate_trial(a: Assessment, kind: Category | None) -> bool:
    """An adequate trial (policy.yaml) of exercise-based care (``kind`` None) or of a
    treatment of ``kind`` that did not help enough."""
    kb = load_knowledge()
    rule = kb.policy.adequate_conservative_care
    for p in a.intake.prior_treatments:
        card = kb.treatment(p.treatment)
        fits = card.exercise_based if kind is None else card.category == kind
        if fits and p.weeks >= rule.min_weeks and p.response in rule.responses:
            return True
    return False


def had_conservative_care(a: Assessment) -> bool:
    """An adequate trial of exercise-based care that did not help enough (policy.yaml)."""
    return _adequate_trial(a, None)


def unmet_indication(ind: Indication, a: Assessment) -> str | None:
    """Why the indication is not met, or None when it is."""
    ep = a.intake.episode
    if ind.phases is not None and a.phase not in ind.phases:
        return f"it is indicated for {' or '.join(ind.phases)} pain, not {a.phase} pain"
    if ind.leg_pain is not None and ep.leg_pain not in ind.leg_pain:
        shown = (ep.leg_pain or "not recorded").replace("_", " ")
        wanted = " or ".join(p.replace("_", " ") for p in ind.leg_pain)
        return f"leg pain is {shown}, not {wanted}"
    if ind.suspected_cause is not None and ep.suspected_cause not in ind.suspected_cause:
        shown = (ep.suspected_cause or "not recorded").replace("_", " ")
        wanted = " or ".join(c.replace("_", " ") for c in ind.suspected_cause)
        return f"the suspected cause is {shown}, not {wanted}"
    if ind.not_suspected_cause is not None and ep.suspected_cause in ind.not_suspected_cause:
        return f"it is not for {(ep.suspected_cause or '').replace('_', ' ')}"
    if ind.min_nrs is not None and pain_level(a) < ind.min_nrs:
        return f"pain is below {ind.min_nrs}/10"
    if ind.min_duration_weeks is not None and ep.duration_weeks < ind.min_duration_weeks:
        return f"the pain has lasted less than {ind.min_duration_weeks:g} weeks"
    if ind.min_bmi is not None:
        pt = a.intake.patient
        if not (pt.weight_kg and pt.height_cm):
            return "weight and height are not recorded"
        if pt.weight_kg / (pt.height_cm / 100) ** 2 < ind.min_bmi:
            return f"body mass index is below {ind.min_bmi:g}"
    weeks = load_knowledge().policy.adequate_conservative_care.min_weeks
    if ind.after_conservative_care and not had_conservative_care(a):
        return (
            f"there has not yet been an adequate trial (at least {weeks:g} weeks) "
            "of exercise-based care"
        )
    if ind.after_psychological_care and not _adequate_trial(a, Category.psychological):
        return (
            f"there has not yet been an adequate trial (at least {weeks:g} weeks) "
            "of a psychological therapy"
        )
    return None


def limit(t: Treatment, phase: Phase, a: Assessment | None) -> str | None:
    """Why the card's hard limits keep it out (rule 3 for procedures, a card's safety limits
    such as opioids never in acute pain), or None. Without an assessment a procedure's
    indication cannot be checked, so it is refused."""
    if t.category == Category.interventional:
        if a is None or t.indication is None:
            return "procedures are offered only where their indication is known to hold"
        unmet = unmet_indication(t.indication, a)
        if unmet:
            return f"not indicated: {unmet}. Indication: {t.indication.description.strip()}"
    if t.safety and phase in t.safety.excluded_phases:
        return t.safety.reason.strip()
    return None


def allowed_lines(t: Treatment, phase: Phase) -> tuple[int, ...]:
    """The plan lines the card may stand at: procedures only at line 3 (a specialist
    referral), others from the card's lowest safe line."""
    if t.category == Category.interventional:
        return (3,)
    lowest = t.safety.min_line if t.safety else 1
    return tuple(n for n in (1, 2, 3) if n >= lowest)


def exercise_ruled_out_by(ex: Exercise, conditions: frozenset[str]) -> list[str]:
    """The person's condition tags that rule the exercise out (its ``avoid`` tags)."""
    return sorted(ex.avoided_tags & conditions)


def exercise_refusal(ex: Exercise, conditions: frozenset[str], phase: Phase) -> str | None:
    """Why a person's conditions or phase rule this exercise out (None when they do not)."""
    ruled = exercise_ruled_out_by(ex, conditions)
    if ruled:
        which = ", ".join(label(t).lower() for t in ruled)
        return f"{ex.name} is ruled out for this person ({which})."
    if phase not in ex.phases:
        return f"{ex.name} is not for {phase} pain (it fits {', '.join(ex.phases)} pain)."
    return None


def exercise_precautions(ex: Exercise, conditions: frozenset[str]) -> list[tuple[str, list[str]]]:
    """The exercise's cautions the person carries, as (precaution text, sources)."""
    return [(c.precaution.strip(), list(c.sources)) for c in ex.caution if c.tag in conditions]
