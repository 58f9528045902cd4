"""BackPath's published definitions: a CodeSystem for each of its own code systems and a
StructureDefinition for each of its extensions, under the canonical base ``codes.BASE``.

An EHR that meets ``<base>/CodeSystem/treatment`` in a resource can fetch that URL and learn
every code and what it means; each definition is built from the data the codes come from
(the knowledge base's treatments and condition tags, the plan contract's reasons and lines,
each instrument's answer options), so a new treatment or tag is published with no code
change. All are FHIR R4 (4.0.1) resources built with ``fhir.resources.R4B`` models (identical
to R4 here; see ``backpath.interop``), each with a generated narrative and BackPath's
disclaimer in its description.

Published code systems (ids): ``treatment``, ``not-recommended-reason``, ``condition-tag``,
``instrument-scores``, ``<instrument>-answers`` for each exported questionnaire and
``cds-card-topic``; extensions: ``treatment-line``.

An answer code is the option's value, shared by every item of the instrument. Where items word
the same value differently (the Oswestry's sections), the concept's display joins the
wordings and each wording is also a designation, so the display BackPath sends with an answer
is always one the CodeSystem lists.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from functools import cache
from typing import Any

from fhir.resources.R4B.codesystem import (
    CodeSystem,
    CodeSystemConcept,
    CodeSystemConceptDesignation,
)
from fhir.resources.R4B.elementdefinition import ElementDefinition, ElementDefinitionType
from fhir.resources.R4B.structuredefinition import (
    StructureDefinition,
    StructureDefinitionContext,
    StructureDefinitionDifferential,
)

from backpath import DISCLAIMER, __version__, contract
from backpath.engine.plan_models import REASON_LABELS
from backpath.interop import codes
from backpath.interop.fhir_export import QUESTIONNAIRE_INSTRUMENTS
from backpath.interop.fhir_parts import fhir_id, instrument_definition, rmdq_total
from backpath.interop.narrative import with_narrative
from backpath.knowledge import load_knowledge

PUBLISHER = "BackPath"
FHIR_VERSION = "4.0.1"
EXTENSION_BASE = "http://hl7.org/fhir/StructureDefinition/Extension"

Concept = tuple[str, str, str | None, tuple[str, ...]]
"""(code, display, definition, further displays) of one concept."""


def _described(text: str) -> str:
    return f"{text} {DISCLAIMER}"


def _code_system(
    url: str,
    name: str,
    title: str,
    description: str,
    concepts: Iterable[Concept],
    copyright: str | None = None,
) -> CodeSystem:
    found = [
        CodeSystemConcept(
            code=code,
            display=display,
            definition=definition,
            designation=[CodeSystemConceptDesignation(value=v) for v in others] or None,
        )
        for code, display, definition, others in concepts
    ]
    return with_narrative(
        CodeSystem(
            id=url.rsplit("/", 1)[-1],
            url=url,
            version=__version__,
            name=name,
            title=title,
            status="active",
            experimental=False,
            publisher=PUBLISHER,
            description=_described(description),
            copyright=copyright,
            caseSensitive=True,
            content="complete",
            count=len(found),
            concept=found,
        )
    )


def _treatments() -> CodeSystem:
    treatments = load_knowledge().treatments.values()
    return _code_system(
        codes.TREATMENTS,
        "BackPathTreatment",
        "BackPath treatments",
        "The non-surgical treatments BackPath recommends or rules out, by their contract id.",
        ((t.id, t.name, " ".join(t.description.split()), ()) for t in treatments),
    )


def _reasons() -> CodeSystem:
    return _code_system(
        codes.NOT_RECOMMENDED_REASONS,
        "BackPathNotRecommendedReason",
        "BackPath reasons a treatment is not recommended",
        "Why a treatment is left out of a person's plan (CarePlan activity statusReason).",
        ((code, label, None, ()) for code, label in REASON_LABELS.items()),
    )


def _condition_tags() -> CodeSystem:
    conditions = load_knowledge().conditions.values()
    return _code_system(
        codes.CONDITION_TAGS,
        "BackPathConditionTag",
        "BackPath condition tags",
        "Comorbidities, medicines and circumstances that change which treatments are safe; "
        "sent on Conditions, AllergyIntolerances and MedicationStatements next to SNOMED CT or "
        "ATC codes.",
        ((c.id, c.label, c.description, ()) for c in conditions),
    )


def _instrument_scores() -> CodeSystem:
    total = rmdq_total()
    rule = " ".join(instrument_definition("rmdq").scoring.rule.split())
    return _code_system(
        codes.INSTRUMENT_SCORES,
        "BackPathInstrumentScore",
        "BackPath instrument scores",
        "Questionnaire scores for which no LOINC code was found.",
        [(str(total.code), str(total.display), rule, ())],
    )


def answer_concepts(instrument_id: str) -> list[Concept]:
    """One concept per option value, with each item's wording of it (see the module doc)."""
    definition = instrument_definition(instrument_id)
    wordings: dict[int, dict[str, list[str]]] = {}
    for item in definition.items:
        for option in item.options:
            wordings.setdefault(option.value, {}).setdefault(option.label, []).append(item.label)
    found: list[Concept] = []
    for value, by_label in sorted(wordings.items()):
        labels = tuple(by_label)
        if len(labels) == 1:
            found.append((str(value), labels[0], None, ()))
            continue
        uses = "; ".join(f"'{label}' for: {', '.join(items)}" for label, items in by_label.items())
        meaning = f"The answer with value {value}, worded by question: {uses}."
        found.append((str(value), " / ".join(labels), meaning, labels))
    return found


