"""The definitions the server publishes (no patient data), each with its ``meta``
(``last_updated.DEFINITIONS_CHANGED``): the Questionnaires, read by id and searched by
canonical URL, and BackPath's CodeSystems and StructureDefinitions (``interop.conformance``),
read by id, so every canonical URL under the canonical base resolves."""

from __future__ import annotations

from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.structuredefinition import StructureDefinition

from backpath.interop import conformance
from backpath.interop.codes import INTAKE_DETAILS
from backpath.interop.fhir_export import QUESTIONNAIRE_INSTRUMENTS
from backpath.interop.fhir_parts import details_questionnaire, fhir_id, instrument_questionnaire
from backpath.interop.resource_versions import with_meta
from backpath.web.fhir.last_updated import DEFINITIONS_CHANGED

QUESTIONNAIRES = {
    fhir_id(name): name for name in (*QUESTIONNAIRE_INSTRUMENTS, "red_flags", INTAKE_DETAILS)
}
"""Questionnaire id -> the instrument (or intake-details) it is made from."""


def questionnaire(questionnaire_id: str) -> Questionnaire | None:
    name = QUESTIONNAIRES.get(questionnaire_id)
    if name is None:
        return None
    built = details_questionnaire() if name == INTAKE_DETAILS else instrument_questionnaire(name)
    return with_meta(built, DEFINITIONS_CHANGED)


def questionnaires(url: str | None = None, version: str | None = None) -> list[Questionnaire]:
    """Every Questionnaire, or those with this canonical ``url`` (and ``version``)."""
    found = [q for q in map(questionnaire, QUESTIONNAIRES) if q is not None]
    return [
        q
        for q in found
        if (url is None or q.url == url) and (version is None or q.version == version)
    ]


def code_system(code_system_id: str) -> CodeSystem | None:
    found = conformance.code_system(code_system_id)
    if found is None:
        return None
    return with_meta(CodeSystem.model_validate(found), DEFINITIONS_CHANGED)


def structure_definition(definition_id: str) -> StructureDefinition | None:
    found = conformance.structure_definition(definition_id)
    if found is None:
        return None
    return with_meta(StructureDefinition.model_validate(found), DEFINITIONS_CHANGED)
