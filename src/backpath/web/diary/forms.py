"""Diary forms: one per kind of entry. Each checks its fields, then lets the instrument score.

Labels, ranges and answer options come from the instrument data files, so a form can never
disagree with the scoring. ``entry()`` returns the ``DiaryEntry`` fields to save; the score in
``value`` is computed by ``backpath.instruments``, never here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django import forms
from django.utils import timezone

from backpath.errors import InvalidInput
from backpath.exercises.advice import warning_sign_rules
from backpath.instruments import nrs, odi, peg, rmdq, score
from backpath.instruments.definition import Item

YES_NO = [("yes", "Yes"), ("no", "No")]
OLDEST_DAYS = 366


def _range_of(item: Item) -> tuple[int, int]:
    values = [o.value for o in item.options]
    return min(values), max(values)


def whole(label: str, item: Item) -> forms.IntegerField:
    low, high = _range_of(item)
    allowed = f"Enter a whole number from {low} to {high}."
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=allowed,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": allowed,
            "min_value": allowed,
            "max_value": allowed,
            "required": f"Required. {allowed}",
        },
    )


def yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Required. Choose Yes or No.",
            "invalid_choice": "Choose Yes or No.",
        },
    )


class EntryForm(forms.Form):
    """The date every entry carries; subclasses add their fields and ``entry()``."""

    kind: ClassVar[str]
    title: ClassVar[str]
    intro: ClassVar[str] = ""

    on = forms.DateField(
        label="Date",
        # ISO format: a type="date" input cannot show a locale-formatted value.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The day this is about, e.g. 2025-03-14. Today or up to a year back.",
        error_messages={
            "invalid": "Enter a date as YYYY-MM-DD, e.g. 2025-03-14.",
            "required": "Required. Enter a date as YYYY-MM-DD.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.kind)
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("on", timezone.localdate())

    def clean_on(self) -> dt.date:
        day: dt.date = self.cleaned_data["on"]
        today = timezone.localdate()
        if day > today:
            raise forms.ValidationError("The date cannot be in the future; enter today or earlier.")
        if (today - day).days > OLDEST_DAYS:
            raise forms.ValidationError("Enter a date within the past year.")
        return day

    def _scored(self, instrument: str, answers: object) -> Any:
        """Score with the domain; an ``InvalidInput`` becomes a form error, not a 500."""
        try:
            return score(instrument, answers)
        except InvalidInput as exc:
            self.add_error(None, f"These answers could not be scored: {exc.message}")
            return None

    def entry(self) -> dict[str, Any] | None:
        """Fields for a ``DiaryEntry``; None (with a form error added) when it cannot be saved."""
        raise NotImplementedError


class NrsForm(EntryForm):
    kind = "nrs"
    title = "Pain today"
    intro = "Once a day: how bad is your back pain right now?"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = nrs.definition().items[0]
        low, high = _range_of(item)
        self.fields["pain"] = whole(
            f"Back pain right now ({low} = {item.options[0].label}, "
            f"{high} = {item.options[-1].label})",
            item,
        )

    def entry(self) -> dict[str, Any] | None:
        answer = self.cleaned_data["pain"]
        result = self._scored("nrs", answer)
        if result is None:
            return None
        return {"value": result.headline, "answers": [answer]}


class PegForm(EntryForm):
    kind = "peg"
    title = "Weekly check (PEG)"
    intro = "Once a week: three questions about the past week."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in peg.definition().items:
            low, high = _range_of(item)
            self.fields[item.id] = whole(
                f"{item.label} ({low} = {item.options[0].label}, "
                f"{high} = {item.options[-1].label})",
                item,
            )

    def entry(self) -> dict[str, Any] | None:
        answers = [self.cleaned_data[item.id] for item in peg.definition().items]
        result = self._scored("peg", answers)
        if result is None:
            return None
        return {"value": result.headline, "answers": answers}


class OdiForm(EntryForm):
    kind = "odi"
    title = "Oswestry questionnaire (at review)"
    intro = (
        "Before your review: for each part of daily life, choose how much your back limits "
        "it today. Leave one blank if it does not apply to you."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in odi.definition().items:
            low, high = _range_of(item)
            self.fields[item.id] = forms.TypedChoiceField(
                label=item.label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[
                    ("", "Leave blank"),
                    *[(str(o.value), f"{o.value}: {o.label}") for o in item.options],
                ],
                help_text=f"Choose {low} to {high}, or leave blank.",
                error_messages={
                    "invalid_choice": f"Choose one of {low} to {high}, or leave blank."
                },
            )

    def entry(self) -> dict[str, Any] | None:
        answers = [self.cleaned_data[item.id] for item in odi.definition().items]
        result = self._scored("odi", answers)
        if result is None:
            return None
        if not result.scored:
            self.add_error(None, f"Please answer more sections: {result.reason}.")
            return None
        return {"value": result.headline, "answers": answers}


class RmdqForm(EntryForm):
    kind = "rmdq"
    title = "Roland-Morris questionnaire (at review)"
    intro = "Before your review: tick each statement that describes you today because of your back."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in rmdq.definition().items:
            self.fields[item.id] = forms.BooleanField(label=item.label, required=False)

    def entry(self) -> dict[str, Any] | None:
        answers = [int(bool(self.cleaned_data[item.id])) for item in rmdq.definition().items]
        result = self._scored("rmdq", answers)
        if result is None:
            return None
        return {"value": result.headline, "answers": answers}


def _treatment_field(
    choices: list[tuple[str, str]], required: bool, label: str
) -> forms.ChoiceField:
    allowed = "Choose one of the treatments in your plan."
    return forms.ChoiceField(
        label=label,
        required=required,
        choices=([] if required else [("", "Not linked to a treatment")]) + choices,
        help_text=allowed if required else f"Optional. {allowed}",
        error_messages={"required": f"Required. {allowed}", "invalid_choice": allowed},
    )


class SessionForm(EntryForm):
    kind = "session"
    title = "Treatment session"
    intro = "After each booked session: did it take place?"

    def __init__(self, *args: Any, treatments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["treatment"] = _treatment_field(treatments, True, "Treatment")
        self.fields["attended"] = yes_no("Did you attend?")
        self.fields["note"] = forms.CharField(
            label="Note",
            required=False,
            max_length=500,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Optional, up to 500 characters.",
            error_messages={"max_length": "Keep the note to 500 characters or fewer."},
        )

    def entry(self) -> dict[str, Any] | None:
        return {
            "treatment": self.cleaned_data["treatment"],
            "attended": self.cleaned_data["attended"] == "yes",
            "note": self.cleaned_data["note"],
        }


class AdverseEventForm(EntryForm):
    kind = "adverse_event"
    title = "Side effect or problem"
    intro = "Anything that went wrong or felt worse after a treatment. Your clinician will see it."

    def __init__(self, *args: Any, treatments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["treatment"] = _treatment_field(treatments, False, "Which treatment?")
        self.fields["description"] = forms.CharField(
            label="What happened?",
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Describe it in your own words, up to 1000 characters.",
            error_messages={
                "required": "Required. Describe what happened in a few words.",
                "max_length": "Keep the description to 1000 characters or fewer.",
            },
        )
        self.fields["serious"] = yes_no(
            "Was it serious (needed medical help, or stopped you from daily activities)?"
        )
        self.fields["warning_signs"] = forms.MultipleChoiceField(
            label="Do you have any of these now?",
            required=False,
            choices=[(r.id, r.patient_text.strip()) for r in warning_sign_rules()],
            widget=forms.CheckboxSelectMultiple,
            help_text="Tick every one that applies, or none.",
            error_messages={"invalid_choice": "Choose among the signs listed."},
        )

    def entry(self) -> dict[str, Any] | None:
        return {
            "treatment": self.cleaned_data["treatment"],
            "note": self.cleaned_data["description"].strip(),
            "serious": self.cleaned_data["serious"] == "yes",
            "answers": list(self.cleaned_data["warning_signs"]),
        }


FORMS: dict[str, type[EntryForm]] = {
    f.kind: f for f in (NrsForm, PegForm, OdiForm, RmdqForm, SessionForm, AdverseEventForm)
}
NEEDS_TREATMENTS = {"session", "adverse_event"}
