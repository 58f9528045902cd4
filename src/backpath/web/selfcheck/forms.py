"""Self-check forms; the answers wait in the visitor's session between steps (``progress``)."""

from __future__ import annotations

from typing import Any

from django import forms

from backpath import contract
from backpath.web.patients.intake_forms import (
    RedFlagsForm,
    avoid_choices,
    choices_of,
    question,
    weeks_since_start,
    whole,
)

MIN_SECONDS = 3  # a human needs at least this long to fill in the request form


class SelfCheckFlagsForm(RedFlagsForm):
    """The same red-flag questions as the clinic intake, asked first."""


class BasicsForm(forms.Form):
    age = whole("Your age", 16, 120, help_text="A whole number from 16 to 120.")
    duration_weeks = weeks_since_start()
    leg_pain = forms.ChoiceField(label=question("leg_pain"), choices=choices_of("leg_pain"))
    nrs_now = whole("How bad is the pain right now? (0 = none, 10 = worst imaginable)", 0, 10)
    avoid = forms.MultipleChoiceField(
        label="Anything you would rather avoid?",
        choices=avoid_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class RequestForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=200)
    email = forms.EmailField(label="Email", required=False, help_text="An email or a phone number.")
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    message = forms.CharField(
        label="Anything you want the clinic to know",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )
    consent = forms.BooleanField(
        label="I agree that the clinic stores my answers and contact details to reply to me.",
        error_messages={"required": "Tick this box so the clinic may store your request."},
    )  # fmt: skip
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("email") and not data.get("phone"):
            self.add_error(
                "email", "Give an email address or a phone number so the clinic can reply."
            )
        return data


def intake_from(flags: dict[str, bool], basics: dict[str, Any]) -> dict[str, Any]:
    """The partial intake the answers amount to (conditions and questionnaires unknown)."""
    weeks = float(basics["duration_weeks"])
    return {
        "schema": "backpath.intake/1",
        "patient": {"age": int(basics["age"])},
        "episode": {"duration_weeks": int(weeks) if weeks.is_integer() else weeks,
                    "leg_pain": basics["leg_pain"]},
        "pain": {"nrs_now": int(basics["nrs_now"])},
        "red_flags": {f: bool(flags.get(f)) for f in contract.red_flag_ids()},
        "preferences": {"avoid": list(basics.get("avoid", []))},
    }  # fmt: skip


__all__ = [
    "BasicsForm",
    "RequestForm",
    "SelfCheckFlagsForm",
    "intake_from",
]
