"""What the clinician's plan page shows, regrouped from the typed stored plan
(``PlanVersion.document``) and the knowledge data,
and the staff reference page of the seed articles' claims against the evidence.

Nothing here decides care: items, lines, reasons and wording come from the stored plan (made
by the engine, edited by a clinician); verdicts, seed claims and citations come from the
treatment cards and ``sources.yaml``. This module only groups and labels them for templates.
Seed claims are not clinical evidence: they appear on the reference page only, never in a plan,
its print or PDF, or the patient's pages.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from backpath.engine.plan_edits import (
    LINE_TITLES,
    Facts,
    add_refusal,
    allowed_lines,
)
from backpath.engine.plan_models import REASON_LABELS, Schedule, nest_alternatives
from backpath.engine.stance import GUIDELINE_NAMES, disagreement
from backpath.engine.stored_plan import StoredPlan
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import GuidelineVerdict
from backpath.reports.citations import citation, citations, plan_source_ids

LINE_INTROS = {
    1: "Start now.",
    2: "Add at the review if the response to line 1 is not enough.",
    3: "Options for a specialist referral if conservative care has not helped.",
}
VERDICT_LABELS = {
    "recommend": "Recommends",
    "against": "Against",
    "insufficient": "Insufficient evidence",
    "not_addressed": "Not addressed",
}
CONSENSUS_LABELS = {
    "recommend": "Recommend",
    "against": "Against",
    "insufficient": "Insufficient evidence",
    "not_indicated": "Not indicated",
    "investigational": "Investigational",
}
AGREEMENT_LABELS = {
    "agrees": "Supported by the evidence",
    "partly": "Partly supported",
    "conflicts": "Conflicts with the evidence",
    "unsupported": "Not supported by evidence",
}
DISPOSITION_LABELS = {
    "emergency": "Emergency",
    "urgent_referral": "Urgent referral",
    "referral_with_plan": "Referral alongside the plan",
    "proceed": "No red flags: plan as usual",
}


@cache
def _source_link(sid: str) -> SafeString:
    c = citation(sid)
    if not c.href:
        return format_html("<cite>{}</cite>", c.short)
    return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', c.href, c.short)


def source_links(ids: list[str]) -> SafeString:
    """The cited sources as HTML: a link (DOI, else URL) named by first author and year, or
    the citation alone when nothing can be linked; separated by semicolons. The full titles
    are in the references (the evidence tab, the printout), not repeated on every item."""
    return mark_safe("; ".join(_source_link(sid) for sid in ids))  # each part is escaped


def references(plan: StoredPlan) -> list[dict[str, str]]:
    """Every source the plan cites, once, with the full citation (for the reference list)."""
    return [
        {"id": c.id, "citation": c.full, "href": c.href} for c in citations(plan_source_ids(plan))
    ]


def schedule_text(s: Schedule) -> str:
    """The schedule in words: sessions a week, minutes, weeks and total, or the routine."""
    weeks = s.weeks
    span = f"{weeks:g} week{'s' if weeks != 1 else ''}" if weeks else ""
    if s.per_week:
        text = f"{s.per_week} session{'s' if s.per_week != 1 else ''} a week"
        if s.minutes:
            text += f", {s.minutes} minutes each"
        if span:
            text += f", for {span}"
        if s.sessions:
            text += f" ({s.sessions} sessions in all)"
        return text + "."
    if s.routine:
        routine = s.routine.strip()
        return f"{routine} For {span}." if span else routine
    return ""


def lines(plan: StoredPlan) -> list[dict[str, Any]]:
    """Recommended items grouped by line (1, 2, 3), each with its schedule and sources;
    equivalent options sit under the item they are an alternative to."""
    grouped: dict[int, list[dict[str, Any]]] = {}
    for item in plan.recommended:
        grouped.setdefault(item.line, []).append(
            {
                **item.model_dump(mode="json"),
                "schedule_text": schedule_text(item.schedule),
                "source_links": source_links(list(item.sources)),
            }
        )
    grouped = {n: nest_alternatives(items) for n, items in grouped.items()}
    return [
        {
            "number": n,
            "title": LINE_TITLES.get(n, f"Line {n}"),
            "intro": LINE_INTROS.get(n, ""),
            "items": grouped[n],
        }
        for n in sorted(grouped)
    ]


def left_out(plan: StoredPlan, facts: Facts) -> list[dict[str, Any]]:
    """Not-recommended items with the reason's label and, for editing, whether (and at which
    lines) the item may be added back."""
    out = []
    for item in plan.not_recommended:
        refusal = add_refusal(plan, item, facts)
        out.append(
            {
                **item.model_dump(mode="json"),
                "reason_label": REASON_LABELS.get(item.reason, item.reason),
                "source_links": source_links(list(item.sources)),
                "refusal": refusal,
                "line_choices": []
                if refusal
                else [(n, LINE_TITLES[n]) for n in allowed_lines(plan, item.treatment)],
            }
        )
    return out


def _verdict_cell(v: GuidelineVerdict) -> dict[str, str]:
    detail = ", ".join(
        p
        for p in (v.strength, f"{v.certainty.replace('_', ' ')} certainty" if v.certainty else "")
        if p
    )
    return {"verdict": v.verdict.value, "label": VERDICT_LABELS[v.verdict.value], "detail": detail}


def _treatment_ids(plan: StoredPlan) -> list[str]:
    treatments = [r.treatment for r in plan.recommended]
    return list(dict.fromkeys([*treatments, *(n.treatment for n in plan.not_recommended)]))


def verdicts(plan: StoredPlan) -> dict[str, Any]:
    """Per treatment of the plan: ACP, NICE and WHO verdicts for the plan's phase and the
    BackPath consensus, side by side; plus the sentences naming guideline disagreements."""
    phase = plan.phase
    kb = load_knowledge()
    rows, split = [], []
    for tid in _treatment_ids(plan):
        card = kb.treatments.get(tid)
        if card is None:
            continue
        g = card.guidelines
        c = card.consensus.for_phase(phase)
        consensus = CONSENSUS_LABELS[c.verdict.value]
        if c.line:
            consensus += f" (line {c.line})"
        rows.append(
            {
                "treatment": tid,
                "name": card.name,
                "cells": [
                    _verdict_cell(g.acp2017.for_phase(phase)),
                    _verdict_cell(g.nice_ng59.for_phase(phase)),
                    _verdict_cell(g.who2023.for_phase(phase)),
                ],
                "consensus": {"verdict": c.verdict.value, "label": consensus},
            }
        )
        sentence = disagreement(card, phase)
        if sentence:
            split.append({"name": card.name, "text": sentence})
    return {"rows": rows, "disagreements": split, "columns": list(GUIDELINE_NAMES.values())}


def seed_claims() -> list[dict[str, Any]]:
    """Every treatment card's check of the seed articles' claims against the evidence, in
    contract order: a reference for staff, never part of a plan."""
    out = []
    for card in load_knowledge().treatments.values():
        if not card.seed_claims:
            continue
        claims = [
            {
                "seed": claim.seed,
                "claim": claim.claim.strip(),
                "evidence": claim.evidence.strip(),
                "agreement": claim.agreement,
                "agreement_label": AGREEMENT_LABELS[claim.agreement],
                "source_links": source_links(list(claim.sources)),
            }
            for claim in card.seed_claims
        ]
        out.append({"treatment": card.id, "name": card.name, "claims": claims})
    return out


def triage(plan: StoredPlan) -> dict[str, Any]:
    """The triage with red-flag and rule ids turned into their labels, the timeframe in words,
    and the concerns and contradictions with their source links (older plans lack these)."""
    t = plan.triage
    labels = {item.id: item.label for item in red_flags.definition().items}
    labels |= {rule.id: rule.label for rule in load_knowledge().triage.rules}
    disposition = t.disposition
    concerns = [
        {**c.model_dump(), "source_links": source_links(list(c.sources))} for c in t.concerns
    ]
    label = DISPOSITION_LABELS.get(disposition, disposition)
    if disposition == "proceed" and concerns:
        label = "Plan as usual, with a concern to look at"
    timeframe = t.timeframe
    return {
        "disposition": disposition,
        "label": label,
        "when": red_flags.TIMEFRAMES[timeframe][1] if timeframe in red_flags.TIMEFRAMES else "",
        "reasons": [labels.get(r, r) for r in t.reasons],
        "actions": list(t.actions),
        "safety_net": list(t.safety_net),
        "concerns": concerns,
        "contradictions": [
            {**c.model_dump(), "source_links": source_links(list(c.sources))}
            for c in t.contradictions
        ],
    }
