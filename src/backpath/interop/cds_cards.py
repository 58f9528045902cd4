"""Card rules of the ``patient-view`` service: a reading of the person -> CDS Hooks cards.

Order: critical, then warning, then info; at most one critical, ``MAX_WARNINGS`` warnings and
one info card.

- critical: a serious condition on record or BackPath's red-flag screen puts the person at
  emergency or urgent-referral level. It says what to do now and lists the findings with
  their sources; no plan advice follows (safety rule 1), so there is no info card.
- warning: an active medicine whose ingredient belongs to a BackPath treatment (an NSAID, an
  opioid...) meets one of that treatment's contraindications or interactions among the
  person's condition tags; the knowledge base gives the reason, precaution and sources.
- info: the STarT Back risk group and what it means for care, and BackPath's plan in short
  when the data make a valid intake, otherwise which data are missing.

What BackPath could not check is said on the critical card, or else on the info card (whose
summary counts it): prefetch keys the EHR answered with an OperationOutcome or with nothing
BackPath could read, resources left out as not valid FHIR R4 (with where and why), and
medicines matched to no known ingredient. Their absence of warnings is never a sign of safety.

Every card's source is "BackPath" and its detail ends with the disclaimer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from backpath import DISCLAIMER
from backpath.engine import make_plan
from backpath.engine.triage import Triage
from backpath.errors import InvalidInput
from backpath.instruments import red_flags
from backpath.interop import codes
from backpath.interop.cds_codes import cds_codes
from backpath.interop.cds_models import Card, CardSource, CdsResponse, Coding, Indicator, Link
from backpath.interop.cds_notices import flag_label, md, notice_lines, notice_summary
from backpath.interop.cds_prefetch import PatientData
from backpath.interop.cds_reading import Medicine, Reading, code_text, read
from backpath.interop.medicines import CodingKey, Ingredient
from backpath.knowledge import Treatment, load_knowledge
from backpath.knowledge.models import Contraindication
from backpath.reports.citations import markdown

MAX_WARNINGS = 4
TOPICS = f"{codes.BASE}/CodeSystem/cds-card-topic"
URGENT = ("emergency", "urgent_referral")
_DISPOSITIONS = {"emergency": "emergency", "urgent_referral": "urgent referral"}


def _clip(text: str) -> str:
    """The specification wants summaries under 140 characters."""
    return text if len(text) < 140 else text[:136].rstrip() + "..."


@dataclass(frozen=True)
class CardContext:
    """What the caller adds to every card: links into BackPath and the source's URL."""

    links: tuple[Link, ...] = ()
    source_url: str | None = None

    def card(
        self, indicator: Indicator, summary: str, lines: list[str], topic: tuple[str, str]
    ) -> Card:
        return Card(
            uuid=str(uuid.uuid4()),
            summary=_clip(summary),
            detail="\n\n".join([*lines, f"*{DISCLAIMER}*"]),
            indicator=indicator,
            source=CardSource(
                label="BackPath",
                url=self.source_url,
                topic=Coding(system=TOPICS, code=topic[0], display=topic[1]),
            ),
            links=list(self.links) if self.links and indicator != "warning" else None,
        )


def _suspect_label(suspect: str) -> str:
    rule = cds_codes().suspects.get(suspect)
    return rule.label if rule is not None else f"possible {suspect.replace('_', ' ')}"


def _triage(reading: Reading) -> Triage | None:
    """BackPath's triage from everything the EHR data say (conditions, episode, age and the
    screen), or None when they are not enough for an intake."""
    if not reading.intake:
        return None
    try:
        return reading.assessment().triage
    except InvalidInput:
        return None


