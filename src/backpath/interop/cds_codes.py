"""The CDS Hooks code tables (``data/cds_codes.yaml``), validated when first loaded.

Cross references are checked too: every tag must be a condition tag of the knowledge base,
every red-flag ``flag`` a flag of the red-flag screen and every source id a cited source. A
bad file raises ``KnowledgeBaseError`` naming the field. Medicines have their own table
(``backpath.interop.medicines``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpath.errors import KnowledgeBaseError, field_error
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge

FILE = "cds_codes.yaml"
Text = Annotated[str, Field(min_length=1)]
CodingKey = tuple[str, str]
"""(system URI, code) as found on a FHIR Coding."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CodeRow(_Strict):
    system: Text
    """A key of ``systems``."""
    code: Text
    display: Text
    match: Literal["exact", "prefix"] = "exact"
    """``prefix`` makes an ICD-10-CM category cover its subcodes."""
    verified: Text


class SeriousCondition(CodeRow):
    suspect: Text
    """A key of ``suspects``, named as in the red-flag screen (``cauda_equina``...)."""


class TagRow(CodeRow):
    tag: Text


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
    condition_tags: tuple[TagRow, ...]
    startback_groups: StartBackGroups

    def uri(self, row: CodeRow) -> str:
        return self.systems[row.system]


def _normal(system: str, code: str) -> str:
    """ICD-10-CM codes are written with or without the dot; compare them without it."""
    return code.replace(".", "").upper() if system.endswith("icd-10-cm") else code


def find(
    codes: CdsCodes, rows: Iterable[CodeRow], codings: Iterable[CodingKey]
) -> list[tuple[CodeRow, CodingKey]]:
    """Rows matching any of ``codings``, each with the coding it matched; table order."""
    wanted = [(system, code, _normal(system, code)) for system, code in codings]
    found: list[tuple[CodeRow, CodingKey]] = []
    for row in rows:
        uri = codes.uri(row)
        mine = _normal(uri, row.code)
        for system, code, normal in wanted:
            if system != uri:
                continue
            if normal == mine or (row.match == "prefix" and normal.startswith(mine)):
                found.append((row, (system, code)))
                break
    return found


def _check_references(codes: CdsCodes) -> None:
    kb = load_knowledge()
    flags = red_flags.flag_ids()
    rows: list[tuple[str, CodeRow]] = [
        *((f"serious_conditions[{i}]", r) for i, r in enumerate(codes.serious_conditions)),
        *((f"condition_tags[{i}]", r) for i, r in enumerate(codes.condition_tags)),
    ]
    for field, row in rows:
        if row.system not in codes.systems:
            raise KnowledgeBaseError(FILE, f"{field}.system", f"unknown system '{row.system}'")
        if isinstance(row, TagRow) and row.tag not in kb.conditions:
            raise KnowledgeBaseError(FILE, f"{field}.tag", f"unknown condition tag '{row.tag}'")
    for suspect, rule in codes.suspects.items():
        if rule.flag not in flags:
            raise KnowledgeBaseError(FILE, f"suspects.{suspect}.flag", f"unknown '{rule.flag}'")
    for index, row in enumerate(codes.serious_conditions):
        if row.suspect not in codes.suspects:
            raise KnowledgeBaseError(
                FILE, f"serious_conditions[{index}].suspect", f"no rule for '{row.suspect}'"
            )
    for source in codes.startback_groups.sources:
        if source not in kb.sources:
            raise KnowledgeBaseError(FILE, "startback_groups.sources", f"unknown '{source}'")


def parse_codes(data: object) -> CdsCodes:
    """Validate parsed YAML (raises ``KnowledgeBaseError`` naming the field)."""
    try:
        codes = CdsCodes.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, dotted_indexes=True)
        raise KnowledgeBaseError(FILE, err.field, err.message) from None
    _check_references(codes)
    return codes


@cache
def cds_codes() -> CdsCodes:
    """The packaged tables, loaded once per process."""
    path = resources.files("backpath.interop").joinpath("data", FILE)
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(FILE, "", f"not valid YAML ({exc})") from None
    return parse_codes(data)
