"""A clinician's edits to a stored plan: accept, drop, or add an item back.

Each function takes the typed ``StoredPlan`` (``stored_plan.read_stored_plan``) and returns an
``Edit`` holding a NEW one (plans are immutable; the stored version is never touched)
or raises ``EditRefused`` with a message for the clinician. Nothing here decides care: the
engine made the plan, the clinician decides the change, and these functions only move items,
refusing any change that would break one of BackPath's safety rules (DESIGN.md):

- an emergency plan has no treatment and is never edited (rule 1);
- an item left out for a red flag, a contraindication or an interaction, or because it is
  investigational, is never added back (rules 1, 2 and 4), nor one the person's assessment
  blocks (``eligibility.blocked``: absolute contraindications alone or in combination, harm
  before) or that involves what the person asked to avoid (rule 6);
- procedures come back only at line 3 and only where their indication holds (rule 3);
- a treatment card's safety limits (lowest line, phases it is never used in) hold (rule 5);
- an added item carries the precautions of the relative contraindications the person has.

The rules themselves are written once, in ``engine.eligibility``; this module applies them to
a stored plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from backpath.engine import eligibility
from backpath.engine.eligibility import Facts
from backpath.engine.plan_models import REASON_LABELS, Schedule
from backpath.engine.schedule import capped, schedule_for
from backpath.engine.stored_plan import (
    ClinicianDecision,
    LeftOutBefore,
    StoredLeftOut,
    StoredPlan,
    StoredRecommended,
)
from backpath.errors import EditRefused
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import Category, Treatment

__all__ = [
    "DROP_REASONS", "LINES", "LINE_TITLES", "LOCKED_REASONS", "Edit", "EditRefused", "Facts",
    "accept", "add", "add_refusal", "allowed_lines", "drop", "edit_refusal",
]  # fmt: skip

LOCKED_REASONS = {
    "red_flag": "it was left out because of a red flag; only comfort measures are allowed "
    "until the urgent assessment has ruled out serious disease",
    "contraindicated": "it is contraindicated for this patient",
    "interaction": "it interacts with a medicine or condition this patient has",
    "investigational": "it is investigational and is never recommended as treatment",
}
"""Reasons that no clinician edit can override, and why (in words for the message)."""

DROP_REASONS = (
    "preference",
    "contraindicated",
    "interaction",
    "evidence_against",
    "insufficient_evidence",
    "not_indicated_now",
    "not_offered",
    "clinical_judgement",
)
"""Reasons a clinician may give for dropping a recommended item ("preference": the patient
declined; "not_offered": the clinic does not provide it; "clinical_judgement": the note says
why). A red flag or investigational status is the engine's finding, not a drop reason."""

LINE_TITLES = {
    1: "Line 1: start now",
    2: "Line 2: add at review if the response is not enough",
    3: "Line 3: specialist referral options",
}
LINES = (1, 2, 3)


@dataclass(frozen=True)
class Edit:
    plan: StoredPlan
    action: str
    """accept, drop or add (the ``PlanChange`` action)."""
    treatment: str
    summary: str
    """One sentence for the new version's change summary."""


def _card(treatment: str) -> Treatment:
    card = load_knowledge().treatments.get(treatment)
    if card is None:
        raise EditRefused(f"'{treatment}' is not a treatment BackPath knows.")
    return card


def edit_refusal(plan: StoredPlan) -> str | None:
    """Why this plan cannot be edited at all, or None."""
    if plan.triage.disposition == "emergency":
        return (
            "This is an emergency: the patient must seek emergency care now. "
            "An emergency plan has no treatment and cannot be edited."
        )
    return None


def _check_editable(plan: StoredPlan) -> None:
    refusal = edit_refusal(plan)
    if refusal:
        raise EditRefused(refusal)


def _recommended(plan: StoredPlan, treatment: str, verb: str) -> StoredRecommended:
    item = next((r for r in plan.recommended if r.treatment == treatment), None)
    if item is None:
        raise EditRefused(f"Only a recommended item of this version can be {verb}.")
    return item