def critical_card(reading: Reading, context: CardContext) -> Card | None:
    """Emergency or urgent red flags, or None.

    The screen's flags are read as BackPath's triage reads them when the data allow an intake:
    a weak flag on its own in long-standing pain is a concern on the plan card, not a red-flag
    card, and a combination the screen alone does not see (cancer with radicular pain) is an
    emergency here too. Without an intake, every urgent flag of the screen counts (the cautious
    side)."""
    table = cds_codes()
    triage = _triage(reading)
    flags = red_flags.definition().scoring.flags
    findings: list[tuple[str, str]] = []
    suspects: list[str] = []
    for finding in reading.serious:
        rule = table.suspects[finding.suspect]
        flag = flags[rule.flag]
        suspects.append(finding.suspect)
        findings.append(
            (
                rule.disposition,
                f"Condition on record: {md(finding.text)} - {rule.label}, "
                f"{_DISPOSITIONS[rule.disposition]}. {flag.action} "
                f"Sources: {markdown(flag.sources)}.",
            )
        )
    screen = reading.screen
    if screen is not None and (triage is None or triage.disposition in URGENT):
        for reason in screen.reasons:
            if reason.disposition not in URGENT:
                continue
            suspects += reason.suspects
            labels = ", ".join(_suspect_label(s) for s in reason.suspects)
            findings.append(
                (
                    reason.disposition,
                    f"{reading.screen_evidence}: {flag_label(reason.id)} - {labels}, "
                    f"{_DISPOSITIONS[reason.disposition]}. {reason.action} "
                    f"Sources: {markdown(reason.sources)}.",
                )
            )
    if (
        triage is not None
        and triage.disposition == "emergency"
        and all(disposition != "emergency" for disposition, _ in findings)
    ):
        suspects += triage.suspected
        labels = ", ".join(_suspect_label(s) for s in triage.suspected)
        findings.append(
            (
                "emergency",
                f"BackPath triage of everything on record: {labels}, emergency. "
                + " ".join(triage.actions),
            )
        )
    if not findings:
        return None
    emergency = any(disposition == "emergency" for disposition, _ in findings)
    labels = ", ".join(_suspect_label(s) for s in dict.fromkeys(suspects))
    if emergency:
        summary = f"Emergency: {labels} - arrange emergency assessment now; no BackPath plan"
    else:
        summary = f"Urgent referral: {labels} - assess before any treatment beyond comfort care"
    findings.sort(key=lambda f: f[0] != "emergency")
    lines = [
        f"**Red flags: {'emergency' if emergency else 'urgent referral'}**",
        "\n".join(f"- {text}" for _, text in findings),
        "BackPath gives no treatment plan while a red flag is unresolved: suspected cauda "
        "equina syndrome needs emergency care now; a suspected fracture, cancer, infection "
        "or worsening nerve deficit needs urgent assessment, with comfort measures only until "
        "serious disease is ruled out.",
        *notice_lines(reading),
        *reading.problems,
    ]
    return context.card("critical", summary, lines, ("red-flags", "Red flags"))


def _conflicts(
    medicine: Medicine, treatment: Treatment, reading: Reading
) -> list[Contraindication]:
    found = []
    for rule in treatment.contraindications:
        if rule.condition not in reading.tags:
            continue
        if reading.tag_locations.get(rule.condition) == {medicine.location}:
            continue  # the medicine itself set the tag
        found.append(rule)
    return sorted(found, key=lambda r: (r.severity != "absolute", r.kind != "interaction"))


def _warning(
    medicine: Medicine,
    treatment: Treatment,
    conflicts: list[Contraindication],
    reading: Reading,
    context: CardContext,
    match: tuple[Ingredient, CodingKey | None],
) -> Card:
    kb = load_knowledge()
    ingredient, coding = match
    name = medicine.name or ingredient.name
    first = conflicts[0]
    advice = "avoid" if first.severity == "absolute" else "only with precautions"
    label = kb.conditions[first.condition].label
    more = f" (+{len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    summary = f"{name[:40]}: {first.kind} with '{label}' - {advice}{more}"
    where = f"{medicine.kind}, {code_text(coding)}" if coding else medicine.kind
    if medicine.status != "active":
        where += f", status {medicine.status}"
    lines = [
        f"**{md(name)}** ({where}) contains {ingredient.name}, one of BackPath's "
        f"*{treatment.name}*."
    ]
    for rule in conflicts:
        text = (
            f"- **{kb.conditions[rule.condition].label}** - {rule.kind}, {rule.severity}. "
            f"{rule.reason}"
        )
        if rule.precaution:
            text += f" Precaution: {rule.precaution}"
        text += f" Sources: {markdown(rule.sources)}."
        evidence = "; ".join(md(line) for line in reading.tags[rule.condition])
        lines.append(f"{text}\n  Found in: {evidence}.")
    return context.card("warning", summary, lines, ("interaction", "Medicine interaction"))


def warning_cards(reading: Reading, context: CardContext) -> list[Card]:
    """One card per active medicine and BackPath treatment that clashes with the person (a
    combination product can give one per ingredient's treatment)."""
    kb = load_knowledge()
    found: list[tuple[bool, Card]] = []
    seen: set[tuple[str, str]] = set()
    for medicine in reading.medicines:
        for ingredient in medicine.ingredients:
            for treatment_id in ingredient.treatments:
                treatment = kb.treatment(treatment_id)
                key = (treatment.id, medicine.name.casefold() or ingredient.id)
                conflicts = _conflicts(medicine, treatment, reading)
                if not conflicts or key in seen:
                    continue
                seen.add(key)
                absolute = conflicts[0].severity == "absolute"
                match = (ingredient, medicine.matched)
                card = _warning(medicine, treatment, conflicts, reading, context, match)
                found.append((absolute, card))
    found.sort(key=lambda pair: not pair[0])
    return [card for _, card in found]


