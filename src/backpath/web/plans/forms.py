"""Forms of the plan page: accept, drop or add an item, and publish a version.

Every edit form carries the version number and revision the clinician saw (so a change made
meanwhile is never overwritten) and a required reason. Field names are fixed (``version``,
``revision``, ``reason``, ``drop_reason``, ``line``, ``note``): the page writes one small form
per item by hand, with ids prefixed by the item, and these classes only validate what is
posted.
"""

from __future__ import annotations

from typing import Any

from django import forms

from backpath.engine.plan_edits import DROP_REASONS, LINE_TITLES, LINES
from backpath.engine.plan_models import REASON_LABELS

REASON_HELP = "Required. Say in a few words why, for the record (up to 1,000 characters)."
DROP_CHOICES = [(r, REASON_LABELS[r]) for r in DROP_REASONS]


class _Seen(forms.Form):
    """The version (and working-draft revision) the page showed."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": "The form is missing the plan version; reload the page."},
    )
    revision = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)


class DraftForm(_Seen):
    """Save or discard the working draft."""


class _Edit(_Seen):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        strip=True,
        help_text=REASON_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": REASON_HELP,
            "max_length": "Keep the reason to 1,000 characters or fewer.",
        },
    )


class AcceptForm(_Edit):
    pass


class DropForm(_Edit):
    drop_reason = forms.ChoiceField(
        label="Why it is left out",
        choices=DROP_CHOICES,
        help_text="Choose “The patient's preference” if the patient declined it.",
        error_messages={
            "required": "Required. Choose why the item is left out.",
            "invalid_choice": "Choose one of the reasons listed.",
        },
    )


class AddForm(_Edit):
    line = forms.TypedChoiceField(
        label="Add at line",
        coerce=int,
        choices=[(n, LINE_TITLES[n]) for n in LINES],
        error_messages={
            "required": "Required. Choose line 1, 2 or 3.",
            "invalid_choice": "Choose one of the lines offered for this item.",
        },
    )

    def __init__(self, *args: Any, lines: tuple[int, ...] = LINES, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["line"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(n, LINE_TITLES[n]) for n in lines]
        allowed = " or ".join(str(n) for n in lines) or "none"
        field.error_messages["invalid_choice"] = f"Choose line {allowed} for this item."


class PublishForm(_Seen):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=1000,
        strip=True,
        help_text="Optional, up to 1,000 characters: e.g. what you discussed with the patient.",
        error_messages={"max_length": "Keep the note to 1,000 characters or fewer."},
    )


# --- Home program -----------------------------------------------------------------------------


class RemoveExerciseForm(_Edit):
    pass


class _PickExercise(_Edit):
    """An edit that names one library exercise, offered from ``choices`` (already filtered to
    those the person may do)."""

    FIELD = "exercise"

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.FIELD] = forms.ChoiceField(
            label="Exercise",
            choices=choices,
            error_messages={
                "required": "Required. Choose an exercise from the list.",
                "invalid_choice": "Choose one of the exercises listed: the others are not in "
                "the library, already in the program, or ruled out for this person.",
            },
        )


class SwapExerciseForm(_PickExercise):
    FIELD = "new"


class AddExerciseForm(_PickExercise):
    pass


class RedoseForm(_Edit):
    """New numbers for an exercise's dose: only those the dose uses (``fields`` from
    ``program_display.limit_fields``), each within the library's limits."""

    def __init__(self, *args: Any, fields: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dose_names = [f["name"] for f in fields]
        for f in fields:
            low, high = f["min"], f["max"]
            allowed = (
                f"a whole number from {low} to {high}"
                if low is not None
                else "no change: the library gives no limits"
            )
            message = f"{f['label']}: enter {allowed}."
            self.fields[f["name"]] = forms.IntegerField(
                label=f["label"],
                min_value=low,
                max_value=high,
                error_messages={
                    "required": message,
                    "invalid": message,
                    "min_value": message,
                    "max_value": message,
                },
            )

    def numbers(self) -> dict[str, int]:
        return {name: int(self.cleaned_data[name]) for name in self.dose_names}


class ProgressAcceptForm(_Edit):
    """Accepting one of the review page's exercise suggestions: which one, as shown."""

    exercise = forms.SlugField(
        max_length=60, error_messages={"required": "The form is missing the exercise."}
    )
    action = forms.ChoiceField(
        choices=[("progress", "progress"), ("regress", "regress"), ("stop", "stop")],
        error_messages={"invalid_choice": "Only progress, regress or stop can be accepted."},
    )
    to_level = forms.IntegerField(required=False, min_value=-20, max_value=20)
