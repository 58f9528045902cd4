"""Interoperability services: FHIR R4 (4.0.1) export and import, and the CDS Hooks service.

A service layer: it may use the domain (engine, instruments, knowledge) but never Django or
the web package.

BackPath declares and serves FHIR R4 4.0.1, the version EHRs implement. Resources are built
and parsed with the ``fhir.resources.R4B`` models only: the pinned ``fhir.resources`` (8.x)
ships R4B and R5 but no R4 models, and the last release with R4 models (6.x) is built on
pydantic 1 and no longer maintained. For every resource type BackPath emits or reads
(Patient, Condition, Observation, Questionnaire, QuestionnaireResponse, CarePlan, Bundle,
CapabilityStatement, OperationOutcome, StructureDefinition, CodeSystem, Medication,
MedicationStatement, MedicationRequest) R4 and R4B have the same elements, so the R4B models
accept and produce exactly the R4 JSON. The tests hold that promise: every emitted resource is
validated against HL7's official R4 JSON schema (``fhir.schema.json``, see
``tests/fhir_schema.py``), which rejects any element R4 does not have.
"""

from __future__ import annotations

from backpath.interop.export_inputs import DiaryRecord, PatientInfo
from backpath.interop.fhir_export import export_bundle
from backpath.interop.fhir_import import intake_from_bundle

__all__ = ["DiaryRecord", "PatientInfo", "export_bundle", "intake_from_bundle"]
