"""The intake as a multi-step form: one Django form per step, each mapping to part of the
``backpath.intake/1`` document. Questions, choices and their words come from the data (the
red-flag screen and the questionnaires from the instruments, the choice lists from
``knowledge/data/intake_choices.yaml``, the phase cut-offs from the policy), so this form, the
public self-check and the FHIR Questionnaires ask the same question in the same words, and the
form and the engine can never disagree about tags or items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings

from backpath import contract
from backpath.instruments import odi, peg, red_flags, rmdq, startback
from backpath.knowledge import load_knowledge
from backpath.knowledge.intake_choices import intake_choices
from backpath.reports.phases import phase_cutoffs

YES_NO = [("yes", "Yes"), ("no", "No")]
QUESTIONNAIRES = {"startback": startback, "odi": odi, "rmdq": rmdq, "peg": peg}


def choices_of(name: str) -> Callable[[], list[tuple[str, str]]]:
    """A choice list from the data, read when the form is first shown (Django calls it)."""
    return lambda: getattr(intake_choices(), name).pairs()


def question(name: str) -> str:
    return str(getattr(intake_choices(), name).question)


def avoid_choices() -> list[tuple[str, str]]:
    return intake_choices().avoid.pairs()


def phase_help() -> str:
    """How long the episode has lasted decides its phase: the policy's cut-offs in words."""
    return f"Weeks since it began ({phase_cutoffs()})."


def whole(
    label: str, low: int, high: int, required: bool = True, help_text: str = ""
) -> forms.IntegerField:
    allowed = f"Enter a whole number from {low} to {high}."
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, required=required,
        help_text=help_text or allowed,
        error_messages={"invalid": allowed, "min_value": allowed, "max_value": allowed,
                        "required": f"Required. {allowed}"},
    )  # fmt: skip


def weeks_since_start() -> forms.DecimalField:
    """'How many weeks ago did this episode start?', as the public and the patient are asked."""
    return forms.DecimalField(
        label="How many weeks ago did this episode of back pain start?", min_value=0,
        max_value=2600, decimal_places=1, help_text="0 or more weeks, e.g. 3 or 26.",
        error_messages={"required": "Required: enter the number of weeks (0 or more).",
                        "min_value": "Enter 0 or more weeks.",
                        "max_value": "Enter at most 2600 weeks."},
    )  # fmt: skip


class PersonForm(forms.Form):
    pregnant = forms.ChoiceField(
        label="Pregnant?", choices=[("", "Not applicable / not asked"), *YES_NO], required=False
    )
    weight_kg = forms.DecimalField(
        label="Weight (kg)", required=False, min_value=1, max_value=400, decimal_places=1,
        help_text="Optional. A number from 1 to 400.",
        error_messages={"min_value": "Enter a weight from 1 to 400 kg.",
                        "max_value": "Enter a weight from 1 to 400 kg."},
    )  # fmt: skip
    height_cm = forms.DecimalField(
        label="Height (cm)", required=False, min_value=1, max_value=250, decimal_places=1,
        help_text="Optional. A number from 1 to 250.",
        error_messages={"min_value": "Enter a height from 1 to 250 cm.",
                        "max_value": "Enter a height from 1 to 250 cm."},
    )  # fmt: skip


