"""Schema and loader of the instrument data files (``instruments/data/<id>.yaml``).

A data file holds what a clinician reviews: items, answer options, codes, cut-offs, bands and
minimal important change. The generic part is checked here; each instrument module brings
its own ``scoring`` model. Models are frozen and reject unknown keys, so a typo in an edit
fails loudly at load time with ``KnowledgeBaseError(file, field, message)``.
"""

from __future__ import annotations

from functools import cached_property
from importlib import resources
from typing import Annotated, Any, Generic, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from backpath.errors import KnowledgeBaseError, field_error

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
Text = Annotated[str, Field(min_length=1)]
SourceIds = Annotated[tuple[Identifier, ...], Field(min_length=1)]


def _loinc_check_digit_holds(code: str) -> str:
    """LOINC codes end in a mod-10 (Luhn) check digit; a typo in a code breaks it."""
    number, check = code.split("-")
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    if (10 - total % 10) % 10 != int(check):
        raise ValueError(f"LOINC code {code} fails its check digit")
    return code


LoincCode = Annotated[str, Field(pattern=r"^\d{1,7}-\d$"), AfterValidator(_loinc_check_digit_holds)]
LoincAnswer = Annotated[str, Field(pattern=r"^LA\d{1,6}-\d$")]


class Frozen(BaseModel):
    """Read-only, and unknown keys are errors rather than silently ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AnswerOption(Frozen):
    value: int
    label: Text
    points: int | None = None
    """Points this answer adds to a total; when omitted, the value itself."""
    loinc_answer: LoincAnswer | None = None

    @property
    def scored_points(self) -> int:
        return self.value if self.points is None else self.points


class Item(Frozen):
    id: Identifier
    label: Text
    loinc: LoincCode | None = None
    options: Annotated[tuple[AnswerOption, ...], Field(min_length=2)]

    @model_validator(mode="after")
    def _values_are_unique(self) -> Item:
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError(f"item '{self.id}' repeats an option value")
        return self

    @cached_property
    def options_by_value(self) -> dict[int, AnswerOption]:
        """Options keyed by value: scoring looks answers up on every call."""
        return {o.value: o for o in self.options}

    def option(self, value: int) -> AnswerOption | None:
        return self.options_by_value.get(value)

    def points_for(self, value: int) -> int:
        """Points an answer adds; ``value`` must be one of the options (checked earlier)."""
        option = self.options_by_value.get(value)
        if option is None:
            raise ValueError(f"{value!r} is not an option of item '{self.id}'")
        return option.scored_points

    @cached_property
    def max_points(self) -> int:
        return max(o.scored_points for o in self.options)


class CodedGroup(Frozen):
    """A coded result group, e.g. a risk level with one answer code per group."""

    code: LoincCode
    answers: dict[Identifier, LoincAnswer]


class LoincCodes(Frozen):
    panel: LoincCode | None = None
    score: LoincCode | None = None
    subscores: dict[Identifier, LoincCode] = {}
    group: CodedGroup | None = None
    names: Annotated[dict[str, Text], Field(min_length=1)]
    """LOINC's own display of the LOINC codes in the file (its long common name, or for an
    answer code LOINC's answer text), the one place each is written. Every code needs one
    but an item's: where an item's LOINC name is the instrument's own question wording,
    which BackPath reproduces only as the instrument's licence allows, it is left out and
    the item's codings carry the code alone."""
    verified: Text
    """Where the codes and names were checked, or what is still to confirm."""

    def used(self) -> tuple[str, ...]:
        """The codes of this block (panel, score, subscores, group and its answers)."""
        group = (self.group.code, *self.group.answers.values()) if self.group else ()
        found = (self.panel, self.score, *self.subscores.values(), *group)
        return tuple(code for code in found if code)


class MinimalImportantChange(Frozen):
    """An improvement counts when it reaches ``points`` or, if set, ``percent`` of baseline."""

    points: Annotated[float, Field(gt=0)]
    percent: Annotated[float, Field(gt=0, le=100)] | None = None
    sources: SourceIds


class Scoring(Frozen):
    """Base of each instrument's ``scoring`` block; ``rule`` says the rule in plain words."""

    rule: Text

    def mismatch(self, items: tuple[Item, ...]) -> tuple[str, str] | None:
        """First ``(field, message)`` where scoring disagrees with the items, else None."""
        return None


S = TypeVar("S", bound=Scoring)


