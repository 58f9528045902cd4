"""A row of BackPath's code tables, and how a coding an EHR sends matches one.

Used by the condition-tag table (``condition_codes``) and the CDS Hooks red-flag table
(``cds_codes``), so that both match alike: the same system URI and code, ICD-10-CM codes
written with or without their dot and in any letter case, and a ``prefix`` row (an ICD-10-CM
category such as ``S32.0``) covering its subcodes (``S32.010A``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backpath.errors import KnowledgeBaseError, field_error
from backpath.interop import codes

Text = Annotated[str, Field(min_length=1)]
CodingKey = tuple[str, str]
"""(system URI, code) as found on a FHIR Coding."""
PATTERNS = {
    codes.SNOMED: re.compile(r"[1-9][0-9]{5,17}"),
    codes.ICD10CM: re.compile(r"[A-Z][0-9][0-9A-Z](\.?[0-9A-Z]{1,4})?"),
}
"""What a code of each system looks like (SNOMED CT identifiers; ICD-10-CM codes and
categories), to refuse a table row that cannot be one."""


class CodeRow(BaseModel):
    """One code of a table, with where it was checked."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: Text
    """A key of the table's ``systems``."""
    code: Text
    display: Text
    match: Literal["exact", "prefix"] = "exact"
    """``prefix`` makes an ICD-10-CM category cover its subcodes."""
    verified: Text
    """Where the code was checked, or "to confirm"."""


Row = TypeVar("Row", bound=CodeRow)


def normal(system: str, code: str) -> str:
    """A code as compared: ICD-10-CM without its dot and in capitals; others as written."""
    code = code.strip()
    return code.replace(".", "").upper() if system == codes.ICD10CM else code


def covers(uri: str, row: CodeRow, coding: CodingKey) -> bool:
    """True when ``coding`` is the row's code (or, for a prefix row, one of its subcodes)."""
    system, code = coding
    if system != uri:
        return False
    mine, theirs = normal(uri, row.code), normal(system, code)
    return theirs == mine or (row.match == "prefix" and theirs.startswith(mine))


def find(
    systems: Mapping[str, str], rows: Iterable[Row], codings: Iterable[CodingKey]
) -> list[tuple[Row, CodingKey]]:
    """Rows matching any of ``codings``, each with the first coding it matched; table order.
    ``systems`` maps each row's ``system`` to its URI."""
    wanted = list(codings)
    found: list[tuple[Row, CodingKey]] = []
    for row in rows:
        uri = systems[row.system]
        coding = next((c for c in wanted if covers(uri, row, c)), None)
        if coding is not None:
            found.append((row, coding))
    return found


def code_fault(uri: str, row: CodeRow) -> str | None:
    """What is wrong with a row's code for its system, or None."""
    pattern = PATTERNS.get(uri)
    if pattern is not None and not pattern.fullmatch(row.code):
        return f"'{row.code}' is not a code of {uri}"
    if row.match == "prefix" and uri != codes.ICD10CM:
        return "match: prefix is only for ICD-10-CM categories"
    return None


Table = TypeVar("Table", bound=BaseModel)


def validated(model: type[Table], file: str, data: object) -> Table:
    """A code table's parsed YAML as ``model``; ``KnowledgeBaseError`` naming the field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = field_error(exc, dotted_indexes=True)
        raise KnowledgeBaseError(file, err.field, err.message) from None


def packaged_yaml(file: str) -> object:
    """``interop/data/<file>`` parsed; ``KnowledgeBaseError`` when it is not YAML."""
    path = resources.files("backpath.interop").joinpath("data", file)
    try:
        return yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(file, "", f"not valid YAML ({exc})") from None
