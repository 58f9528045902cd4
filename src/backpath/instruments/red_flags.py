"""Red-flag screen: which serious spinal pathology may be present, and how urgent care is.

The rules (what each flag suggests, the disposition it triggers, the action and its sources,
and combinations of flags) live in ``data/red_flags.yaml``; this module only applies them.
The result is the most severe disposition any present flag or combination triggers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, model_validator

from backpath.errors import InvalidInput
from backpath.instruments.definition import (
    Frozen,
    Identifier,
    InstrumentDefinition,
    Item,
    Scoring,
    SourceIds,
    Text,
    load_definition,
)
from backpath.instruments.result import InstrumentResult

# The triage vocabulary (dispositions, suspects, timeframes) is knowledge, shared with
# ``knowledge/data/triage.yaml``; it is re-exported here for the screen's users.
from backpath.knowledge.triage import DISPOSITIONS as DISPOSITIONS
from backpath.knowledge.triage import TIMEFRAMES as TIMEFRAMES
from backpath.knowledge.triage import Disposition as Disposition
from backpath.knowledge.triage import Suspect as Suspect
from backpath.knowledge.triage import Timeframe as Timeframe
from backpath.knowledge.triage import severity as severity

ID = "red_flags"


def urgency(timeframe: Timeframe) -> int:
    """0 for routine, rising with urgency; compare timeframes with this."""
    return len(TIMEFRAMES) - 1 - list(TIMEFRAMES).index(timeframe)


class Rule(Frozen):
    suspects: Annotated[tuple[Suspect, ...], Field(min_length=1)]
    disposition: Literal["emergency", "urgent_referral", "referral_with_plan"]
    timeframe: Timeframe
    """How soon the action is due; it must belong to the disposition."""
    action: Text
    """What to do, for the clinician, at the disposition's urgency."""
    public_action: Text
    """The same for the person themself (self-check, patient pages): everyday words, no
    clinical terms."""
    safety_net: Text | None = None
    """Conditional advice: what to do at once if things get worse (kept out of the action)."""
    sources: SourceIds

    @model_validator(mode="after")
    def _timeframe_belongs_to_disposition(self) -> Rule:
        if TIMEFRAMES[self.timeframe][0] != self.disposition:
            raise ValueError(
                f"timeframe {self.timeframe} belongs to {TIMEFRAMES[self.timeframe][0]}, "
                f"not {self.disposition}"
            )
        if self.disposition == "emergency" and self.safety_net:
            raise ValueError("an emergency has no safety net: its action is the most urgent")
        return self


class Combination(Rule):
    id: Identifier
    all_of: Annotated[tuple[Identifier, ...], Field(min_length=1)]
    """Fires when every one of these flags is present..."""
    any_of: tuple[Identifier, ...] = ()
    """...and, when given, at least one of these."""

    @model_validator(mode="after")
    def _combines_two_flags_at_least(self) -> Combination:
        if len(self.all_of) + (1 if self.any_of else 0) < 2:
            raise ValueError("a combination needs two flags: all_of with two, or any_of too")
        return self

    def fires(self, present: tuple[str, ...]) -> bool:
        return all(f in present for f in self.all_of) and (
            not self.any_of or any(f in present for f in self.any_of)
        )


class RedFlagsScoring(Scoring):
    flags: dict[Identifier, Rule]
    combinations: tuple[Combination, ...] = ()

    def mismatch(self, items: tuple[Item, ...]) -> tuple[str, str] | None:
        ids = [item.id for item in items]
        if missing := [i for i in ids if i not in self.flags]:
            return "flags", f"no rule for: {', '.join(missing)}"
        if extra := [f for f in self.flags if f not in ids]:
            return "flags", f"rules for flags that are not items: {', '.join(extra)}"
        for n, combo in enumerate(self.combinations):
            if combo.id in ids:
                return f"combinations.{n}.id", f"'{combo.id}' is already a flag id"
            for key in ("all_of", "any_of"):
                if unknown := [f for f in getattr(combo, key) if f not in ids]:
                    return f"combinations.{n}.{key}", f"unknown flags: {', '.join(unknown)}"
        return None


class Reason(Frozen):
    id: str
    """The flag id, or the combination rule id."""
    suspects: tuple[Suspect, ...]
    disposition: Disposition
    timeframe: Timeframe
    action: str
    public_action: str
    safety_net: str | None = None
    sources: tuple[str, ...]


class RedFlagsResult(InstrumentResult):
    instrument: Literal["red_flags"] = "red_flags"
    disposition: Disposition
    suspected: tuple[Suspect, ...]
    """Sorted, without repeats."""
    reasons: tuple[Reason, ...]
    """Most severe first, then most urgent; on ties, combinations before single flags."""
    flags_present: tuple[str, ...]
    """In questionnaire order."""

    @property
    def public_actions(self) -> list[str]:
        """What to do, in everyday words, each sentence once (several flags share a rule)."""
        return list(dict.fromkeys(r.public_action for r in self.reasons))


def definition() -> InstrumentDefinition[RedFlagsScoring]:
    """The validated data file (``data/red_flags.yaml``); raises KnowledgeBaseError if bad."""
    return load_definition(ID, RedFlagsScoring)


def flag_ids() -> tuple[str, ...]:
    return definition().item_ids()


def _checked(answers: object) -> dict[str, bool]:
    allowed = flag_ids()
    if not isinstance(answers, Mapping):
        kind = type(answers).__name__
        raise InvalidInput(ID, f"must be a mapping of red flag id to true/false, got {kind}")
    for key, value in answers.items():
        if key not in allowed:
            raise InvalidInput(
                f"{ID}.{key}", f"unknown red flag {key!r}; allowed: {', '.join(allowed)}"
            )
        if not isinstance(value, bool):
            raise InvalidInput(f"{ID}.{key}", f"must be true or false, got {value!r}")
    return {str(k): v for k, v in answers.items()}


def _reason(rule_id: str, rule: Rule) -> Reason:
    return Reason(
        id=rule_id,
        suspects=rule.suspects,
        disposition=rule.disposition,
        timeframe=rule.timeframe,
        action=rule.action,
        public_action=rule.public_action,
        safety_net=rule.safety_net,
        sources=rule.sources,
    )


def score(answers: object) -> RedFlagsResult:
    """Screen ``{flag_id: bool}``; absent or False flags add nothing.

    Raises ``InvalidInput('red_flags' | 'red_flags.<key>', ...)`` on a non-mapping, an unknown
    flag, or a value that is not a bool.
    """
    checked = _checked(answers)
    spec = definition()
    present = tuple(f for f in spec.item_ids() if checked.get(f, False))
    rules = spec.scoring
    fired = [_reason(c.id, c) for c in rules.combinations if c.fires(present)]
    fired += [_reason(f, rules.flags[f]) for f in present]
    fired.sort(key=lambda r: (-severity(r.disposition), -urgency(r.timeframe)))  # stable on ties
    return RedFlagsResult(
        disposition=fired[0].disposition if fired else "proceed",
        suspected=tuple(sorted({s for r in fired for s in r.suspects})),
        reasons=tuple(fired),
        flags_present=present,
    )