class Licence(Frozen):
    """Who holds a questionnaire's rights and on what terms BackPath may show it."""

    holder: Text
    terms: Text
    """The terms in plain words, as BackPath's evidence records them."""
    notice: Text
    """Shown wherever the questionnaire is shown (form, printout, export)."""
    organisation_licence: bool = False
    """True when an organisation (a clinic, a health system) needs a licence to use it; such a
    deployment turns the instrument off until it has one (``BACKPATH_INSTRUMENTS_OFF``)."""


class InstrumentDefinition(Frozen, Generic[S]):
    id: Identifier
    name: Text
    version: Text
    description: Text
    note: Text | None = None
    loinc: LoincCodes | None
    """Required key: ``null`` states that no code was found, which differs from forgetting."""
    licence: Licence
    sources: SourceIds
    items: Annotated[tuple[Item, ...], Field(min_length=1)]
    scoring: S
    minimal_important_change: MinimalImportantChange | None = None

    @model_validator(mode="after")
    def _item_ids_are_unique(self) -> InstrumentDefinition[S]:
        ids = [item.id for item in self.items]
        if len(set(ids)) != len(ids):
            raise ValueError("item ids must be unique")
        return self

    def item_ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.items)

    def loinc_codes(self) -> tuple[str, ...]:
        """Every LOINC code and answer code the file uses, in order, without repeats."""
        own = self.loinc.used() if self.loinc else ()
        items = [item.loinc for item in self.items]
        answers = [option.loinc_answer for item in self.items for option in item.options]
        return tuple(dict.fromkeys(c for c in (*own, *items, *answers) if c))

    def loinc_name(self, code: str) -> str | None:
        """LOINC's display for ``code``, one of ``loinc_codes()`` (checked at load); None for
        an item's code (see ``LoincCodes.names``)."""
        assert self.loinc is not None, f"{self.id} has no LOINC codes"
        return self.loinc.names.get(code)

    def loinc_names_mismatch(self) -> tuple[str, str] | None:
        """``(field, message)`` when a code other than an item's lacks its LOINC name, or a
        name has no code."""
        used = self.loinc_codes()
        if self.loinc is None:
            return ("loinc", f"is null but the items use LOINC {used[0]}") if used else None
        items = {item.loinc for item in self.items if item.loinc} - set(self.loinc.used())
        missing = [code for code in used if code not in self.loinc.names and code not in items]
        if missing:
            return "loinc.names", f"give LOINC's display name of {missing[0]}"
        unused = [code for code in self.loinc.names if code not in used]
        if unused:
            return "loinc.names", f"{unused[0]} is not a code this file uses"
        return None


def _model(scoring: type[S]) -> type[InstrumentDefinition[S]]:
    """The definition model with this instrument's scoring block filled in."""
    return InstrumentDefinition[scoring]  # type: ignore[valid-type]


def parse_definition(
    data: Any, file: str, instrument_id: str, scoring: type[S]
) -> InstrumentDefinition[S]:
    """Validate parsed YAML; raise ``KnowledgeBaseError`` naming ``file`` and the field."""
    try:
        definition = _model(scoring).model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, dotted_indexes=True)
        raise KnowledgeBaseError(file, err.field, err.message) from None
    if definition.id != instrument_id:
        raise KnowledgeBaseError(file, "id", f"must be '{instrument_id}', got '{definition.id}'")
    problem = definition.scoring.mismatch(definition.items)
    if problem is not None:
        raise KnowledgeBaseError(file, f"scoring.{problem[0]}", problem[1])
    names = definition.loinc_names_mismatch()
    if names is not None:
        raise KnowledgeBaseError(file, *names)
    return definition


_LOADED: dict[tuple[str, type[Scoring]], InstrumentDefinition[Any]] = {}


def load_definition(instrument_id: str, scoring: type[S]) -> InstrumentDefinition[S]:
    """Read and validate the packaged data file of one instrument; cached per process.

    Raises ``KnowledgeBaseError`` when the file is missing, not YAML, or fails validation.
    """
    key = (instrument_id, scoring)
    if key not in _LOADED:
        file = f"{instrument_id}.yaml"
        path = resources.files("backpath.instruments").joinpath("data").joinpath(file)
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except FileNotFoundError:
            raise KnowledgeBaseError(file, "", "file is missing") from None
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(file, "", f"not valid YAML ({exc})") from None
        _LOADED[key] = parse_definition(data, file, instrument_id, scoring)
    return _LOADED[key]


def data_file_ids() -> tuple[str, ...]:
    """Ids of every packaged instrument data file, sorted."""
    folder = resources.files("backpath.instruments").joinpath("data")
    names = (entry.name for entry in folder.iterdir())
    return tuple(sorted(n.removesuffix(".yaml") for n in names if n.endswith(".yaml")))
