"""How condition tags are written in FHIR and read from EHR codes (``data/condition_codes.yaml``).

The one table of condition tags and their codes, read by the FHIR export, the FHIR import and
the CDS Hooks reader. A tag is a condition, an allergy or a medicine the person takes:

- a condition is exported as a ``Condition`` with its SNOMED CT code where one means the same;
  a Condition is read as the tag from that code and from the further codes of ``read_from``
  (SNOMED CT concepts that mean part of the tag, ICD-10-CM codes and categories);
- an allergy is exported as an ``AllergyIntolerance`` coded the same way, and read from an
  AllergyIntolerance or a Condition (an EHR may list an allergy among the problems);
- a medicine is exported as a ``MedicationStatement``, with its ATC class where one fits (an
  EHR's medicine codes are read with ``medicines``).

Checked on first load, a bad file raising ``KnowledgeBaseError`` naming the field: every
condition tag of the intake contract is listed exactly once (so a new tag cannot reach an
export without a decision), the systems are the ones BackPath knows under their URIs, each
code looks like a code of its system, ``match: prefix`` is used for ICD-10-CM only, and no
code (nor a subcode of a category) is given to two tags or twice to one.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache, cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from backpath import contract
from backpath.errors import KnowledgeBaseError
from backpath.interop import code_rows, codes
from backpath.interop.code_rows import CodeRow, CodingKey, packaged_yaml, validated

FILE = "condition_codes.yaml"
Text = Annotated[str, Field(min_length=1)]
SYSTEMS = {"snomed": codes.SNOMED, "icd10cm": codes.ICD10CM, "atc": codes.ATC}
"""The systems the table may name, with the URIs the export writes and the readers compare."""
_READ_FROM = ("snomed", "icd10cm")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Code(_Strict):
    code: Annotated[str, Field(pattern=r"^[A-Z0-9]+$")]
    display: Text


class ConditionRow(_Strict):
    snomed: Code | None
    """The SNOMED CT concept exported with the tag; None: no single concept means what the tag
    means."""
    verified: Text
    """Where the SNOMED CT code was checked, or why there is none."""
    read_from: tuple[CodeRow, ...] = ()
    """Further codes an EHR may send that mean the tag (or part of it): read, never exported."""


class AllergyRow(ConditionRow):
    category: Literal["food", "medication", "environment", "biologic"]
    """``AllergyIntolerance.category`` (FHIR R4's allergy-intolerance-category codes)."""


class MedicineRow(_Strict):
    medicine: Text
    """The medicine in plain words: the text of the MedicationStatement's medication."""
    atc: Code | None
    """The ATC class holding exactly these medicines; None when none does."""
    verified: Text


class ConditionCodes(_Strict):
    systems: dict[str, Text]
    conditions: dict[str, ConditionRow]
    allergies: dict[str, AllergyRow]
    medicines: dict[str, MedicineRow]

    @cached_property
    def rows(self) -> tuple[tuple[str, str, CodeRow], ...]:
        """Every code a condition or allergy tag is read from: (tag, where in the file, row)."""
        found: list[tuple[str, str, CodeRow]] = []
        sections: list[tuple[str, dict[str, ConditionRow]]] = [
            ("conditions", dict(self.conditions)),
            ("allergies", dict(self.allergies)),
        ]
        for section, rows in sections:
            for tag, row in rows.items():
                if row.snomed is not None:
                    own = CodeRow(system="snomed", code=row.snomed.code,
                                  display=row.snomed.display, verified=row.verified)  # fmt: skip
                    found.append((tag, f"{section}.{tag}.snomed", own))
                found += [
                    (tag, f"{section}.{tag}.read_from.{i}", code)
                    for i, code in enumerate(row.read_from)
                ]
        return tuple(found)

    def coded(self, tag: str) -> ConditionRow:
        """The row of a condition or allergy tag (``KeyError`` for a medicine)."""
        return self.allergies[tag] if tag in self.allergies else self.conditions[tag]

    def tags_of(self, codings: Iterable[CodingKey]) -> list[tuple[str, CodingKey]]:
        """The condition tags an EHR's codings mean, each with the coding that said it (table
        order, each tag once)."""
        wanted = list(codings)
        found: dict[str, CodingKey] = {}
        for tag, _, row in self.rows:
            if tag in found:
                continue
            coding = next(
                (c for c in wanted if code_rows.covers(self.systems[row.system], row, c)), None
            )
            if coding is not None:
                found[tag] = coding
        return list(found.items())


def _check_tags(table: ConditionCodes) -> None:
    sections: list[tuple[str, set[str]]] = [
        ("conditions", set(table.conditions)),
        ("allergies", set(table.allergies)),
        ("medicines", set(table.medicines)),
    ]
    seen: dict[str, str] = {}
    for section, tags in sections:
        for tag in sorted(tags):
            if tag in seen:
                raise KnowledgeBaseError(
                    FILE, f"{section}.{tag}", f"is listed under {seen[tag]} too"
                )
            seen[tag] = section
    known = contract.condition_tags()
    for section, tags in sections:
        unknown = sorted(tag for tag in tags if tag not in known)
        if unknown:
            raise KnowledgeBaseError(FILE, f"{section}.{unknown[0]}", "is not a condition tag")
    missing = [tag for tag in known if tag not in seen]
    if missing:
        raise KnowledgeBaseError(FILE, "conditions", f"say how '{missing[0]}' is coded")


def _check_systems(table: ConditionCodes) -> None:
    for name, uri in table.systems.items():
        if name not in SYSTEMS:
            allowed = ", ".join(SYSTEMS)
            raise KnowledgeBaseError(
                FILE, f"systems.{name}", f"unknown system (allowed: {allowed})"
            )
        if uri != SYSTEMS[name]:
            raise KnowledgeBaseError(FILE, f"systems.{name}", f"must be {SYSTEMS[name]}")
    for name in ("snomed", "atc"):
        if name not in table.systems:
            raise KnowledgeBaseError(FILE, "systems", f"must name {name} (the export writes it)")


def _overlap(table: ConditionCodes, one: CodeRow, other: CodeRow) -> bool:
    """True when the two rows share a code (or a category holds the other's code)."""
    uri, uri_other = table.systems[one.system], table.systems[other.system]
    return code_rows.covers(uri, one, (uri_other, other.code)) or code_rows.covers(
        uri_other, other, (uri, one.code)
    )


def _check_codes(table: ConditionCodes) -> None:
    """Every row's system and code, and no code (or subcode of a category) for two tags."""
    seen: list[tuple[str, str, CodeRow]] = []
    for tag, where, row in table.rows:
        if row.system not in _READ_FROM or row.system not in table.systems:
            allowed = " or ".join(s for s in _READ_FROM if s in table.systems)
            message = f"unknown system '{row.system}' (allowed: {allowed})"
            raise KnowledgeBaseError(FILE, f"{where}.system", message)
        fault = code_rows.code_fault(table.systems[row.system], row)
        if fault is not None:
            raise KnowledgeBaseError(FILE, f"{where}.code", fault)
        for other_tag, other_where, other in seen:
            if not _overlap(table, row, other):
                continue
            code = f"'{row.code}' ({row.system})"
            if other_tag == tag:
                message = f"{code} is listed twice for '{tag}' (see {other_where})"
            else:
                message = f"{code} is given to two tags: '{other_tag}' ({other_where}) and '{tag}'"
            raise KnowledgeBaseError(FILE, f"{where}.code", message)
        seen.append((tag, where, row))


def _check(table: ConditionCodes) -> None:
    _check_tags(table)
    _check_systems(table)
    _check_codes(table)


def parse(data: object) -> ConditionCodes:
    """Validate parsed YAML; raises ``KnowledgeBaseError`` naming the field."""
    codes = validated(ConditionCodes, FILE, data)
    _check(codes)
    return codes


@cache
def condition_codes() -> ConditionCodes:
    """The packaged table, loaded and checked once per process."""
    return parse(packaged_yaml(FILE))


def is_medicine(tag: str) -> bool:
    """True for a tag that says the person takes a kind of medicine."""
    return tag in condition_codes().medicines


def is_allergy(tag: str) -> bool:
    """True for a tag that says the person is allergic to something."""
    return tag in condition_codes().allergies
