"""Text rendering for the terminal: styled on a tty, plain text when piped."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape

from backpath import DISCLAIMER
from backpath.engine.plan_models import REASON_LABELS, Plan, nest_alternatives
from backpath.engine.stance import GUIDELINE_NAMES
from backpath.exercises import Dose
from backpath.instruments.red_flags import TIMEFRAMES
from backpath.knowledge import PHASES, KnowledgeBase, Treatment

LINE_TITLES = {
    1: "Line 1: start now",
    2: "Line 2: add if the response is not enough at review",
    3: "Line 3: specialist referral options",
}
DISPOSITION_STYLE = {
    "emergency": "bold white on red",
    "urgent_referral": "bold red",
    "referral_with_plan": "bold yellow",
    "proceed": "bold green",
}


def console() -> Console:
    """Styled and wrapped on a terminal; plain, unwrapped lines when piped or redirected."""
    out = Console(highlight=False, emoji=False)
    out.soft_wrap = not out.is_terminal
    return out


def _schedule_text(s: dict[str, Any]) -> str:
    if s.get("per_week"):
        return (
            f"{s['per_week']} x {s['minutes']} min a week for {s['weeks']:g} weeks "
            f"({s['sessions']} sessions)"
        )
    text = str(s.get("routine", ""))
    return f"{text} (for {s['weeks']:g} weeks)" if s.get("weeks") else text


def plan(p: Plan) -> None:
    out = console()
    d = p.to_json_dict()
    tri = d["triage"]
    out.print(
        f"[bold]BackPath plan[/] - phase: {d['phase']}, guideline profile: {d['guideline_profile']}"
    )
    style = DISPOSITION_STYLE[tri["disposition"]]
    when = f" ({TIMEFRAMES[tri['timeframe']][1]})" if tri.get("timeframe") else ""
    out.print(f"Triage: [{style}]{tri['disposition'].replace('_', ' ')}[/]{when}")
    for reason in tri["reasons"]:
        out.print(f"  - {escape(reason)}")
    for action in tri.get("actions", []):
        out.print(f"  [bold]Action:[/] {escape(action)}")
    for advice in tri.get("safety_net", []):
        out.print(f"  [bold]If it gets worse:[/] {escape(advice)}")
    for c in tri.get("contradictions", []):
        out.print(
            f"  [bold yellow]Contradiction:[/] {escape(c['found'])} {escape(c['resolution'])} "
            + escape(f"[{', '.join(c['sources'])}]")
        )
    for c in tri.get("concerns", []):
        out.print(
            f"  [bold yellow]Concern[/] (review within {c['review_within_days']} days): "
            f"{escape(c.get('label', c['id']))}. {escape(c['text'])} "
            + escape(f"[{', '.join(c['sources'])}]")
        )
    if "risk" in d:
        r = d["risk"]
        out.print(
            f"Risk: STarT Back {r['startback']} (total {r['startback_total']}, "
            f"psychosocial {r['startback_psychosocial']})"
        )
    sc = d["scores"]
    parts = [f"NRS {sc['nrs']}/10"]
    if "odi_percent" in sc:
        parts.append(f"Oswestry {sc['odi_percent']:g}%")
    if "rmdq" in sc:
        parts.append(f"Roland-Morris {sc['rmdq']}/24")
    if "peg" in sc:
        parts.append(f"PEG {sc['peg']:g}")
    out.print("Scores: " + ", ".join(parts))
    for note in d["notes"]:
        out.print(f"[bold]Note:[/] {escape(note)}")
    for line in (1, 2, 3):
        items = nest_alternatives([r for r in d["recommended"] if r["line"] == line])
        if not items:
            continue
        out.print(f"\n[bold underline]{LINE_TITLES[line]}[/]")
        for r in items:
            _item(out, r, "* ")
            for alt in r["alternatives"]:
                _item(out, alt, f"  - alternative to {r['treatment']}: ")
    if "home_program" in d:
        home_program(out, d["home_program"])
    if d["not_recommended"]:
        out.print("\n[bold underline]Not recommended[/]")
        for n in d["not_recommended"]:
            out.print(
                f"* {escape(n['name'])} ({n['treatment']}) - {REASON_LABELS[n['reason']].lower()}"
            )
            out.print(f"    {escape(n['why'])}")
    if "review_in_weeks" in d:
        out.print(f"\nReview in {d['review_in_weeks']:g} weeks.")
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def _item(out: Console, r: dict[str, Any], bullet: str) -> None:
    pad = "      " if bullet.startswith(" ") else "    "
    out.print(f"{bullet}[bold]{escape(r['name'])}[/] ({r['treatment']})")
    out.print(f"{pad}why: {escape(r['why'])}")
    out.print(f"{pad}schedule: {escape(_schedule_text(r['schedule']))}")
    for pre in r["precautions"]:
        out.print(f"{pad}[yellow]precaution:[/] {escape(pre)}")
    out.print(f"{pad}sources: {', '.join(r['sources'])}")


def home_program(out: Console, program: dict[str, Any]) -> None:
    """The plan's home program in brief: each exercise with its dose, the walking goal, notes."""
    out.print(
        f"\n[bold underline]Home exercise program[/] (part of {', '.join(program['treatments'])})"
    )
    for e in program["exercises"]:
        dose = Dose.model_validate(e["dose"]).text()
        out.print(f"* [bold]{escape(e['name'])}[/] ({e['exercise']}): {escape(dose)}")
        out.print(f"    why: {escape(e['why'])}")
        for pre in e.get("precautions", []):
            out.print(f"    [yellow]precaution:[/] {escape(pre)}")
    goal = program.get("walking_goal")
    if goal:
        out.print(f"Walking: now {escape(goal['now'])} Goal: {escape(goal['text'])}")
    for note in program.get("notes", []):
        out.print(f"[bold]Note:[/] {escape(note)}")
    out.print(
        "  How to do each one, and when to stop: 'backpath exercise ID'. "
        f"Sources: {', '.join(program.get('sources', []))}"
    )


