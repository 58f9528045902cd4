"""How condition tags are written in FHIR (``data/condition_codes.yaml``), checked on first load.

A tag is either a condition (exported as a ``Condition``, with its SNOMED CT code where one
means the same) or a medicine the person takes (exported as a ``MedicationStatement``, with
its ATC class where one fits). Every condition tag of the intake contract is listed exactly
once, so a new tag cannot reach an export without a decision; a bad file raises
``KnowledgeBaseError`` naming the field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpath import contract
from backpath.errors import KnowledgeBaseError, field_error

FILE = "condition_codes.yaml"
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Code(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]+$")]
    display: Text


class ConditionRow(_Strict):
    snomed: Code | None
    """None: no single SNOMED CT concept means what the tag means."""
    verified: Text


class MedicineRow(_Strict):
    medicine: Text
    """The medicine in plain words: the text of the MedicationStatement's medication."""
    atc: Code | None
    """The ATC class holding exactly these medicines; None when none does."""
    verified: Text


class ConditionCodes(_Strict):
    systems: dict[str, Text]
    conditions: dict[str, ConditionRow]
    medicines: dict[str, MedicineRow]

    def snomed_tags(self) -> dict[str, str]:
        """SNOMED CT code -> condition tag."""
        return {r.snomed.code: tag for tag, r in self.conditions.items() if r.snomed is not None}


def _check(codes: ConditionCodes) -> None:
    if set(codes.systems) != {"snomed", "atc"}:
        raise KnowledgeBaseError(FILE, "systems", "must name exactly snomed and atc")
    both = sorted(codes.conditions.keys() & codes.medicines.keys())
    if both:
        raise KnowledgeBaseError(FILE, f"medicines.{both[0]}", "is listed as a condition too")
    tags = contract.condition_tags()
    for section, rows in (("conditions", codes.conditions), ("medicines", codes.medicines)):
        unknown = [tag for tag in rows if tag not in tags]
        if unknown:
            raise KnowledgeBaseError(FILE, f"{section}.{unknown[0]}", "is not a condition tag")
    missing = [tag for tag in tags if tag not in codes.conditions and tag not in codes.medicines]
    if missing:
        raise KnowledgeBaseError(FILE, "conditions", f"say how '{missing[0]}' is coded")
    snomed = [r.snomed.code for r in codes.conditions.values() if r.snomed is not None]
    if len(set(snomed)) != len(snomed):
        raise KnowledgeBaseError(FILE, "conditions", "a SNOMED CT code is given to two tags")


def parse(data: object) -> ConditionCodes:
    """Validate parsed YAML; raises ``KnowledgeBaseError`` naming the field."""
    try:
        codes = ConditionCodes.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, dotted_indexes=True)
        raise KnowledgeBaseError(FILE, err.field, err.message) from None
    _check(codes)
    return codes


@cache
def condition_codes() -> ConditionCodes:
    """The packaged table, loaded and checked once per process."""
    path = resources.files("backpath.interop").joinpath("data", FILE)
    return parse(yaml.safe_load(path.read_text("utf-8")))


def is_medicine(tag: str) -> bool:
    """True for a tag that says the person takes a kind of medicine."""
    return tag in condition_codes().medicines
