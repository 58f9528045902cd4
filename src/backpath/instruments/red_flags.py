"""Red-flag screen: which serious spinal pathology may be present, and how urgent care is.

The rules (what each flag suggests, the disposition it triggers, the action and its sources,
and combinations of flags) live in ``data/red_flags.yaml``; this module only applies them.
The result is the most severe disposition any present flag or combination triggers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field

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

ID = "red_flags"
Disposition = Literal["emergency", "urgent_referral", "referral_with_plan", "proceed"]
DISPOSITIONS: tuple[Disposition, ...] = (
    "emergency",
    "urgent_referral",
    "referral_with_plan",
    "proceed",
)
"""Most severe first; the same order as the plan contract's enum."""
Suspect = Literal[
    "cauda_equina",
    "malignancy",
    "infection",
    "fracture",
    "neurological_deficit",
    "axial_spondyloarthritis",
]


def severity(disposition: Disposition) -> int:
    """0 for proceed, rising with urgency; compare dispositions with this."""
    return len(DISPOSITIONS) - 1 - DISPOSITIONS.index(disposition)


class Rule(Frozen):
    suspects: Annotated[tuple[Suspect, ...], Field(min_length=1)]
    disposition: Literal["emergency", "urgent_referral", "referral_with_plan"]
    action: Text
    """What the person should do, in plain language."""
    sources: SourceIds


class Combination(Rule):
    id: Identifier
    all_of: Annotated[tuple[Identifier, ...], Field(min_length=2)]
    """Fires when every one of these flags is present."""


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
            if unknown := [f for f in combo.all_of if f not in ids]:
                return f"combinations.{n}.all_of", f"unknown flags: {', '.join(unknown)}"
        return None


class Reason(Frozen):
    id: str
    """The flag id, or the combination rule id."""
    suspects: tuple[Suspect, ...]
    disposition: Disposition
    action: str
    sources: tuple[str, ...]


class RedFlagsResult(InstrumentResult):
    instrument: Literal["red_flags"] = "red_flags"
    disposition: Disposition
    suspected: tuple[Suspect, ...]
    """Sorted, without repeats."""
    reasons: tuple[Reason, ...]
    """Most severe first; within one disposition, combinations before single flags."""
    flags_present: tuple[str, ...]
    """In questionnaire order."""


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
        action=rule.action,
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
    fired = [_reason(c.id, c) for c in rules.combinations if all(f in present for f in c.all_of)]
    fired += [_reason(f, rules.flags[f]) for f in present]
    fired.sort(key=lambda r: -severity(r.disposition))  # stable: keeps data order on ties
    return RedFlagsResult(
        disposition=fired[0].disposition if fired else "proceed",
        suspected=tuple(sorted({s for r in fired for s in r.suspects})),
        reasons=tuple(fired),
        flags_present=present,
    )
