"""The form a patient fills in: each questionnaire a group of radio-button questions, worded as
the instruments' data files word them, with its copyright notice.

Field names are ``<instrument>__<n>`` (the n-th item), and ``basics__*`` for the intake basics,
so the answers map back to the instruments without guessing.
"""

from __future__ import annotations

from typing import Any

from django import forms

from backpath import contract, instruments
from backpath.web.patients.intake_forms import choices_of, question, weeks_since_start, whole
from backpath.web.questionnaires.offered import SENDABLE, notice

ODI_OPTIONAL = "A section that does not apply may be left blank."


class FillForm(forms.Form):
    def __init__(self, *args: Any, instruments_asked: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: list[tuple[str, str, str, list[str]]] = []
        for key in instruments_asked:
            names = self._basics() if key == "basics" else self._items(key)
            help_text = ODI_OPTIONAL if key == "odi" else ""
            self.groups.append((SENDABLE[key], notice(key), help_text, names))

    def _basics(self) -> list[str]:
        self.fields["basics__duration_weeks"] = weeks_since_start()
        self.fields["basics__leg_pain"] = forms.ChoiceField(
            label=question("leg_pain"), choices=choices_of("leg_pain"), widget=forms.RadioSelect
        )
        self.fields["basics__nrs_now"] = whole(
            "How bad is the pain right now? (0 = none, 10 = worst imaginable)", 0, 10
        )
        return ["basics__duration_weeks", "basics__leg_pain", "basics__nrs_now"]

    def _items(self, key: str) -> list[str]:
        names = []
        definition = instruments.definition(key)
        for n, item in enumerate(definition.items):
            name = f"{key}__{n}"
            if key == "red_flags":
                name = f"red_flags__{item.id}"
                if item.id not in contract.red_flag_ids():
                    continue
            self.fields[name] = forms.ChoiceField(
                label=f"{n + 1}. {item.label}" if key != "red_flags" else item.label,
                choices=[(str(o.value), o.label) for o in item.options],
                widget=forms.RadioSelect, required=key != "odi",
                error_messages={"required": "Required: choose one answer."},
            )  # fmt: skip
            names.append(name)
        return names

    @property
    def sections(self) -> list[tuple[str, str, str, list[forms.BoundField]]]:
        return [(title, note, help_text, [self[n] for n in names])
                for title, note, help_text, names in self.groups]  # fmt: skip

    def answers(self) -> dict[str, Any]:
        """``{instrument: answers}`` as the instruments score them (red flags as booleans;
        the basics as intake fields)."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for key in {name.split("__", 1)[0] for name in self.fields}:
            names = [n for n in self.fields if n.startswith(f"{key}__")]
            if key == "basics":
                out[key] = {"duration_weeks": float(data["basics__duration_weeks"]),
                            "leg_pain": data["basics__leg_pain"],
                            "nrs_now": int(data["basics__nrs_now"])}  # fmt: skip
            elif key == "red_flags":
                out[key] = {n.split("__", 1)[1]: data[n] == "1" for n in names}
            else:
                out[key] = [int(data[n]) if data.get(n) not in (None, "") else None
                            for n in names]  # fmt: skip
        return out
