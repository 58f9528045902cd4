"""Interoperability services: FHIR R4B export and import, and the CDS Hooks service.

A service layer: it may use the domain (engine, instruments, knowledge) but never Django or
the web package. Resources are built and parsed with the ``fhir.resources.R4B`` models only.
"""

from __future__ import annotations

from backpath.interop.export_inputs import DiaryRecord, PatientInfo
from backpath.interop.fhir_export import export_bundle
from backpath.interop.fhir_import import intake_from_bundle

__all__ = ["DiaryRecord", "PatientInfo", "export_bundle", "intake_from_bundle"]
