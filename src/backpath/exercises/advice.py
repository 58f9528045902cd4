"""What a patient is told at once about something they report, and how urgent it is.

A report is what a person tells BackPath between visits: the stop rules they answered in the
exercise log, the warning signs they ticked with a diary side effect, and whether that side
effect was serious. Each part has an urgency (``URGENCIES``: none, contact_clinic, urgent,
emergency) set in data: stop rules in ``stop_rules.yaml``, side effects in ``advice.yaml``.

Rules (the tests state them for every report):
- the advice's urgency is the most severe urgency of the parts reported (``none`` when
  nothing was);
- its text is the advice of every part at that urgency, each once, in the order reported;
- a stop-rule id the library does not know (a stored log older than the library) is never
  dropped: it counts as ``unknown_stop_rule`` in ``advice.yaml`` (contact the clinic).

The public self-check's triage disposition maps to an urgency in ``advice.yaml`` as well
(``self_check_advice``); a disposition the file does not list counts as ``urgent``.

The web layer raises an alert at the clinic for every urgency but ``none``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from functools import cache
from importlib import resources
from importlib.abc import Traversable
from typing import Literal

from pydantic import Field, model_validator

from backpath.errors import InvalidInput, KnowledgeBaseError
from backpath.exercises.loader import load_stop_rules
from backpath.exercises.models import URGENCIES, StopRule, Urgency
from backpath.knowledge import load_knowledge
from backpath.knowledge.models import SourceIds, Strict, Text
from backpath.knowledge.yaml_files import read_yaml, validate

ADVICE_FILE = "advice.yaml"
SideEffect = Literal["serious", "not_serious"]


class UrgencyText(Strict):
    label: Text = Field(description="A short name, e.g. 'Same day'.")
    heading: Text = Field(description="The instruction in a few words, for a banner.")


class ReportRule(Strict):
    urgency: Urgency
    advice: Text
    sources: SourceIds


class AdviceData(Strict):
    """The contents of ``advice.yaml``."""

    urgencies: dict[Urgency, UrgencyText]
    nothing_to_report: Text
    unknown_stop_rule: ReportRule
    side_effects: dict[SideEffect, ReportRule]
    self_check: dict[str, Urgency] = Field(
        description="Self-check triage disposition -> urgency; unlisted ones count as urgent."
    )

    @model_validator(mode="after")
    def _complete(self) -> AdviceData:
        for urgency in URGENCIES:
            if urgency not in self.urgencies:
                raise ValueError(f"urgencies: '{urgency}' is missing")
        for kind in ("serious", "not_serious"):
            if kind not in self.side_effects:
                raise ValueError(f"side_effects: '{kind}' is missing")
        return self


class Advice(Strict):
    """What to tell the person now. ``reported`` names the parts the advice comes from."""

    urgency: Urgency
    text: str
    reported: tuple[str, ...] = ()

    @property
    def raises_alert(self) -> bool:
        return self.urgency != "none"

    @property
    def heading(self) -> str:
        return load_advice_data().urgencies[self.urgency].heading

    def as_json(self) -> dict[str, str]:
        return {"urgency": self.urgency, "text": self.text}


def severity(urgency: Urgency) -> int:
    """0 for ``none`` up to 3 for ``emergency``."""
    return URGENCIES.index(urgency)


def load_advice_data_from(file: Traversable, sources: Collection[str] | None = None) -> AdviceData:
    """Read and check an advice file (tests pass broken copies); raises ``KnowledgeBaseError``."""
    data = validate(AdviceData, read_yaml(file, ADVICE_FILE), ADVICE_FILE)
    known = set(load_knowledge().sources) if sources is None else set(sources)
    cited = [("unknown_stop_rule", data.unknown_stop_rule)]
    cited += [(f"side_effects.{k}", rule) for k, rule in data.side_effects.items()]
    for field, rule in cited:
        for source in rule.sources:
            if source not in known:
                raise KnowledgeBaseError(
                    ADVICE_FILE, f"{field}.sources", f"unknown source id '{source}'"
                )
    return data


@cache
def load_advice_data() -> AdviceData:
    """The packaged advice file, loaded and checked once per process."""
    file = resources.files("backpath.exercises").joinpath("data", ADVICE_FILE)
    return load_advice_data_from(file)


def warning_sign_rules() -> tuple[StopRule, ...]:
    """The general stop rules that need someone to act (urgency above ``none``), most severe
    first: what a person can report with a diary side effect."""
    rules = load_stop_rules().values()
    signs = [r for r in rules if r.general and r.urgency != "none" and r.warning_sign]
    return tuple(sorted(signs, key=lambda r: -severity(r.urgency)))


def advice_for(
    *,
    stop_rules: Iterable[str] = (),
    warning_signs: Iterable[str] = (),
    side_effect: SideEffect | None = None,
) -> Advice:
    """The advice for one report (see the module's rules).

    ``stop_rules``: stop-rule ids answered in the exercise log. ``warning_signs``: ids of
    ``warning_sign_rules()`` ticked with a diary side effect. ``side_effect``: whether a side effect
    was reported, and if it was serious.

    Raises:
        InvalidInput: a warning sign that is not one of ``warning_sign_rules()`` (field
            ``warning_signs[i]``).
    """
    data = load_advice_data()
    rules = load_stop_rules()
    signs = {r.id for r in warning_sign_rules()}
    parts: list[tuple[str, Urgency, str]] = []
    for rule_id in stop_rules:
        rule = rules.get(rule_id)
        if rule is None:
            unknown = data.unknown_stop_rule
            parts.append((rule_id, unknown.urgency, unknown.advice))
        else:
            parts.append((rule.id, rule.urgency, rule.advice))
    for i, sign in enumerate(warning_signs):
        if sign not in signs:
            allowed = ", ".join(sorted(signs))
            raise InvalidInput(f"warning_signs[{i}]", f"'{sign}' is not one of: {allowed}")
        rule = rules[sign]
        parts.append((rule.id, rule.urgency, rule.advice))
    if side_effect is not None:
        effect = data.side_effects[side_effect]
        parts.append((f"{side_effect}_side_effect", effect.urgency, effect.advice))
    if not parts:
        return Advice(urgency="none", text=data.nothing_to_report)
    top = max((urgency for _, urgency, _ in parts), key=severity)
    chosen = [(name, text) for name, urgency, text in parts if urgency == top]
    text = " ".join(dict.fromkeys(text.strip() for _, text in chosen))
    return Advice(urgency=top, text=text, reported=tuple(dict.fromkeys(n for n, _ in chosen)))


UNLISTED_SELF_CHECK: Urgency = "urgent"


def self_check_advice(disposition: str, actions: Iterable[str]) -> Advice:
    """The advice for a self-check whose triage gave ``disposition`` with ``actions`` (the
    screen's action texts, shown to the visitor): the urgency from ``advice.yaml`` (``urgent``
    for a disposition it does not list), the actions as the text."""
    data = load_advice_data()
    urgency = data.self_check.get(disposition, UNLISTED_SELF_CHECK)
    text = " ".join(dict.fromkeys(a.strip() for a in actions if a.strip()))
    if urgency == "none":
        text = text or data.nothing_to_report
    return Advice(urgency=urgency, text=text or data.urgencies[urgency].heading,
                  reported=(f"self_check_{disposition}",))  # fmt: skip
