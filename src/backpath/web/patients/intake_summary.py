"""The intake in plain words for its review step: one section per step, each answer under the
question's own label, a missing answer shown as "Not answered", and each questionnaire as its
score on its scale ("ODI 42%"), never as keys or raw JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backpath.errors import InvalidInput
from backpath.instruments import odi, peg, red_flags, rmdq, startback
from backpath.knowledge import load_knowledge
from backpath.knowledge.intake_choices import intake_choices
from backpath.web.patients.intake_forms import (
    PREGNANCY,
    QUESTIONNAIRE_TITLES,
    STEP_TITLES,
    EpisodeForm,
    PainForm,
    PreferencesForm,
    offered_questionnaires,
)
from backpath.web.patients.models import Patient

NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class Section:
    step: str
    title: str
    rows: list[tuple[str, str]]


def summary(document: dict[str, Any], patient: Patient) -> list[Section]:
    """The review's sections, in the order of the intake's steps."""
    titles = dict(STEP_TITLES)
    parts = {
        "person": _person(document, patient),
        "episode": _episode(document.get("episode") or {}),
        "pain": _pain(document.get("pain") or {}),
        "red_flags": _red_flags(document.get("red_flags") or {}),
        "questionnaires": _questionnaires(document.get("questionnaires") or {}),
        "conditions": _conditions(document),
        "preferences": _preferences(document.get("preferences") or {}),
        "prior_treatments": _prior(document.get("prior_treatments")),
    }
    return [Section(step, titles[step], rows) for step, rows in parts.items()]


def _number(value: Any, unit: str = "") -> str:
    if value in (None, ""):
        return NOT_ANSWERED
    return f"{float(value):g}{unit}"


def _person(d: dict[str, Any], patient: Patient) -> list[tuple[str, str]]:
    p = d.get("patient") or {}
    pregnant = p.get("pregnant")
    if pregnant is True or PREGNANCY in (d.get("conditions") or []):
        pregnancy = "Pregnant"
    elif pregnant is False:
        pregnancy = "Not pregnant"
    else:
        pregnancy = NOT_ANSWERED
    return [
        ("Age", NOT_ANSWERED if p.get("age") is None else f"{p['age']} (from the patient record)"),
        ("Sex", f"{patient.get_sex_display()} (from the patient record)"),
        ("Pregnancy", pregnancy),
        ("Weight", _number(p.get("weight_kg"), " kg")),
        ("Height", _number(p.get("height_cm"), " cm")),
    ]


def _episode(e: dict[str, Any]) -> list[tuple[str, str]]:
    form = EpisodeForm()
    rows = [("How long this episode has lasted", _number(e.get("duration_weeks"), " weeks"))]
    for name in ("region", "leg_pain", "suspected_cause"):
        words = dict(getattr(intake_choices(), name).pairs())
        rows.append((str(form.fields[name].label), words.get(e.get(name), NOT_ANSWERED)))
    rows.append(("Earlier episodes", _number(e.get("prior_episodes"))))
    return rows


def _pain(p: dict[str, Any]) -> list[tuple[str, str]]:
    form = PainForm()
    return [(str(form.fields[n].label).split(" (")[0], _number(p.get(n), " out of 10"))
            for n in ("nrs_now", "nrs_week_average")]  # fmt: skip


def _red_flags(flags: dict[str, Any]) -> list[tuple[str, str]]:
    items = red_flags.definition().items
    yes = [i.label for i in items if flags.get(i.id) is True]
    unanswered = [i.label for i in items if flags.get(i.id) is None]
    if not flags:
        return [("Red-flag screen", NOT_ANSWERED)]
    rows = [("Answered yes", "; ".join(yes) if yes else "None of these")]
    if unanswered:
        rows.append((NOT_ANSWERED, "; ".join(unanswered)))
    return rows


def _questionnaires(answers: dict[str, Any]) -> list[tuple[str, str]]:
    return [(QUESTIONNAIRE_TITLES[key], _score(key, answers.get(key)))
            for key in offered_questionnaires()]  # fmt: skip


def _score(key: str, answers: list[int | None] | None) -> str:
    """The score on its own scale, as clinicians quote it."""
    if answers is None:
        return NOT_ANSWERED
    try:
        if key == "startback":
            sb = startback.score(answers)
            return f"{sb.group.capitalize()} risk (total {sb.total} of 9, psychosocial " \
                   f"{sb.psychosocial} of 5)"  # fmt: skip
        if key == "odi":
            o = odi.score(answers)
            band = o.band.replace("_", " ") if o.band else ""
            return f"ODI {o.percent:g}% ({band})" if o.scored else f"Not scored: {o.reason}"
        if key == "rmdq":
            return f"RMDQ {rmdq.score(answers).total} of 24"
        return f"PEG {peg.score(answers).mean:g} out of 10"
    except InvalidInput as exc:
        return f"Not scored: {exc}"


def _conditions(d: dict[str, Any]) -> list[tuple[str, str]]:
    kb = load_knowledge()
    tags = [t for t in d.get("conditions") or [] if t != PREGNANCY]  # shown under Person
    if "conditions" not in d:
        return [("Conditions and medicines", NOT_ANSWERED)]
    words = "; ".join(kb.conditions[t].label for t in tags if t in kb.conditions)
    return [("Conditions and medicines", words or "None ticked")]


def _preferences(p: dict[str, Any]) -> list[tuple[str, str]]:
    form = PreferencesForm()
    avoid = dict(intake_choices().avoid.pairs())
    budget = dict(intake_choices().budget.pairs())
    chosen = [avoid.get(a, a) for a in p.get("avoid") or []]
    sessions = p.get("max_sessions_per_week")
    return [
        (str(form.fields["avoid"].label), "; ".join(chosen) if chosen else "Nothing"),
        (str(form.fields["max_sessions_per_week"].label),
         NOT_ANSWERED if sessions is None else f"{sessions} a week"),
        (str(form.fields["budget"].label), budget.get(p.get("budget", ""), NOT_ANSWERED)),
    ]  # fmt: skip


def _prior(tried: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    if tried is None:
        return [("Treatments tried", NOT_ANSWERED)]
    if not tried:
        return [("Treatments tried", "None recorded")]
    kb = load_knowledge()
    responses = dict(intake_choices().prior_response.pairs())
    rows = []
    for t in tried:
        card = kb.treatments.get(t.get("treatment", ""))
        name = card.name if card is not None else str(t.get("treatment"))
        response = responses.get(t.get("response", ""), NOT_ANSWERED).lower()
        rows.append((name, f"{_number(t.get('weeks'), ' weeks')}; {response}"))
    return rows