def _risk_lines(reading: Reading) -> list[str]:
    groups = cds_codes().startback_groups
    if reading.risk is None:
        return [
            "**STarT Back: not recorded.** BackPath reads it from an Observation LOINC 91352-5, "
            "the total 91351-7 with the distress subscore 91350-9, or its own STarT Back "
            "questionnaire response."
        ]
    meaning = getattr(groups, reading.risk.group)
    return [
        f"**STarT Back: {reading.risk.group} risk** ({md(reading.risk.evidence)}). "
        f"{meaning} Sources: {markdown(groups.sources)}."
    ]


def _plan_lines(reading: Reading) -> tuple[str, list[str]]:
    """(summary part, detail lines) of BackPath's plan, or of what it still needs."""
    if not reading.intake:
        return "BackPath plan: data not readable", ["**No BackPath plan**: see the problems below."]
    try:
        plan = make_plan(reading.assessment())
    except InvalidInput as exc:
        return f"BackPath plan needs {exc.field}", [
            f"**No BackPath plan yet**: the EHR data lack `{exc.field}` ({exc.message}). "
            "Complete the intake in BackPath, or send BackPath's questionnaire responses."
        ]
    if plan.triage.disposition in URGENT:
        return "no BackPath plan (red flags)", ["**No BackPath plan**: red flags come first."]
    first = [item for item in plan.recommended if item.line == 1]
    later = len(plan.recommended) - len(first)
    lines = [
        f"**BackPath plan** ({plan.phase} pain, {plan.guideline_profile} profile) - start now:",
        "\n".join(f"- {item.name}" for item in first) or "- nothing at line 1",
    ]
    tail = f"{later} more at later steps. " if later else ""
    review = plan.review_in_weeks
    if review is not None:
        tail += f"Review in {review:g} weeks. "
    lines.append(tail + "Open BackPath for the whole plan with reasons and sources.")
    if plan.triage.disposition == "referral_with_plan":
        lines.append("Also: " + " ".join(plan.triage.actions))
    for c in plan.triage.contradictions:
        lines.append(f"**The data contradict each other**: {c.found} {c.resolution}")
    for concern in plan.triage.concerns:
        lines.append(
            f"**Look closer: {concern.label}** (review within {concern.review_within_days} "
            f"days). {concern.text} Sources: {markdown(concern.sources)}."
        )
    unscreened = plan.triage.unscreened
    if len(unscreened) == len(red_flags.flag_ids()):
        lines.append(
            "No red-flag screen was found: ask about red flags (cauda equina symptoms, cancer, "
            "infection, fracture, worsening nerve deficit) before acting on this plan."
        )
    elif unscreened:
        labels = "; ".join(flag_label(f) for f in unscreened)
        lines.append(
            f"Red flags not screened: {labels}. Ask about them before acting on this plan."
        )
    return f"BackPath plan: {len(first)} items to start now", lines


def info_card(reading: Reading, data: PatientData, context: CardContext) -> Card:
    plan_summary, plan_lines = _plan_lines(reading)
    risk = f"STarT Back {reading.risk.group} risk" if reading.risk else "STarT Back not recorded"
    lines = [*notice_lines(reading), *_risk_lines(reading), *plan_lines]
    if data.unavailable:
        lines.append(
            "Not available: "
            + "; ".join(f"{key} ({md(why)})" for key, why in data.unavailable.items())
        )
    lines += reading.problems
    summary = "; ".join(p for p in (notice_summary(reading), risk, plan_summary) if p)
    return context.card("info", summary, lines, ("risk-and-plan", "Risk and plan"))


def build_cards(
    data: PatientData,
    *,
    links: Iterable[Link] = (),
    source_url: str | None = None,
    today: date | None = None,
) -> CdsResponse:
    """The cards for one patient, most urgent first."""
    reading = read(data, today or datetime.now(UTC).date())
    context = CardContext(tuple(links), source_url)
    warnings = warning_cards(reading, context)
    if len(warnings) > MAX_WARNINGS:
        hidden = len(warnings) - MAX_WARNINGS
        reading.problems.append(f"{hidden} more medicine warnings are not shown: open BackPath.")
    critical = critical_card(reading, context)
    cards = [critical] if critical is not None else []
    cards += warnings[:MAX_WARNINGS]
    if critical is None:
        cards.append(info_card(reading, data, context))
    return CdsResponse(cards=cards)
