"""A patient's stored rows as the inputs of the FHIR export (``backpath.interop``).

The REST id of a Patient is its primary key as text; the export names everything else
from it (``12-ep5-careplan-v3``; see ``backpath.interop.fhir_export``). What a caller sees:

- Staff (and ``backpath export fhir``): every episode, every plan version.
- The patient: every episode, but only plan versions that were published to them (a draft
  is never shown to a patient, as on their plan page and in the REST API).

An intake counts once it is completed and still valid for the engine; until then the
episode contributes only its plans (in practice none, as plans come from the intake).
"""

from __future__ import annotations

import logging
from typing import Any

from fhir.resources.R4B.domainresource import DomainResource

from backpath.engine import parse_intake
from backpath.errors import InvalidInput
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo, PlanRecord
from backpath.interop.fhir_export import everything_resources
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Episode, Intake, Patient

logger = logging.getLogger(__name__)
SCORE_KINDS = ("nrs", "peg", "odi", "rmdq")


def patient_info(patient: Patient) -> PatientInfo:
    return PatientInfo(
        id=str(patient.pk),
        given=patient.given_name,
        family=patient.family_name,
        birth_year=patient.birth_year,
        sex=patient.sex,  # type: ignore[arg-type]
    )


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


def diary_records(patient: Patient) -> list[DiaryRecord]:
    rows = DiaryEntry.objects.filter(
        patient=patient, kind__in=SCORE_KINDS, value__isnull=False
    ).order_by("on", "id")
    return [
        DiaryRecord(date=row.on, kind=row.kind, value=row.value, key=str(row.pk))  # type: ignore[arg-type]
        for row in rows
    ]


def patient_resource(patient: Patient) -> DomainResource:
    """The Patient resource, exactly as it comes first in ``everything``."""
    (resource,) = everything_resources(patient_info(patient))
    return resource


def everything(patient: Patient, staff: bool) -> list[DomainResource]:
    """Every resource of the patient's record that the caller may see, oldest episode first."""
    episodes = patient.episodes.select_related("intake").order_by("opened", "id")
    return everything_resources(
        patient_info(patient),
        [episode_record(episode, staff) for episode in episodes],
        diary_records(patient),
    )
