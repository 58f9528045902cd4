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
from backpath.engine.intake_checks import PREGNANCY_AGES
from backpath.instruments import odi, peg, red_flags, rmdq, startback
from backpath.knowledge import load_knowledge
from backpath.knowledge.intake_choices import intake_choices
from backpath.reports.phases import phase_cutoffs

YES_NO = [("yes", "Yes"), ("no", "No")]
PREGNANCY = "pregnancy"
"""The condition tag the Person step's pregnancy answer writes (the Conditions step never)."""
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
    """Weight, height and, only when it applies (``pregnancy_question_applies``, or when a
    pregnancy is already recorded so that it can be corrected), pregnancy: the one place the
    intake asks it. The answer is written to both places the engine reads (see ``merged``)."""

    pregnant = forms.ChoiceField(
        label="Is the patient pregnant?", required=False,
        choices=[("yes", "Yes"), ("no", "No"), ("", "Not known")],
        widget=forms.RadioSelect(attrs={"class": "radio-row"}),
        help_text="Asked because the patient is not recorded as male and is aged "
                  f"{PREGNANCY_AGES[0]} to {PREGNANCY_AGES[1]}. Yes keeps the pregnancy "
                  "precautions in the plan.",
    )  # fmt: skip
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

    def __init__(self, *args: Any, ask_pregnancy: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_pregnancy:
            del self.fields["pregnant"]


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


QUESTIONNAIRE_TITLES = {
    "startback": "STarT Back screening tool",
    "odi": "Oswestry Disability Index",
    "rmdq": "Roland-Morris Disability Questionnaire",
    "peg": "PEG (pain, enjoyment of life, general activity)",
}


def offered_questionnaires() -> list[str]:
    """The intake's questionnaires this deployment holds a licence for
    (``BACKPATH_INSTRUMENTS_OFF``), in the order the intake asks them. Answers already stored
    for one turned off are kept, not shown."""
    off = frozenset(getattr(settings, "BACKPATH_INSTRUMENTS_OFF", frozenset()))
    return [key for key in QUESTIONNAIRES if key not in off]


class QuestionnaireForm(forms.Form):
    """One questionnaire, one sub-step of the intake: optional, but complete once started
    (the Oswestry alone may leave sections blank, as its scoring allows)."""

    def __init__(self, *args: Any, instrument: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.title = QUESTIONNAIRE_TITLES[instrument]
        definition = QUESTIONNAIRES[instrument].definition()
        self.notice = definition.licence.notice
        self.names: list[str] = []
        for i, item in enumerate(definition.items):
            name = f"{instrument}_{i}"
            # A row of radio buttons per question (no drop-downs); "Not answered" keeps a
            # choice made by mistake undoable without script.
            choices = [(str(o.value), o.label) for o in item.options] + [("", "Not answered")]
            self.fields[name] = forms.ChoiceField(
                label=f"{i + 1}. {item.label}", choices=choices, required=False,
                widget=forms.RadioSelect(attrs={"class": "radio-row"}),
            )  # fmt: skip
            self.names.append(name)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [n for n in self.names if data.get(n) not in (None, "")]
        if given and len(given) != len(self.names) and self.instrument != "odi":
            for n in self.names:
                if n not in given:
                    self.add_error(n, "Answer every item, or leave the whole questionnaire blank.")
        return data

    def answers(self) -> list[int | None] | None:
        """The cleaned answers as the intake stores them, or None when all were left blank."""
        values = [self.cleaned_data.get(n) for n in self.names]
        if all(v in (None, "") for v in values):
            return None
        return [None if v in (None, "") else int(v) for v in values]

    @classmethod
    def initial_from(cls, instrument: str, data: dict[str, Any]) -> dict[str, str]:
        stored = (data.get("questionnaires") or {}).get(instrument) or []
        return {f"{instrument}_{i}": "" if v is None else str(v) for i, v in enumerate(stored)}


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
        # Pregnancy is asked once, in the Person step, and only when it applies.
        self.fields["conditions"].choices = [c for c in _condition_choices() if c[0] != PREGNANCY]


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


STEPS: tuple[Step, ...] = (
    Step("person", "Person", PersonForm,
         lambda c: {"patient": _drop_empty({
             "pregnant": {"yes": True, "no": False}.get(c.get("pregnant", "")),
             "weight_kg": _num(c["weight_kg"]), "height_cm": _num(c["height_cm"])})},
         lambda d: {**d.get("patient", {}), "pregnant": _pregnancy_initial(d)}),
    Step("episode", "Episode", EpisodeForm,
         lambda c: {"episode": _drop_empty({**c, "duration_weeks": _num(c["duration_weeks"])})
                    | {"duration_weeks": _num(c["duration_weeks"])}},
         lambda d: d.get("episode", {})),
    Step("pain", "Pain", PainForm, lambda c: {"pain": _drop_empty(c)}, lambda d: d.get("pain", {})),
    Step("red_flags", "Red flags", RedFlagsForm,
         lambda c: {"red_flags": {k: v == "yes" for k, v in c.items()}},
         lambda d: {k: "yes" if v else "no" for k, v in d.get("red_flags", {}).items()}),
    Step("conditions", "Conditions", ConditionsForm,
         lambda c: {"conditions": list(c["conditions"])},
         lambda d: {"conditions": d.get("conditions", [])}),
    Step("preferences", "Preferences", PreferencesForm,
         lambda c: {"preferences": _drop_empty({**c, "avoid": list(c["avoid"])})
                    | {"avoid": list(c["avoid"])}},
         lambda d: d.get("preferences", {})),
)  # fmt: skip
"""The steps that are one plain form each; the questionnaires (one sub-step per instrument)
and the prior treatments (a formset) have views of their own."""
STEP_TITLES: tuple[tuple[str, str], ...] = (
    ("person", "Person"), ("episode", "Episode"), ("pain", "Pain"), ("red_flags", "Red flags"),
    ("questionnaires", "Questionnaires"), ("conditions", "Conditions"),
    ("preferences", "Preferences"), ("prior_treatments", "Prior treatments"),
)  # fmt: skip
STEP_IDS = tuple(sid for sid, _ in STEP_TITLES)


def _pregnancy_initial(d: dict[str, Any]) -> str:
    """Yes when either place says pregnant (an intake from before the question moved may have
    only the condition ticked), no when answered no, else not known."""
    if d.get("patient", {}).get("pregnant") is True or PREGNANCY in d.get("conditions", []):
        return "yes"
    return "no" if d.get("patient", {}).get("pregnant") is False else ""


def merged(data: dict[str, Any], step: str, fragment: dict[str, Any]) -> dict[str, Any]:
    """The stored intake after saving ``fragment`` from ``step``; the other steps' answers are
    kept. Age and sex stay the record's; one questionnaire replaces only its own answers; the
    pregnancy answer (Person step) sets both ``patient.pregnant`` and the ``pregnancy``
    condition tag, which the Conditions step carries over untouched."""
    out = dict(data)
    for key, value in fragment.items():
        if key == "patient":
            kept = {k: v for k, v in data.get("patient", {}).items() if k in ("age", "sex")}
            if "pregnant" in data.get("patient", {}) and step != "person":
                kept["pregnant"] = data["patient"]["pregnant"]
            out["patient"] = kept | value
        elif key == "questionnaires":
            answers = {**data.get("questionnaires", {})}
            for instrument, given in value.items():
                if given is None:
                    answers.pop(instrument, None)
                else:
                    answers[instrument] = given
            out["questionnaires"] = answers
        else:
            out[key] = value
    tagged = PREGNANCY in data.get("conditions", [])
    if step == "person" and "pregnant" in fragment.get("patient", {}):
        tagged = fragment["patient"]["pregnant"] is True
    elif step == "person" and PREGNANCY in data.get("conditions", []):
        tagged = False  # asked (a pregnancy was recorded) and answered "not known"
    if step in ("person", "conditions") and (tagged or "conditions" in out):
        rest = [c for c in out.get("conditions", []) if c != PREGNANCY]
        out["conditions"] = [*rest, PREGNANCY] if tagged else rest
    return out


def prior_treatments_data(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"prior_treatments": [
        {"treatment": r["treatment"], "weeks": _num(r["weeks"]), "response": r["response"]}
        for r in rows if r and r.get("treatment")
    ]}  # fmt: skip
