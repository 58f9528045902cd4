"""Triage from everything the intake says (safety rules 1 and 9).

The rules are data: the red-flag screen (``instruments/data/red_flags.yaml``) and
``knowledge/data/triage.yaml``. This module applies them in order:

1. A condition on the list counts as a red flag (active cancer is a cancer history). A screen
   answer that says otherwise is a named contradiction, resolved towards the flag.
2. Other contradictions (pregnancy recorded for a male, ...) are named and resolved by
   keeping the condition tags that make care safer.
3. The screen scores the flags; triage rules add combinations with episode facts (cancer
   with radicular or thoracic pain).
4. A weak flag on its own (night pain, long-term steroids, immunosuppression in the phases
   the data give) becomes a named concern with a review date instead of an urgent rule.
5. Age and episode history add named concerns (none is listed in an emergency).
6. The disposition is the most severe rule fired. ``actions`` holds only the actions of the
   rules at that disposition and ``timeframe`` the most urgent of their timeframes; advice for
   getting worse goes to ``safety_net``, and only below an emergency.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from backpath import contract
from backpath.engine.intake import Intake
from backpath.instruments import red_flags
from backpath.instruments.red_flags import Disposition, Reason, Timeframe, severity, urgency
from backpath.knowledge import Phase, load_knowledge
from backpath.knowledge.triage import ConcernText, When


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Concern(_Frozen):
    """A reason to look closer: not a referral, but a named check with a review date."""

    id: str
    label: str
    text: str
    review_within_days: int
    sources: list[str]


class Contradiction(_Frozen):
    """Two parts of the intake that disagree, and how triage resolved it towards safety."""

    id: str
    found: str
    resolution: str
    sources: list[str]


class Triage(_Frozen):
    disposition: Disposition
    reasons: list[str]
    suspected: list[str] = []
    actions: list[str] = []
    """Only the actions of the final disposition."""
    unscreened: list[str] = []
    timeframe: Timeframe | None = None
    """How soon the actions are due; None when the disposition is proceed."""
    safety_net: list[str] = []
    """What to do at once if things get worse; empty in an emergency."""
    concerns: list[Concern] = []
    contradictions: list[Contradiction] = []


def _holds(w: When, intake: Intake, flags: set[str], phase: Phase) -> bool:
    p, e = intake.patient, intake.episode
    return (
        (w.flags is None or bool(flags.intersection(w.flags)))
        and (w.conditions is None or bool(set(intake.conditions).intersection(w.conditions)))
        and (w.leg_pain is None or e.leg_pain in w.leg_pain)
        and (w.region is None or e.region in w.region)
        and (w.sex is None or p.sex in w.sex)
        and (w.pregnant is None or p.pregnant in w.pregnant)
        and (w.phases is None or phase in w.phases)
        and (w.age_over is None or p.age > w.age_over)
        and (w.age_under is None or p.age < w.age_under)
        and (w.prior_episodes is None or e.prior_episodes in w.prior_episodes)
        and (w.any_of is None or any(_holds(x, intake, flags, phase) for x in w.any_of))
    )


def triage_of(intake: Intake, phase: Phase) -> tuple[Triage, frozenset[str]]:
    """The triage of one intake, and the condition tags its contradictions keep. Pure."""
    rules = load_knowledge().triage
    answered = intake.red_flags.answered() if intake.red_flags else {}
    flags = dict(answered)
    contradictions: list[Contradiction] = []
    counted: list[str] = []
    for cf in rules.condition_flags:
        if cf.condition not in intake.conditions or answered.get(cf.flag):
            continue
        if answered.get(cf.flag) is False:
            contradictions.append(
                Contradiction(
                    id=f"{cf.condition}_but_no_{cf.flag}",
                    found=cf.found.strip(),
                    resolution=cf.resolution.strip(),
                    sources=list(cf.sources),
                )
            )
        else:
            counted.append(f"{cf.condition} on the condition list counts as {cf.flag}")
        flags[cf.flag] = True
    present = {f for f, v in flags.items() if v}
    kept: set[str] = set()
    for c in rules.contradictions:
        if _holds(c.when, intake, present, phase):
            contradictions.append(
                Contradiction(
                    id=c.id,
                    found=c.found.strip(),
                    resolution=c.resolution.strip(),
                    sources=list(c.sources),
                )
            )
            kept.update(c.keep_conditions)

    fired = [
        Reason(
            id=r.id,
            suspects=tuple(r.suspects),  # checked against the screen's suspects by the loader
            disposition=r.disposition,
            timeframe=r.timeframe,
            action=" ".join(r.action.split()),
            public_action=" ".join(r.public_action.split()),
            safety_net=" ".join(r.safety_net.split()) if r.safety_net else None,
            sources=tuple(r.sources),
        )
        for r in rules.rules
        if _holds(r.when, intake, present, phase)
    ]  # combinations first, as in the screen: on ties they name the case best
    fired += red_flags.score(flags).reasons
    concern_rules = [c for c in rules.concerns if _holds(c.when, intake, present, phase)]
    concern_ids = {c.id for c in concern_rules}
    concerns: list[Concern] = []
    calibrated: list[str] = []
    for w in rules.weak_flags:
        alone = present == {w.flag} and all(r.id == w.flag for r in fired)
        if alone and phase in w.phases and not concern_ids.intersection(w.unless_concerns):
            fired = [r for r in fired if r.id != w.flag]
            calibrated.append(w.flag)
            concerns.append(_concern(w.concern))
    concerns += [_concern(c) for c in concern_rules]
    fired.sort(key=lambda r: (-severity(r.disposition), -urgency(r.timeframe)))

    disposition: Disposition = fired[0].disposition if fired else "proceed"
    top = [r for r in fired if r.disposition == disposition]
    unscreened = [f for f in contract.red_flag_ids() if f not in answered and f not in present]
    reasons = [r.id for r in fired] + calibrated + counted
    if not reasons and not unscreened:
        reasons = ["no red flags reported"]
    if unscreened and disposition != "emergency":
        reasons.append(
            f"red flags not screened: {', '.join(unscreened)}; "
            "ask about them before acting on this plan"
        )
    safety_net = [] if disposition == "emergency" else [r.safety_net for r in fired if r.safety_net]
    result = Triage(
        disposition=disposition,
        reasons=reasons,
        suspected=sorted({s for r in fired for s in r.suspects}),
        actions=list(dict.fromkeys(" ".join(r.action.split()) for r in top)),
        unscreened=unscreened,
        timeframe=top[0].timeframe if top else None,
        safety_net=list(dict.fromkeys(" ".join(s.split()) for s in safety_net)),
        concerns=[] if disposition == "emergency" else concerns,
        contradictions=contradictions,
    )
    return result, frozenset(kept)


def _concern(c: ConcernText) -> Concern:
    return Concern(
        id=c.id,
        label=c.label,
        text=" ".join(c.text.split()),
        review_within_days=c.review_within_days,
        sources=list(c.sources),
    )
