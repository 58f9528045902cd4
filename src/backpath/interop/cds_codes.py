"""The CDS Hooks code tables (``data/cds_codes.yaml``), validated when first loaded.

The table holds what only the CDS Hooks service needs: diagnosis codes that are red flags of
serious spinal pathology, what each suspected disease calls for, and what each STarT Back
risk group means. Cross references are checked too: every system must be known, every code
look like one of its system, every red-flag ``flag`` be a flag of the red-flag screen and every
source id a cited source. A bad file raises ``KnowledgeBaseError`` naming the field. The codes
that give condition tags (comorbidities) are in ``condition_codes``, shared with the FHIR
export and import; medicines have their own table (``medicines``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath.errors import KnowledgeBaseError
from backpath.instruments import red_flags
from backpath.interop import code_rows
from backpath.interop.code_rows import CodeRow, CodingKey, Row, packaged_yaml, validated
from backpath.knowledge import load_knowledge

FILE = "cds_codes.yaml"
Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SeriousCondition(CodeRow):
    suspect: Text
    """A key of ``suspects``, named as in the red-flag screen (``cauda_equina``...)."""


class SuspectRule(_Strict):
    label: Text
    disposition: Literal["emergency", "urgent_referral"]
    flag: Text
    """The red-flag screen's flag whose action and sources apply."""


class StartBackGroups(_Strict):
    sources: Annotated[tuple[Text, ...], Field(min_length=1)]
    low: Text
    medium: Text
    high: Text


class CdsCodes(_Strict):
    systems: dict[str, Text]
    suspects: dict[str, SuspectRule]
    serious_conditions: tuple[SeriousCondition, ...]
    startback_groups: StartBackGroups


def find(
    codes: CdsCodes, rows: Iterable[Row], codings: Iterable[CodingKey]
) -> list[tuple[Row, CodingKey]]:
    """Rows matching any of ``codings``, each with the coding it matched; table order."""
    return code_rows.find(codes.systems, rows, codings)


def _check_references(codes: CdsCodes) -> None:
    kb = load_knowledge()
    flags = red_flags.flag_ids()
    for index, row in enumerate(codes.serious_conditions):
        field = f"serious_conditions[{index}]"
        if row.system not in codes.systems:
            raise KnowledgeBaseError(FILE, f"{field}.system", f"unknown system '{row.system}'")
        fault = code_rows.code_fault(codes.systems[row.system], row)
        if fault is not None:
            raise KnowledgeBaseError(FILE, f"{field}.code", fault)
        if row.suspect not in codes.suspects:
            raise KnowledgeBaseError(FILE, f"{field}.suspect", f"no rule for '{row.suspect}'")
    for suspect, rule in codes.suspects.items():
        if rule.flag not in flags:
            raise KnowledgeBaseError(FILE, f"suspects.{suspect}.flag", f"unknown '{rule.flag}'")
    for source in codes.startback_groups.sources:
        if source not in kb.sources:
            raise KnowledgeBaseError(FILE, "startback_groups.sources", f"unknown '{source}'")


def parse_codes(data: object) -> CdsCodes:
    """Validate parsed YAML (raises ``KnowledgeBaseError`` naming the field)."""
    codes = validated(CdsCodes, FILE, data)
    _check_references(codes)
    return codes


@cache
def cds_codes() -> CdsCodes:
    """The packaged tables, loaded once per process."""
    return parse_codes(packaged_yaml(FILE))
