"""One-page letters with the clinic's name, rendered in the background worker like every PDF
(``plans.printouts``, keyed to the episode's latest plan version):

- the **referral letter** (reason, findings, what was tried, the question asked);
- the **discharge summary** for the GP or referrer (dates, reason, outcome against baseline,
  care received, what to do if the pain returns);
- the **patient summary** (what we found, the plan this week, warning signs, who to contact),
  in the patient's words, instead of the long printout.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from backpath import DISCLAIMER
from backpath.engine.stored_plan import StoredPlan
from backpath.instruments import red_flags
from backpath.outcomes import outcome_of
from backpath.reports import plain_plan
from backpath.reports.plain_plan import treatment_name
from backpath.tracking import MEASURE_LABELS
from backpath.web.care.this_week import this_week
from backpath.web.diary.models import DiaryEntry
from backpath.web.outcomes.facts import facts_of
from backpath.web.patients.models import Episode
from backpath.web.plans.display import DISPOSITION_LABELS
from backpath.web.plans.models import PlanVersion
from backpath.web.plans.pdf import render_pdf, stylesheet

LETTER_STYLESHEET = "backpath/letters.css"
DEFAULT_QUESTION = "Please assess and advise on further management."
DEFAULT_IF_RETURNS = (
    "Start again with the exercises and advice from your plan. If the pain does not ease, "
    "contact the clinic or your GP; for any warning sign in your plan, seek care the same day."
)
PHASE_WORDS = {"acute": "recent (less than 4 weeks)", "subacute": "4 to 12 weeks old",
               "chronic": "long-standing (more than 12 weeks)"}  # fmt: skip
RISK_WORDS = {"low": "a low risk of long-term problems",
              "medium": "a medium risk of long-term problems",
              "high": "a higher risk of long-term problems"}  # fmt: skip
"""The STarT Back groups in the patient's words (the groups are the instrument's own)."""


def _head(episode: Episode) -> dict[str, Any]:
    patient = episode.patient
    clinician = episode.clinician
    return {
        "clinic": patient.clinic.name, "today": timezone.localdate(), "patient": patient,
        "clinician": (clinician.get_full_name() or clinician.username) if clinician else "",
        "disclaimer": DISCLAIMER, "css": stylesheet(LETTER_STYLESHEET),
    }  # fmt: skip


def _findings(plan: StoredPlan, intake: dict[str, Any]) -> list[str]:
    scores = plan.scores
    out = [f"Phase: {plan.phase} ({PHASE_WORDS.get(plan.phase, '')})."]
    if (weeks := (intake.get("episode") or {}).get("duration_weeks")) is not None:
        out.append(f"Pain for {weeks:g} weeks; leg pain: "
                   f"{(intake.get('episode') or {}).get('leg_pain', 'not recorded')}.")  # fmt: skip
    parts = [f"pain {scores.nrs}/10"]
    if scores.odi_percent is not None:
        parts.append(f"Oswestry {scores.odi_percent:g}%")
    if scores.rmdq is not None:
        parts.append(f"Roland-Morris {scores.rmdq}/24")
    if scores.peg is not None:
        parts.append(f"PEG {scores.peg:g}/10")
    out.append("Scores at the start: " + ", ".join(parts) + ".")
    if plan.risk is not None:
        out.append(f"STarT Back: {plan.risk.startback} risk (total {plan.risk.startback_total}).")
    return out


def _flags(plan: StoredPlan) -> list[str]:
    labels = {item.id: item.label for item in red_flags.definition().items}
    return [labels.get(r, r) for r in plan.triage.reasons]


def _sessions(episode: Episode, until: dt.date | None = None) -> list[str]:
    rows = DiaryEntry.objects.filter(episode=episode, kind="session", attended=True)
    if until:
        rows = rows.filter(on__lte=until)
    counts = Counter(rows.values_list("treatment", flat=True))
    return [f"{treatment_name(t)}: {n} session{'s' if n != 1 else ''} attended"
            for t, n in counts.most_common()]  # fmt: skip


def _given(plan: StoredPlan) -> list[str]:
    return [item.name for item in plan.recommended if item.line == 1]


def referral_pdf(version: PlanVersion) -> bytes:
    episode, plan = version.episode, version.document
    intake = episode.intake.data if hasattr(episode, "intake") else {}
    tried = [f"{p.get('treatment', '').replace('_', ' ')} for {p.get('weeks', '?')} weeks "
             f"({p.get('response', 'response not recorded')})"
             for p in intake.get("prior_treatments", [])]  # fmt: skip
    tried += [f"Here: {line}" for line in _sessions(episode)]
    context = _head(episode) | {
        "reason": DISPOSITION_LABELS.get(plan.triage.disposition, plan.triage.disposition),
        "flags": _flags(plan), "actions": plan.triage.actions, "findings": _findings(plan, intake),
        "tried": tried or ["Nothing recorded yet."],
        "question": episode.referral_question.strip() or DEFAULT_QUESTION,
    }  # fmt: skip
    return render_pdf(render_to_string("letters/referral.html", context))


def outcome_lines(episode: Episode, plan: StoredPlan) -> list[str]:
    """Each measure's baseline, last score and whether the change mattered."""
    today = timezone.localdate()
    facts = facts_of(episode, today)
    result = outcome_of(facts, today)
    end = episode.closed or today
    lines = []
    for measure, responded in result.by_measure.items():
        if responded is None:
            continue
        last = max((o for o in facts.observations if o.measure == measure and o.on <= end),
                   key=lambda o: o.on)  # fmt: skip
        verdict = "improved by at least the minimal important change" if responded else (
            "no improvement as large as the minimal important change")  # fmt: skip
        lines.append(f"{MEASURE_LABELS[measure]}: {facts.baseline[measure]:g} at the start, "
                     f"{last.value:g} on {last.on:%-d %b %Y}: {verdict}.")  # fmt: skip
    return lines or ["No score was repeated after the start, so no change can be reported."]


def discharge_pdf(version: PlanVersion) -> bytes:
    episode, plan = version.episode, version.document
    context = _head(episode) | {
        "episode": episode, "reason": episode.get_discharge_reason_display() or "Not recorded",
        "findings": _findings(plan, episode.intake.data if hasattr(episode, "intake") else {}),
        "outcome": outcome_lines(episode, plan), "given": _given(plan),
        "sessions": _sessions(episode, episode.closed),
        "if_returns": episode.if_pain_returns.strip() or DEFAULT_IF_RETURNS,
    }  # fmt: skip
    return render_pdf(render_to_string("letters/discharge.html", context))


def summary_pdf(version: PlanVersion) -> bytes:
    """The patient's plan on one page: what was found, this week with how much of each, the
    warning signs and who to contact (the clinic's phone when it has one)."""
    episode, plan = version.episode, version.document
    week = this_week(plan)
    context = _head(episode) | {
        "phase": PHASE_WORDS.get(plan.phase, plan.phase),
        "risk": RISK_WORDS.get(plan.risk.startback, "") if plan.risk else "",
        "week": week,
        "walking": week.walking.now if week.walking else "",
        "phone": episode.patient.clinic.phone,
        "warning_signs": plain_plan.warning_signs(),
        "emergency": plan.triage.disposition in ("emergency", "urgent_referral"),
    }  # fmt: skip
    return render_pdf(render_to_string("letters/summary.html", context))
