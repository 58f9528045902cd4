"""A patient's stored rows as the FHIR resources the server gives out (built by
``backpath.interop.fhir_export``), with what only the web layer knows added: the Patient's
identifiers and every resource's ``meta`` (``versionId``, ``lastUpdated``).

The REST id of a Patient is its primary key as text; the export names everything else
from it (``12-ep5-careplan-v3``; see ``ids``). What a caller sees:

- Staff (and ``backpath export fhir``): every episode, every plan version.
- The patient: every episode, but only plan versions that were published to them (a draft
  is never shown to a patient, as on their plan page and in the REST API).

An intake counts once it is completed and still valid for the engine; until then the
episode contributes only its plans (in practice none, as plans come from the intake).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.identifier import Identifier
from fhir.resources.R4B.patient import Patient as FhirPatient

from backpath.engine import parse_intake
from backpath.errors import InvalidInput
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo, PlanRecord
from backpath.interop.fhir_export import everything_resources
from backpath.interop.resource_versions import with_meta
from backpath.web.diary.models import DiaryEntry
from backpath.web.fhir import ids
from backpath.web.fhir.access import not_found, visible_patient
from backpath.web.fhir.last_updated import RecordTimes
from backpath.web.fhir.responses import FhirError
from backpath.web.patients import identity
from backpath.web.patients.models import Episode, Intake, Patient

logger = logging.getLogger(__name__)
SCORE_KINDS = ("nrs", "peg", "odi", "rmdq")
IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
RECORD_NUMBER = "MR"
"""HL7 v2 table 0203 'Medical record number': the type of the clinic's record number."""


def patient_info(patient: Patient) -> PatientInfo:
    return PatientInfo(
        id=str(patient.pk),
        given=patient.given_name,
        family=patient.family_name,
        birth_year=patient.birth_year,
        sex=patient.sex,  # type: ignore[arg-type]
    )


def patient_identifiers(patient: Patient) -> list[Identifier]:
    """The clinic's record number (typed MR, ``use: usual``) first, then the identifiers
    other systems gave the patient, each with its system (``identity.identifiers_of``)."""
    found = identity.fhir_identifiers(identity.identifiers_of(patient))
    own = identity.record_number_system(patient.clinic) if patient.clinic_identifier else None
    record_type = CodeableConcept(
        coding=[
            Coding(system=IDENTIFIER_TYPES, code=RECORD_NUMBER, display="Medical record number")
        ]
    )
    return [
        Identifier(**fields, use="usual", type=record_type)
        if index == 0 and fields["system"] == own
        else Identifier(**fields)
        for index, fields in enumerate(found)
    ]


def _intake(episode: Episode) -> dict[str, Any] | None:
    try:
        intake = episode.intake
    except Intake.DoesNotExist:
        return None
    if intake.completed is None:
        return None
    document = {"schema": "backpath.intake/1", **intake.data}
    try:
        parse_intake(document)
    except InvalidInput as exc:
        logger.warning("FHIR export: intake of episode %s left out: %s", episode.pk, exc)
        return None
    return document


def episode_record(episode: Episode, staff: bool) -> EpisodeRecord:
    versions = episode.plan_versions.order_by("number")
    if not staff:
        versions = versions.filter(published__isnull=False)
    intake = _intake(episode)
    return EpisodeRecord(
        id=str(episode.pk),
        intake=intake,
        recorded=episode.intake.completed if intake is not None else None,
        closed=episode.closed is not None,
        plans=tuple(
            PlanRecord(number=v.number, status=v.status, created=v.created, plan=v.document)  # type: ignore[arg-type]
            for v in versions
        ),
    )


def diary_records(patient: Patient, only: int | None = None) -> list[DiaryRecord]:
    """The patient's diary scores (or just row ``only``), oldest first."""
    rows = DiaryEntry.objects.filter(patient=patient, kind__in=SCORE_KINDS, value__isnull=False)
    if only is not None:
        rows = rows.filter(pk=only)
    return [
        DiaryRecord(date=row.on, kind=row.kind, value=row.value, key=str(row.pk))  # type: ignore[arg-type]
        for row in rows.order_by("on", "id")
    ]


def finished(
    patient: Patient, resources: Sequence[DomainResource], staff: bool
) -> list[DomainResource]:
    """The resources as served: the Patient with its identifiers, each with its ``meta``."""
    times = RecordTimes.load(patient, staff)
    for resource in resources:
        if isinstance(resource, FhirPatient):
            resource.identifier = patient_identifiers(patient) or None
        with_meta(resource, times.of(resource))
    return list(resources)


def patient_resource(patient: Patient, staff: bool) -> DomainResource:
    """The Patient resource, exactly as it comes first in ``everything``."""
    (resource,) = everything_resources(patient_info(patient))
    (served,) = finished(patient, [resource], staff)
    return served


def everything(patient: Patient, staff: bool) -> list[DomainResource]:
    """Every resource of the patient's record that the caller may see, oldest episode first
    (the order of ``everything_resources``)."""
    episodes = patient.episodes.select_related("intake").order_by("opened", "id")
    resources = everything_resources(
        patient_info(patient),
        [episode_record(episode, staff) for episode in episodes],
        diary_records(patient),
    )
    return finished(patient, resources, staff)


def find(user: Any, resource_type: str, resource_id: str) -> tuple[Patient, DomainResource]:
    """The resource of a patient's record with this type and id, and its patient, if
    ``user`` may see it; otherwise the same 404 whether it is another clinic's or none.

    Only the rows the id names are read and built: one episode, or one diary row.
    """
    named = ids.parse(resource_id)
    if named is None or (named.episode is None and named.diary is None):
        raise not_found(resource_type, resource_id)
    try:
        patient = visible_patient(user, str(named.patient))
    except FhirError:
        raise not_found(resource_type, resource_id) from None
    staff = bool(user.is_clinic_staff)
    episodes: list[EpisodeRecord] = []
    if named.episode is not None:
        episode = patient.episodes.select_related("intake").filter(pk=named.episode).first()
        if episode is None:
            raise not_found(resource_type, resource_id)
        episodes.append(episode_record(episode, staff))
    diary = diary_records(patient, only=named.diary) if named.diary is not None else []
    built = everything_resources(patient_info(patient), episodes, diary)
    wanted = [r for r in built if r.get_resource_type() == resource_type and r.id == resource_id]
    if not wanted:
        raise not_found(resource_type, resource_id)
    (resource,) = finished(patient, wanted, staff)
    return patient, resource
