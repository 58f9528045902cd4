"""What the evidence says about one treatment in one phase, under one guideline profile.

This part of a decision depends only on the knowledge base, the phase and the profile, not on
the person, so it is computed once and cached; the per-person rules run on top of it.

Profiles: ``consensus`` (default) is BackPath's documented policy in each treatment file.
``acp``, ``nice`` and ``who`` follow that guideline where it speaks to the phase and fall back
to the consensus where it is silent or out of scope (WHO covers chronic pain only).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from backpath.engine.plan_models import Profile, Reason
from backpath.knowledge import Phase, load_knowledge
from backpath.knowledge.models import (
    AfterFailed,
    ConsensusVerdict,
    GuidelineVerdict,
    LineRule,
    LineWhen,
    Treatment,
    Verdict,
)

GUIDELINE_NAMES = {"acp2017": "ACP 2017", "nice_ng59": "NICE NG59", "who2023": "WHO 2023"}
PROFILE_GUIDELINE = {"acp": "acp2017", "nice": "nice_ng59", "who": "who2023"}
_CONSENSUS_REASON: dict[ConsensusVerdict, Reason] = {
    ConsensusVerdict.against: "evidence_against",
    ConsensusVerdict.insufficient: "insufficient_evidence",
    ConsensusVerdict.not_indicated: "not_indicated_now",
    ConsensusVerdict.investigational: "investigational",
}
_GUIDELINE_REASON: dict[Verdict, Reason] = {
    Verdict.against: "evidence_against",
    Verdict.insufficient: "insufficient_evidence",
}


@dataclass(frozen=True)
class Stance:
    recommend: bool
    line: int
    reason: Reason | None
    why: str
    sources: tuple[str, ...]
    line_rules: tuple[LineRule, ...] = ()
    only_when: LineWhen | None = None
    otherwise: str | None = None
    after_failed: AfterFailed | None = None
    """The profile's guideline recommends it only after these treatments failed."""


def _verdicts(t: Treatment, phase: Phase) -> dict[str, GuidelineVerdict]:
    g = t.guidelines
    return {
        "acp2017": g.acp2017.for_phase(phase),
        "nice_ng59": g.nice_ng59.for_phase(phase),
        "who2023": g.who2023.for_phase(phase),
    }


def disagreement(t: Treatment, phase: Phase) -> str | None:
    """A sentence naming the guidelines that disagree for this phase, or None."""
    verdicts = _verdicts(t, phase)
    pro = [GUIDELINE_NAMES[k] for k, v in verdicts.items() if v.verdict == Verdict.recommend]
    con = [GUIDELINE_NAMES[k] for k, v in verdicts.items() if v.verdict == Verdict.against]
    if not pro or not con:
        return None
    return (
        f"Guidelines disagree for {phase} pain: {' and '.join(pro)} "
        f"{'recommends' if len(pro) == 1 else 'recommend'} it; {' and '.join(con)} "
        f"{'advises' if len(con) == 1 else 'advise'} against it."
    )


def _merge(*groups: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for g in groups for s in g))


@cache
def stance(treatment_id: str, phase: Phase, profile: Profile) -> Stance:
    """The evidence stance for one treatment, phase and profile (cached, immutable)."""
    t = load_knowledge().treatment(treatment_id)
    c = t.consensus.for_phase(phase)
    verdicts = _verdicts(t, phase)
    guideline_sources = _merge(*(v.sources for v in verdicts.values()))
    split = disagreement(t, phase)
    consensus_recommends = c.verdict == ConsensusVerdict.recommend

    key = PROFILE_GUIDELINE.get(profile)
    chosen = verdicts[key] if key else None
    if chosen is None or chosen.verdict == Verdict.not_addressed:
        prefix = ""
        if key:
            prefix = (
                f"{GUIDELINE_NAMES[key]} does not address this for {phase} pain, "
                "so BackPath's consensus policy applies. "
            )
        why = prefix + c.rationale.strip()
        if split:
            why = f"{why} {split}"
        if consensus_recommends:
            return Stance(
                recommend=True,
                line=c.line or t.usual_line,
                reason=None,
                why=why,
                sources=_merge(c.sources, guideline_sources),
                line_rules=tuple(c.line_rules),
                only_when=c.only_when,
                otherwise=c.otherwise,
            )
        return Stance(
            recommend=False,
            line=t.usual_line,
            reason=_CONSENSUS_REASON[c.verdict],
            why=why,
            sources=_merge(c.sources, guideline_sources),
        )

    assert key is not None
    name = GUIDELINE_NAMES[key]
    detail = ", ".join(
        p
        for p in (chosen.strength, f"{chosen.certainty} certainty" if chosen.certainty else None)
        if p
    )
    note = f" {chosen.note.strip()}" if chosen.note else ""
    tail = f" {split}" if split else ""
    sources = _merge(chosen.sources, c.sources)
    if chosen.verdict == Verdict.recommend:
        return Stance(
            recommend=True,
            line=(c.line or t.usual_line) if consensus_recommends else t.usual_line,
            reason=None,
            why=f"{name} recommends it for {phase} pain"
            + (f" ({detail})" if detail else "")
            + f".{note}{tail}",
            sources=sources,
            line_rules=tuple(c.line_rules) if consensus_recommends else (),
            only_when=c.only_when if consensus_recommends else None,
            otherwise=c.otherwise if consensus_recommends else None,
            after_failed=chosen.after_failed,
        )
    verb = (
        "advises against it"
        if chosen.verdict == Verdict.against
        else "finds the evidence insufficient"
    )
    return Stance(
        recommend=False,
        line=t.usual_line,
        reason=_GUIDELINE_REASON[chosen.verdict],
        why=f"{name} {verb} for {phase} pain.{note}{tail}",
        sources=sources,
    )
