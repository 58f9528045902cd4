"""Medicines as EHRs code them, matched to BackPath's ingredients (``data/medicines.yaml``).

An EHR names a medicine with an RxNorm ingredient (IN), clinical drug (SCD) or branded drug
(SBD) code, an ATC code or a SNOMED CT product or substance code; on the MedicationRequest or
MedicationStatement itself, or on a Medication it references: a contained one (``#id``) or
one in the same data (``Medication/id``, relative or an absolute URL ending in it). When no
code of the product is known, the Medication's ``ingredient[].itemCodeableConcept`` codes are
matched instead. A medicine matched to no ingredient is *unknown*, never "nothing to check".

The table is validated when first loaded: every system, class, tag (a condition tag of the
knowledge base), treatment and red-flag question must exist, each ingredient is listed once
and each code belongs to one row. A bad file raises ``KnowledgeBaseError`` naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.medication import Medication
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.medicationstatement import MedicationStatement
from pydantic import BaseModel, ConfigDict, Field

from backpath.errors import KnowledgeBaseError
from backpath.instruments import red_flags
from backpath.knowledge import load_knowledge
from backpath.knowledge.yaml_files import read_yaml, validate

FILE = "medicines.yaml"
Text = Annotated[str, Field(min_length=1)]
CodingKey = tuple[str, str]
"""(system URI, code) as found on a FHIR Coding."""
_REFERENCE = re.compile(r"(?:^|/)Medication/([A-Za-z0-9\-.]{1,64})(?:/_history/[^/]+)?$")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SystemRow(_Strict):
    uri: Text
    aliases: tuple[Text, ...] = ()
    verified: Text


class MedicineClass(_Strict):
    label: Text
    tags: tuple[Text, ...] = ()
    treatment: Text | None = None
    ask_about: Text | None = None
    """A red-flag question of the screen that this class should prompt on the card."""


class CodeRow(_Strict):
    system: Text
    code: Text
    verified: Text


class IngredientRow(_Strict):
    id: Text
    name: Text
    classes: Annotated[tuple[Text, ...], Field(min_length=1)]
    tags: tuple[Text, ...] = ()
    treatment: Text | None = None
    codes: Annotated[tuple[CodeRow, ...], Field(min_length=1)]


class ProductRow(CodeRow):
    display: Text
    tty: Literal["SCD", "SBD", "GPCK", "BPCK"] | None = None
    ingredients: Annotated[tuple[Text, ...], Field(min_length=1)]


class MedicinesFile(_Strict):
    systems: dict[str, SystemRow]
    classes: dict[str, MedicineClass]
    ingredients: tuple[IngredientRow, ...]
    products: tuple[ProductRow, ...]


@dataclass(frozen=True)
class Ingredient:
    """One ingredient with what it means to BackPath (tags, treatments, questions)."""

    id: str
    name: str
    classes: tuple[str, ...]
    class_labels: tuple[str, ...]
    tags: tuple[str, ...]
    treatments: tuple[str, ...]
    ask_about: tuple[str, ...]


@dataclass(frozen=True)
class MedicineTable:
    """The validated table with a lookup by (system URI, code)."""

    data: MedicinesFile
    ingredients: Mapping[str, Ingredient]
    by_code: Mapping[CodingKey, tuple[str, ...]]
    system_uris: Mapping[str, str]
    """Every URI EHRs use (aliases too) -> the canonical URI."""

    def lookup(self, coding: CodingKey) -> tuple[Ingredient, ...]:
        """The ingredients one coding stands for (none when unknown)."""
        key = _key(self.system_uris, coding)
        return tuple(self.ingredients[i] for i in self.by_code.get(key, ()))

    def match(
        self, codings: Iterable[CodingKey]
    ) -> tuple[tuple[Ingredient, ...], CodingKey | None]:
        """The ingredients of the first codings that are known (all of them, in order,
        without repeats) and the first coding that matched."""
        found: dict[str, Ingredient] = {}
        first: CodingKey | None = None
        for coding in codings:
            matched = self.lookup(coding)
            if matched and first is None:
                first = coding
            for ingredient in matched:
                found.setdefault(ingredient.id, ingredient)
        return tuple(found.values()), first

    def tags(self) -> dict[CodingKey, tuple[str, ...]]:
        """(canonical system URI, code) -> the condition tags it sets (tagless codes left out)."""
        table: dict[CodingKey, tuple[str, ...]] = {}
        for key, ids in self.by_code.items():
            tags = tuple(dict.fromkeys(t for i in ids for t in self.ingredients[i].tags))
            if tags:
                table[key] = tags
        return table


def _normal(system: str, code: str) -> str:
    code = code.strip()
    return code.upper() if system.endswith("/atc") else code


def _key(uris: Mapping[str, str], coding: CodingKey) -> CodingKey:
    system = uris.get(coding[0], coding[0])
    return system, _normal(system, coding[1])


def _ingredient(row: IngredientRow, classes: Mapping[str, MedicineClass]) -> Ingredient:
    mine = [classes[c] for c in row.classes]
    treatments = [row.treatment] if row.treatment else [c.treatment for c in mine if c.treatment]
    return Ingredient(
        id=row.id,
        name=row.name,
        classes=row.classes,
        class_labels=tuple(c.label for c in mine),
        tags=tuple(dict.fromkeys([*(t for c in mine for t in c.tags), *row.tags])),
        treatments=tuple(dict.fromkeys(treatments)),
        ask_about=tuple(dict.fromkeys(c.ask_about for c in mine if c.ask_about)),
    )


def _check_references(data: MedicinesFile) -> None:
    kb = load_knowledge()
    flags = red_flags.flag_ids()
    for name, rule in data.classes.items():
        where = f"classes.{name}"
        for tag in rule.tags:
            if tag not in kb.conditions:
                raise KnowledgeBaseError(FILE, f"{where}.tags", f"unknown condition tag '{tag}'")
        if rule.treatment is not None and rule.treatment not in kb.treatments:
            raise KnowledgeBaseError(
                FILE, f"{where}.treatment", f"unknown treatment '{rule.treatment}'"
            )
        if rule.ask_about is not None and rule.ask_about not in flags:
            raise KnowledgeBaseError(
                FILE, f"{where}.ask_about", f"unknown red-flag question '{rule.ask_about}'"
            )
    ids: set[str] = set()
    for index, row in enumerate(data.ingredients):
        where = f"ingredients.{index}"
        if row.id in ids:
            raise KnowledgeBaseError(FILE, f"{where}.id", f"duplicate ingredient '{row.id}'")
        ids.add(row.id)
        for name in row.classes:
            if name not in data.classes:
                raise KnowledgeBaseError(FILE, f"{where}.classes", f"unknown class '{name}'")
        for tag in row.tags:
            if tag not in kb.conditions:
                raise KnowledgeBaseError(FILE, f"{where}.tags", f"unknown condition tag '{tag}'")
        if row.treatment is not None and row.treatment not in kb.treatments:
            raise KnowledgeBaseError(
                FILE, f"{where}.treatment", f"unknown treatment '{row.treatment}'"
            )
    for index, product in enumerate(data.products):
        for name in product.ingredients:
            if name not in ids:
                raise KnowledgeBaseError(
                    FILE, f"products.{index}.ingredients", f"unknown ingredient '{name}'"
                )


def _codes(data: MedicinesFile) -> dict[CodingKey, tuple[str, ...]]:
    rows: list[tuple[str, CodeRow, tuple[str, ...]]] = [
        *(
            (f"ingredients.{i}.codes.{j}", code, (row.id,))
            for i, row in enumerate(data.ingredients)
            for j, code in enumerate(row.codes)
        ),
        *((f"products.{i}", row, row.ingredients) for i, row in enumerate(data.products)),
    ]
    found: dict[CodingKey, tuple[str, ...]] = {}
    for where, row, ingredients in rows:
        system = data.systems.get(row.system)
        if system is None:
            raise KnowledgeBaseError(FILE, f"{where}.system", f"unknown system '{row.system}'")
        key = (system.uri, _normal(system.uri, row.code))
        if key in found:
            raise KnowledgeBaseError(
                FILE, f"{where}.code", f"duplicate code '{row.code}' ({row.system})"
            )
        found[key] = ingredients
    return found


def parse_medicines(raw: Any) -> MedicineTable:
    """Validate parsed YAML (raises ``KnowledgeBaseError`` naming the field)."""
    data = validate(MedicinesFile, raw, FILE)
    _check_references(data)
    by_code = _codes(data)
    uris = {s.uri: s.uri for s in data.systems.values()}
    uris.update({alias: s.uri for s in data.systems.values() for alias in s.aliases})
    ingredients = {row.id: _ingredient(row, data.classes) for row in data.ingredients}
    return MedicineTable(data, ingredients, by_code, uris)


@cache
def medicine_table() -> MedicineTable:
    """The packaged table, loaded and validated once per process."""
    return parse_medicines(read_yaml(resources.files("backpath.interop") / "data" / FILE, FILE))


# --- reading one MedicationRequest or MedicationStatement ----------------------------------


def codings(concept: CodeableConcept | None) -> list[CodingKey]:
    if concept is None:
        return []
    return [(c.system or "", c.code or "") for c in concept.coding or [] if c.code]


def concept_name(concept: CodeableConcept | None) -> str:
    if concept is None:
        return ""
    if concept.text:
        return str(concept.text)
    return next((str(c.display) for c in concept.coding or [] if c.display), "")


@dataclass(frozen=True)
class MedicineCodes:
    """What a MedicationRequest or MedicationStatement says its medicine is."""

    name: str
    codings: tuple[CodingKey, ...]
    """Codes of the product or ingredient: the resource's, then its Medication's."""
    ingredient_codings: tuple[CodingKey, ...]
    """Codes of the Medication's ``ingredient[].itemCodeableConcept``."""
    unresolved: str = ""
    """A ``medicationReference`` that could not be followed (its text), else ``""``."""