def _answers(instrument_id: str) -> CodeSystem:
    definition = instrument_definition(instrument_id)
    words = instrument_id.replace("_", " ").title().replace(" ", "")
    return _code_system(
        codes.answer_system(instrument_id),
        f"BackPath{words}Answers",
        f"{definition.name}: answers",
        f"The answer options of the {definition.name} as BackPath asks it; the code is the "
        "option's value, which its scoring uses.",
        answer_concepts(instrument_id),
        copyright=definition.licence.notice,
    )


def _card_topics() -> CodeSystem:
    return _code_system(
        codes.CDS_CARD_TOPICS,
        "BackPathCdsCardTopic",
        "BackPath CDS card topics",
        "What a BackPath CDS Hooks card is about (Card.source.topic).",
        ((code, display, None, ()) for code, display in codes.CARD_TOPICS.items()),
    )


def _treatment_line() -> StructureDefinition:
    url = codes.LINE_EXTENSION
    lines = contract.schema("plan")["properties"]["recommended"]["items"]["properties"]["line"]
    meaning = f"The line of care of a recommended treatment: {lines['description']}."
    elements = [
        ElementDefinition(
            id="Extension",
            path="Extension",
            short="Line of care of a recommended treatment",
            definition=meaning,
            min=0,
            max="1",
        ),
        ElementDefinition(id="Extension.extension", path="Extension.extension", max="0"),
        ElementDefinition(id="Extension.url", path="Extension.url", fixedUri=url),
        ElementDefinition(
            id="Extension.value[x]",
            path="Extension.value[x]",
            min=1,
            type=[ElementDefinitionType(code="integer")],
            minValueInteger=lines["minimum"],
            maxValueInteger=lines["maximum"],
        ),
    ]
    return with_narrative(
        StructureDefinition(
            id=fhir_id(url.rsplit("/", 1)[-1]),
            url=url,
            version=__version__,
            name="TreatmentLine",
            title="BackPath treatment line",
            status="active",
            experimental=False,
            publisher=PUBLISHER,
            description=_described(meaning),
            fhirVersion=FHIR_VERSION,
            kind="complex-type",
            abstract=False,
            context=[
                StructureDefinitionContext(type="element", expression="CarePlan.activity.detail")
            ],
            type="Extension",
            baseDefinition=EXTENSION_BASE,
            derivation="constraint",
            differential=StructureDefinitionDifferential(element=elements),
        )
    )


def _json(resource: CodeSystem | StructureDefinition) -> dict[str, Any]:
    result: dict[str, Any] = resource.model_dump(mode="json")
    return result


@cache
def _published() -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """(code systems, structure definitions), each by id, built once per process."""
    systems = [_treatments(), _reasons(), _condition_tags(), _instrument_scores()]
    systems += [_answers(i) for i in QUESTIONNAIRE_INSTRUMENTS]
    systems.append(_card_topics())
    definitions = [_treatment_line()]
    return (
        {str(s.id): _json(s) for s in systems},
        {str(d.id): _json(d) for d in definitions},
    )


def code_systems() -> list[dict[str, Any]]:
    """Every CodeSystem BackPath publishes, as FHIR JSON (copies: change them freely)."""
    return [copy.deepcopy(r) for r in _published()[0].values()]


def code_system(resource_id: str) -> dict[str, Any] | None:
    """The CodeSystem with this id (``treatment``, ``odi-answers``...), or None."""
    found = _published()[0].get(resource_id)
    return copy.deepcopy(found) if found is not None else None


def structure_definitions() -> list[dict[str, Any]]:
    """Every StructureDefinition (extension) BackPath publishes, as FHIR JSON."""
    return [copy.deepcopy(r) for r in _published()[1].values()]


def structure_definition(resource_id: str) -> dict[str, Any] | None:
    """The StructureDefinition with this id (``treatment-line``), or None."""
    found = _published()[1].get(resource_id)
    return copy.deepcopy(found) if found is not None else None
