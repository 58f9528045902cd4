"""The exercise log as the patient sends it (a tap on Today, or the API): which days may be
logged, and the form that checks a log against the published program and its stop rules.

A record rule, so it lives with the records: the Today page and the API both use it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from backpath.engine.program_models import OUTCOME_LABELS, HomeProgram
from backpath.errors import InvalidInput
from backpath.reports.exercise_cards import stop_rules_of

DAYS_BACK = 6
"""Besides today, how many past days can still be logged (a week in all)."""
NO_STOP_RULE = "none"


def window(today: dt.date) -> list[dt.date]:
    """The days that can be logged, newest first."""
    return [today - dt.timedelta(days=k) for k in range(DAYS_BACK + 1)]


def check_day(day: dt.date, today: dt.date) -> None:
    """Raises ``InvalidInput`` for a day outside today and the six days before it."""
    first = today - dt.timedelta(days=DAYS_BACK)
    if day > today:
        problem = f"{day:%-d %b %Y} is in the future"
    elif day < first:
        problem = f"{day:%-d %b %Y} is more than {DAYS_BACK} days ago"
    else:
        return
    raise InvalidInput(
        "on", f"{problem}; choose today or a day from {first:%-d %b} to {today:%-d %b %Y}"
    )


class ExerciseLogForm(forms.Form):
    """One tap. ``question`` marks the follow-up answer to 'too painful'."""

    on = forms.DateField(label="Day")
    exercise = forms.CharField(label="Exercise", max_length=60)
    outcome = forms.ChoiceField(label="How it went", choices=list(OUTCOME_LABELS.items()))
    stop_rule = forms.CharField(label="What happened", required=False, max_length=60)
    question = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, program: HomeProgram | None, today: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.program = program
        self.today = today

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        try:
            check_day(day, self.today)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None
        return day

    def clean_exercise(self) -> str:
        exercise: str = self.cleaned_data["exercise"]
        if self.program is None:
            raise forms.ValidationError("your clinic has not shared a home program with you yet")
        if self.program.find(exercise) is None:
            names = ", ".join(e.exercise for e in self.program.exercises)
            raise forms.ValidationError(
                f"'{exercise}' is not in your published program; choose one of: {names}"
            )
        return exercise

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        exercise, outcome = data.get("exercise"), data.get("outcome")
        answer = data.get("stop_rule", "")
        if self.program is None or exercise is None or outcome is None:
            return data
        if outcome != "too_painful":
            if answer:
                self.add_error("stop_rule", "only goes with the answer 'Too painful'")
            return data
        item = self.program.find(exercise)
        allowed = [r.id for r in stop_rules_of(item)] if item else []
        if data.get("question") and not answer:
            self.add_error(
                "stop_rule", "choose one of the answers, or 'None of these, it just hurt'"
            )
        elif answer and answer != NO_STOP_RULE and answer not in allowed:
            self.add_error(
                "stop_rule",
                f"'{answer}' is not one of this exercise's answers: "
                f"{', '.join([*allowed, NO_STOP_RULE])}",
            )
        return data
