"""The review page's form: the clinician's choice among the engine's suggestions."""

from __future__ import annotations

from typing import Any

from django import forms


class ReviewForm(forms.Form):
    """The clinician's choice among the engine's suggestions, with one reason for them all.

    ``suggestions`` are ``(key, suggestion, options)``: ``options`` are the treatments to pick
    from (add_line_2, switch) or empty. A fingerprint of the keys catches suggestions that
    changed between showing the page and posting it (a new diary entry, say).
    """

    reason = forms.CharField(
        label="Your reason",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you accept a suggestion; up to 1000 characters. It is stored "
        "with each change.",
        error_messages={"max_length": "Keep the reason to 1000 characters or fewer."},
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, suggestions: list[tuple[str, Any, list]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.initial["fingerprint"] = self.expected_fingerprint()
        for i, (_key, _suggestion, options) in enumerate(suggestions):
            self.fields[f"accept_{i}"] = forms.BooleanField(label="Accept", required=False)
            if options:
                self.fields[f"take_{i}"] = forms.MultipleChoiceField(
                    label="Which to take up",
                    required=False,
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    error_messages={"invalid_choice": "Choose among the options listed."},
                )

    def expected_fingerprint(self) -> str:
        return "|".join(key for key, _, _ in self.suggestions)

    def rows(self) -> list[dict[str, Any]]:
        """Each suggestion with its bound fields, for the template."""
        return [
            {
                "suggestion": s,
                "accept": self[f"accept_{i}"],
                "take": self[f"take_{i}"] if options else None,
            }
            for i, (_key, s, options) in enumerate(self.suggestions)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("fingerprint") != self.expected_fingerprint():
            raise forms.ValidationError(
                "The suggestions changed since this page was loaded (new diary entries or a new "
                "plan version). Look at them again before accepting."
            )
        chosen = [i for i in range(len(self.suggestions)) if data.get(f"accept_{i}")]
        if not chosen:
            raise forms.ValidationError("Tick at least one suggestion to accept.")
        if not (data.get("reason") or "").strip():
            self.add_error("reason", "Required. Say why you accept these suggestions.")
        for i in chosen:
            _key, _suggestion, options = self.suggestions[i]
            if len(options) > 1 and not data.get(f"take_{i}"):
                self.add_error(f"take_{i}", "Choose at least one of the options listed.")
        return data

    def accepted(self) -> list[tuple[Any, list[str]]]:
        """(suggestion, treatments taken up) for each ticked suggestion."""
        out = []
        for i, (_key, suggestion, options) in enumerate(self.suggestions):
            if self.cleaned_data.get(f"accept_{i}"):
                taken = list(self.cleaned_data.get(f"take_{i}") or [])
                if not options:
                    taken = list(suggestion.treatments)
                elif not taken:  # a single option needs no tick of its own
                    taken = [options[0][0]]
                out.append((suggestion, taken))
        return out