def _clean(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise EditRefused("Give the reason for this change.")
    return text


def allowed_lines(plan: StoredPlan, treatment: str) -> tuple[int, ...]:
    """The lines at which an item may stand (none when the card's limits keep it out of a plan
    of this phase): ``eligibility.allowed_lines``."""
    card = load_knowledge().treatments.get(treatment)
    if card is None:
        return ()
    if card.safety and plan.phase in card.safety.excluded_phases:
        return ()
    return eligibility.allowed_lines(card, plan.phase)


def add_refusal(plan: StoredPlan, item: StoredLeftOut, facts: Facts) -> str | None:
    """Why a not-recommended item may not be added back, or None when it may."""
    refusal = edit_refusal(plan)
    if refusal:
        return refusal
    name = item.name
    locked = LOCKED_REASONS.get(item.reason)
    if locked:
        why = " ".join(item.why.split())
        return f"{name} cannot be added: {locked}." + (f" {why}" if why else "")
    card = load_knowledge().treatments.get(item.treatment)
    if card is None:
        return f"{name} cannot be added: BackPath has no card for it."
    a = facts.assessment
    if a is not None:
        block = eligibility.blocked(card, a)
        if block is not None:
            label = REASON_LABELS[block.reason].lower()
            return f"{name} cannot be added ({label}): {block.why}"
        if eligibility.preference_block(card, a) is not None:
            words = eligibility.avoided(card, a.intake.preferences.avoid)
            what = f"asked to avoid {', '.join(words)}" if words else "asked for no clinic sessions"
            return (
                f"{name} cannot be added: the patient {what}. If they have changed their mind, "
                "update the preferences in the intake first."
            )
    ruled_out = eligibility.absolute(card, facts.conditions)
    if ruled_out:
        which = ", ".join(eligibility.rule_label(c).lower() for c in ruled_out)
        return f"{name} cannot be added: it is contraindicated ({which})."
    limited = eligibility.limit(card, plan.phase, a)
    if limited or not allowed_lines(plan, card.id):
        if card.category == Category.interventional:
            return (
                f"{name} cannot be added: procedures are a specialist referral only where "
                f"their indication holds ({limited})."
            )
        reason = limited or (card.safety.reason.strip() if card.safety else "")
        return f"{name} cannot be added for {plan.phase} pain: {reason}"
    return None


def accept(plan: StoredPlan, treatment: str, reason: str) -> Edit:
    """The clinician confirms a recommended item as it is; the decision is kept on the item."""
    _check_editable(plan)
    text = _clean(reason)
    item = _recommended(plan, treatment, "accepted")
    if item.clinician is not None and item.clinician.action == "accept":
        raise EditRefused(f"{item.name} is already accepted in this version.")
    decided = item.model_copy(update={"clinician": ClinicianDecision(action="accept", reason=text)})
    recommended = tuple(decided if r is item else r for r in plan.recommended)
    new = plan.model_copy(update={"recommended": recommended})
    return Edit(new, "accept", treatment, f"Accepted {item.name}: {text}")


def drop(plan: StoredPlan, treatment: str, why: str, reason: str) -> Edit:
    """Move a recommended item to not recommended, with the contract ``why`` code given."""
    _check_editable(plan)
    if why not in DROP_REASONS:
        allowed = ", ".join(REASON_LABELS[r].lower() for r in DROP_REASONS)
        raise EditRefused(f"Choose why it is left out: {allowed}.")
    text = _clean(reason)
    item = _recommended(plan, treatment, "dropped")
    dropped = StoredLeftOut(
        treatment=treatment,
        name=item.name,
        reason=why,  # one of DROP_REASONS, checked above
        why=f"Clinician: {text}",
        sources=item.sources,
        clinician=ClinicianDecision(action="drop", reason=text, was_line=item.line),
    )
    new = plan.model_copy(
        update={
            "recommended": tuple(r for r in plan.recommended if r is not item),
            "not_recommended": (*plan.not_recommended, dropped),
        }
    )
    summary = f"Dropped {item.name} ({REASON_LABELS[why].lower()}): {text}"
    return Edit(new, "drop", treatment, summary)


def add(plan: StoredPlan, treatment: str, line: int, reason: str, facts: Facts) -> Edit:
    """Move a not-recommended item into the plan at ``line``, unless a safety rule forbids it.

    The item gets the card's typical course (capped by the person's weekly session limit),
    the precautions of any relative contraindication the person carries, and a ``why`` that
    keeps both the clinician's reason and why BackPath had left it out.
    """
    _check_editable(plan)
    item = next((n for n in plan.not_recommended if n.treatment == treatment), None)
    if item is None:
        raise EditRefused("Only a not-recommended item of this version can be added.")
    refusal = add_refusal(plan, item, facts)
    if refusal:
        raise EditRefused(refusal)
    lines = allowed_lines(plan, treatment)
    if line not in lines:
        raise EditRefused(
            f"{item.name} can be added only at line {' or '.join(str(n) for n in lines)}."
        )
    text = _clean(reason)
    card = _card(treatment)
    schedule = schedule_for(card.course)
    if facts.max_sessions_per_week:
        schedule = capped(schedule, facts.max_sessions_per_week)
    cautions = eligibility.precautions(card, facts.conditions)
    sources = (
        *item.sources,
        *card.consensus.for_phase(plan.phase).sources,
        *(s for _, cited in cautions for s in cited),
    )
    label = REASON_LABELS.get(item.reason, item.reason)
    added = StoredRecommended(
        treatment=treatment,
        name=item.name,
        category=card.category.value,
        line=line,
        why=f"Clinician: {text.rstrip('.')}. BackPath had left it out "
        f"({label.lower()}): {item.why}".strip(),
        precautions=tuple(words for words, _ in cautions),
        schedule=Schedule(**schedule.model_dump(exclude_none=True)),
        sources=tuple(dict.fromkeys(sources)),
        clinician=ClinicianDecision(
            action="add", reason=text, was=LeftOutBefore(reason=item.reason, why=item.why)
        ),
    )
    recommended = sorted((*plan.recommended, added), key=lambda r: r.line)  # stable sort
    new = plan.model_copy(
        update={
            "recommended": tuple(recommended),
            "not_recommended": tuple(n for n in plan.not_recommended if n is not item),
        }
    )
    return Edit(new, "add", treatment, f"Added {item.name} at line {line}: {text}")