class EpisodeForm(forms.Form):
    duration_weeks = forms.DecimalField(
        label="How long has this episode lasted? (weeks)", min_value=0, max_value=2600,
        decimal_places=1,
        error_messages={"required": "Required. Enter the number of weeks (0 or more).",
                        "min_value": "Enter 0 or more weeks.",
                        "max_value": "Enter at most 2600 weeks."},
    )  # fmt: skip
    region = forms.ChoiceField(choices=choices_of("region"))
    leg_pain = forms.ChoiceField(choices=choices_of("leg_pain"))
    suspected_cause = forms.ChoiceField(choices=choices_of("suspected_cause"))
    prior_episodes = whole(
        "Earlier episodes",
        0,
        100,
        required=False,
        help_text="Optional. How many earlier episodes (0 to 100).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["duration_weeks"].help_text = phase_help()
        for name in ("region", "leg_pain", "suspected_cause"):
            self.fields[name].label = question(name)


class PainForm(forms.Form):
    nrs_now = whole("Pain now (0 = no pain, 10 = worst imaginable)", 0, 10)
    nrs_week_average = whole("Average pain over the past week", 0, 10, required=False)


class RedFlagsForm(forms.Form):
    """Every red flag must be answered: an unanswered flag is not a 'no'. The questions are
    the red-flag screen's own (``instruments/data/red_flags.yaml``), as the FHIR Questionnaire
    and the patient's warning signs word them."""

    NONE_LABEL = "None of these (answers No to every question below)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["none"] = forms.BooleanField(label=self.NONE_LABEL, required=False)
        labels = {item.id: item.label for item in red_flags.definition().items}
        for flag in contract.red_flag_ids():
            self.fields[flag] = forms.ChoiceField(
                label=labels[flag], choices=YES_NO, widget=forms.RadioSelect, required=False,
                error_messages={"required": "Answer yes or no."},
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        """'None of these' answers No to every question left blank; a Yes with it is a
        contradiction to resolve, never silently dropped. Without it, each must be answered."""
        data = super().clean() or {}
        none = data.pop("none", False)
        flags = contract.red_flag_ids()
        yes = [f for f in flags if data.get(f) == "yes"]
        if none and yes:
            labels = ", ".join(str(self.fields[f].label) for f in yes)
            self.add_error("none", f"You ticked None of these but answered Yes to: {labels}. "
                           "Untick it, or change those answers.")  # fmt: skip
        for flag in flags:
            if not data.get(flag):
                if none:
                    data[flag] = "no"
                elif flag not in self.errors:
                    self.add_error(flag, "Answer yes or no (or tick None of these above).")
        return data


class QuestionnairesForm(forms.Form):
    """STarT Back, Oswestry, Roland-Morris and PEG; each is optional but complete if started."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: dict[str, list[str]] = {}
        off = frozenset(getattr(settings, "BACKPATH_INSTRUMENTS_OFF", frozenset()))
        for key, module in QUESTIONNAIRES.items():
            if key in off:  # no licence for it here: not shown (its answers are kept)
                continue
            names = []
            for i, item in enumerate(module.definition().items):
                name = f"{key}_{i}"
                # A row of radio buttons per question (no drop-downs); "Not answered" keeps
                # a choice made by mistake undoable without script.
                choices = [(str(o.value), o.label) for o in item.options] + [("", "Not answered")]
                self.fields[name] = forms.ChoiceField(
                    label=f"{i + 1}. {item.label}",
                    choices=choices,
                    required=False,
                    widget=forms.RadioSelect(attrs={"class": "radio-row"}),
                )
                names.append(name)
            self.groups[key] = names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, names in self.groups.items():
            given = [n for n in names if data.get(n) not in (None, "")]
            if given and len(given) != len(names) and key != "odi":
                for n in names:
                    if n not in given:
                        self.add_error(
                            n, "Answer every item, or leave the whole questionnaire blank."
                        )
        return data

    TITLES = {
        "startback": "STarT Back screening tool",
        "odi": "Oswestry Disability Index (a section may be left blank)",
        "rmdq": "Roland-Morris Disability Questionnaire",
        "peg": "PEG (past week)",
    }

    @property
    def sections(self) -> list[tuple[str, str, list[forms.BoundField]]]:
        """(title, copyright notice, fields) per questionnaire."""
        return [(self.TITLES[k], QUESTIONNAIRES[k].definition().licence.notice,
                 [self[n] for n in names]) for k, names in self.groups.items()]  # fmt: skip


def _condition_choices() -> list[tuple[str, str]]:
    kb = load_knowledge()
    return [(tag, kb.conditions[tag].label) for tag in contract.condition_tags()]


class ConditionsForm(forms.Form):
    conditions = forms.MultipleChoiceField(
        label="Conditions and medicines", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Tick each that applies; they decide contraindications and interactions.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = _condition_choices()


class PreferencesForm(forms.Form):
    avoid = forms.MultipleChoiceField(
        label="The patient prefers to avoid",
        choices=avoid_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_sessions_per_week = whole(
        "Most clinic sessions a week",
        0,
        14,
        required=False,
        help_text="Optional. 0 to 14; 0 means home care only.",
    )
    budget = forms.ChoiceField(
        label=question("budget"), required=False,
        choices=lambda: [("", "Not stated"), *intake_choices().budget.pairs()],
    )  # fmt: skip


class PriorTreatmentForm(forms.Form):
    treatment = forms.ChoiceField(label="Treatment", required=False)
    weeks = forms.DecimalField(label="Weeks", required=False, min_value=0, max_value=520,
                               error_messages={"min_value": "Enter 0 to 520 weeks.",
                                               "max_value": "Enter 0 to 520 weeks."})  # fmt: skip
    response = forms.ChoiceField(
        label=question("prior_response"), required=False,
        choices=lambda: [("", "-"), *intake_choices().prior_response.pairs()],
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kb = load_knowledge()
        self.fields["treatment"].choices = [("", "-")] + [
            (t.id, t.name) for t in kb.treatments.values()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [f for f in ("treatment", "weeks", "response") if data.get(f) not in (None, "")]
        if filled and len(filled) != 3:
            for f in ("treatment", "weeks", "response"):
                if data.get(f) in (None, ""):
                    self.add_error(f, "Give the treatment, the weeks and the response, or none.")
        return data


PriorTreatmentFormSet = forms.formset_factory(PriorTreatmentForm, extra=0, max_num=10,
                                              min_num=4, validate_max=True)  # fmt: skip


def _num(value: Any) -> float | int | None:
    if value in (None, ""):
        return None
    f = float(value)
    return int(f) if f.is_integer() else f


def _drop_empty(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v not in (None, "", [])}


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    form: type[forms.Form]
    to_data: Callable[[dict[str, Any]], dict[str, Any]]
    initial: Callable[[dict[str, Any]], dict[str, Any]]


def _questionnaire_data(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, module in QUESTIONNAIRES.items():
        values = [c.get(f"{key}_{i}") for i in range(len(module.definition().items))]
        if any(v not in (None, "") for v in values):
            out[key] = [int(v) if v not in (None, "") else None for v in values]
    return {"questionnaires": out} if out else {"questionnaires": {}}


def _questionnaire_initial(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for key, answers in d.get("questionnaires", {}).items():
        for i, v in enumerate(answers):
            out[f"{key}_{i}"] = "" if v is None else str(v)
    return out


STEPS: tuple[Step, ...] = (
    Step("person", "Person", PersonForm,
         lambda c: {"patient": _drop_empty({
             "pregnant": {"yes": True, "no": False}.get(c["pregnant"]),
             "weight_kg": _num(c["weight_kg"]), "height_cm": _num(c["height_cm"])})},
         lambda d: {**d.get("patient", {}), "pregnant": {True: "yes", False: "no"}.get(
             d.get("patient", {}).get("pregnant"), "")}),
    Step("episode", "Episode", EpisodeForm,
         lambda c: {"episode": _drop_empty({**c, "duration_weeks": _num(c["duration_weeks"])})
                    | {"duration_weeks": _num(c["duration_weeks"])}},
         lambda d: d.get("episode", {})),
    Step("pain", "Pain", PainForm, lambda c: {"pain": _drop_empty(c)}, lambda d: d.get("pain", {})),
    Step("red_flags", "Red flags", RedFlagsForm,
         lambda c: {"red_flags": {k: v == "yes" for k, v in c.items()}},
         lambda d: {k: "yes" if v else "no" for k, v in d.get("red_flags", {}).items()}),
    Step("questionnaires", "Questionnaires", QuestionnairesForm, _questionnaire_data,
         _questionnaire_initial),
    Step("conditions", "Conditions", ConditionsForm,
         lambda c: {"conditions": list(c["conditions"])},
         lambda d: {"conditions": d.get("conditions", [])}),
    Step("preferences", "Preferences", PreferencesForm,
         lambda c: {"preferences": _drop_empty({**c, "avoid": list(c["avoid"])})
                    | {"avoid": list(c["avoid"])}},
         lambda d: d.get("preferences", {})),
)  # fmt: skip
STEP_IDS = (*tuple(s.id for s in STEPS), "prior_treatments")


def prior_treatments_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"prior_treatments": [
        {"treatment": r["treatment"], "weeks": _num(r["weeks"]), "response": r["response"]}
        for r in rows if r and r.get("treatment")
    ]}  # fmt: skip