def treatment_summary(t: Treatment) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "category": t.category.value,
        "invasiveness": t.invasiveness.value,
        "cost_tier": t.cost_tier.value,
        "preference_tags": [p.value for p in t.preference_tags],
        "consensus": {ph: t.consensus.for_phase(ph).verdict.value for ph in PHASES},
    }


def treatment_list(kb: KnowledgeBase) -> None:
    out = console()
    out.print(
        f"[bold]{len(kb.treatments)} treatments[/] (consensus verdict acute / subacute / chronic)"
    )
    for t in kb.treatments.values():
        verdicts = " / ".join(t.consensus.for_phase(ph).verdict.value for ph in PHASES)
        out.print(f"  {t.id:<34} {t.category.value:<16} {verdicts:<40} {escape(t.name)}")
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def treatment_card(t: Treatment, kb: KnowledgeBase) -> None:
    out = console()
    out.print(
        f"[bold]{escape(t.name)}[/] ({t.id}) - {t.category.value}, "
        f"invasiveness {t.invasiveness.value}, cost {t.cost_tier.value}"
    )
    out.print(f"\n{escape(t.description.strip())}")
    out.print(f"\n[bold]How it is thought to work[/]\n{escape(t.how_it_works.strip())}")
    out.print(f"\n[bold]What to expect[/]\n{escape(t.what_to_expect.strip())}")
    c = t.course
    course = (
        f"{c.sessions_per_week} x {c.minutes_per_session} min a week for {c.weeks:g} weeks"
        if c.delivery == "sessions"
        else (c.routine or "")
    )
    out.print(f"\n[bold]Typical course[/]: {escape(course)}")
    out.print("\n[bold]Guideline verdicts[/] (acute / subacute / chronic)")
    for key, name in GUIDELINE_NAMES.items():
        phases = getattr(t.guidelines, key)
        cells = " / ".join(phases.for_phase(ph).verdict.value for ph in PHASES)
        out.print(f"  {name:<10} {cells}")
    cells = " / ".join(
        f"{e.verdict.value}" + (f" (line {e.line})" if e.line else "")
        for e in (t.consensus.for_phase(ph) for ph in PHASES)
    )
    out.print(f"  {'BackPath':<10} {cells}")
    for ph in PHASES:
        out.print(f"    {ph}: {escape(t.consensus.for_phase(ph).rationale.strip())}")
    if t.effects:
        out.print("\n[bold]Effects[/]")
        for e in t.effects:
            out.print(
                f"  - {e.phase}, {escape(e.outcome)} vs {escape(e.comparator)}: "
                f"{escape(e.estimate)} ({e.certainty}) [{', '.join(e.sources)}]"
            )
    if t.indication:
        out.print(f"\n[bold]Indication[/]: {escape(t.indication.description.strip())}")
    if t.contraindications:
        out.print("\n[bold]Contraindications and interactions[/]")
        for ci in t.contraindications:
            label = kb.conditions[ci.condition].label
            out.print(f"  - {escape(label)} ({ci.severity} {ci.kind}): {escape(ci.reason.strip())}")
            if ci.precaution:
                out.print(f"      precaution: {escape(ci.precaution.strip())}")
    if t.seed_claims:
        out.print("\n[bold]What the source articles claim, against the evidence[/]")
        for s in t.seed_claims:
            out.print(f"  - {s.seed}: {escape(s.claim.strip())}")
            out.print(
                f"      evidence ({s.agreement}): {escape(s.evidence.strip())} "
                f"[{', '.join(s.sources)}]"
            )
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def source_list(kb: KnowledgeBase) -> None:
    out = console()
    for s in kb.sources.values():
        link = (s.doi and f"doi:{s.doi}") or s.url or ""
        flag = "" if s.verified else " [to be verified]"
        out.print(
            f"[bold]{s.id}[/] {escape(s.authors)} ({s.year}). {escape(s.title)}. "
            f"{escape(s.published_in or '')} {escape(link)}{flag}"
        )
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def score(result: Any) -> None:
    out = console()
    data = result.to_dict()
    out.print(f"[bold]{data.get('instrument', 'score')}[/]")
    for key, value in data.items():
        if key != "instrument" and value is not None:
            out.print(f"  {key}: {escape(json_text(value))}")
    out.print(f"\n[italic]{escape(DISCLAIMER)}[/]")


def json_text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)