def medication_key(reference: str) -> str | None:
    """``Medication/<id>`` for a relative or absolute reference to a Medication, else None."""
    found = _REFERENCE.search(reference)
    return f"Medication/{found.group(1)}" if found else None


def medicine_codes(
    resource: MedicationRequest | MedicationStatement, medications: Mapping[str, Medication]
) -> MedicineCodes:
    """The codes of the medicine ``resource`` names; ``medications`` maps
    ``Medication/<id>`` to the Medications that came with it."""
    concept = resource.medicationCodeableConcept
    found = codings(concept)
    name = concept_name(concept)
    ingredient_codes: list[CodingKey] = []
    unresolved = ""
    reference = resource.medicationReference
    text = str(reference.reference or "") if reference is not None else ""
    if reference is not None and text:
        medication: Medication | None = None
        if text.startswith("#"):
            medication = next(
                (
                    c
                    for c in resource.contained or []
                    if isinstance(c, Medication) and c.id == text[1:]
                ),
                None,
            )
        else:
            key = medication_key(text)
            medication = medications.get(key) if key else None
        if medication is None:
            unresolved = text
        else:
            found += codings(medication.code)
            name = name or concept_name(medication.code)
            for part in medication.ingredient or []:
                ingredient_codes += codings(part.itemCodeableConcept)
    if reference is not None and not name:
        name = str(reference.display or "")
    return MedicineCodes(" ".join(name.split()), tuple(found), tuple(ingredient_codes), unresolved)


def ingredients_of(codes: MedicineCodes) -> tuple[tuple[Ingredient, ...], CodingKey | None]:
    """The ingredients of a medicine: from its product or ingredient codes, and from its
    Medication's ingredient list (which counts even when the product code is unknown)."""
    table = medicine_table()
    found, coding = table.match(codes.codings)
    listed, listed_coding = table.match(codes.ingredient_codings)
    merged = tuple({i.id: i for i in (*found, *listed)}.values())
    return merged, coding or listed_coding
