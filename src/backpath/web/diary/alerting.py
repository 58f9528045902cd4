"""Patient reports that may need a person: the advice each gets, and the alert it raises.

Used by the patient pages and the API alike, so a report gets the same advice and the same
alert whichever way it arrives:

- an exercise-log answer with a stop rule (``exercise_alert``);
- a diary side effect, with the warning signs ticked and whether it was serious
  (``diary_alert``).

The advice comes from the domain (``backpath.exercises.advice``); alerts are written by
``backpath.web.alerts.notify``.
"""

from __future__ import annotations

from django.http import HttpRequest

from backpath.exercises import load_stop_rules
from backpath.exercises.advice import Advice, advice_for
from backpath.reports.exercise_cards import stop_rule_text
from backpath.web.alerts.notify import raise_alert
from backpath.web.diary.models import DiaryEntry, ExerciseLog


def log_advice(log: ExerciseLog) -> Advice:
    """The advice for an exercise-log answer (urgency none without a stop rule)."""
    return advice_for(stop_rules=[log.stop_rule] if log.stop_rule else [])


def exercise_alert(request: HttpRequest | None, log: ExerciseLog, name: str) -> tuple[Advice, bool]:
    """The advice for ``log`` and whether the clinic has an alert for it (one per log and
    stop rule, however often the answer is saved). ``request`` (None for the demo seed) is
    who the creation is audited as."""
    advice = log_advice(log)
    alert = raise_alert(
        request,
        clinic=log.patient.clinic,
        patient=log.patient,
        origin="exercise_log",
        advice=advice,
        reported=f"{name} on {log.on:%-d %b %Y}, too painful, with the stop sign: "
        f"{stop_rule_text(log.stop_rule).text}",
        key=f"exercise_log:{log.pk}:{log.stop_rule}",
    )
    return advice, alert is not None


def entry_advice(entry: DiaryEntry) -> Advice | None:
    """The advice for a diary side effect (None for other kinds of entry). Its ``answers``
    hold the warning signs ticked; a stored sign the library no longer knows is counted as an
    unknown report, never dropped."""
    if entry.kind != DiaryEntry.Kind.ADVERSE:
        return None
    signs = [str(s) for s in entry.answers or []]
    known = set(load_stop_rules())
    return advice_for(
        warning_signs=[s for s in signs if s in known],
        stop_rules=[s for s in signs if s not in known],
        side_effect="serious" if entry.serious else "not_serious",
    )


def _signs_text(entry: DiaryEntry) -> str:
    rules = load_stop_rules()
    signs = [rules[s].patient_text.strip() if s in rules else s for s in entry.answers or []]
    return (" Warning signs: " + " ".join(signs)) if signs else ""


def diary_alert(request: HttpRequest, entry: DiaryEntry) -> tuple[Advice | None, bool]:
    """The advice for a diary entry and whether the clinic has an alert for it."""
    advice = entry_advice(entry)
    if advice is None:
        return None, False
    serious = "Serious side effect" if entry.serious else "Side effect"
    alert = raise_alert(
        request,
        clinic=entry.patient.clinic,
        patient=entry.patient,
        origin="adverse_event",
        advice=advice,
        reported=f"{serious} on {entry.on:%-d %b %Y}: {entry.note}{_signs_text(entry)}",
        key=f"diary:{entry.pk}",
    )
    return advice, alert is not None
