"""Export one patient episode (intake, plan, diary) as a FHIR R4 ``collection`` Bundle.

Every resource is built from a ``fhir.resources.R4B`` model (R4 and R4B agree for these
resources; see ``backpath.interop``), so constructing it validates it.

What goes where:

- ``Patient``: name, birth year (``birthDate`` as a year), gender.
- ``Condition``: SNOMED CT 279039007 low back pain (161891005 backache for other regions),
  with ICD-10-CM M54.50 only when the episode is non-specific low back pain without
  sciatica; SNOMED CT 23056005 sciatica when leg pain reaches below the knee; and one
  Condition per comorbidity tag, coded in BackPath's ``condition-tag`` system and, where a
  concept means the same, in SNOMED CT (``data/condition_codes.yaml``).
- ``AllergyIntolerance`` for each tag that is an allergy (shellfish): clinical status
  ``active``, verification ``unconfirmed`` (the person reported it; ``asserter`` is the
  Patient), type ``allergy``, its category, coded as a comorbidity is.
- ``MedicationStatement`` (status ``active``, asserted by the patient at intake) for each tag
  that is a medicine the person takes (anticoagulant, antiplatelet, serotonergic, ...): the
  BackPath tag code, the medicine in words, and its ATC class where one fits.
- ``Observation`` (category survey): pain NRS 72514-3, STarT Back total 91351-7, distress
  subscore 91350-9 and risk group 91352-5 (LOINC answers LA9194-7 / LA8982-6 / LA9193-9),
  PEG mean 91147-9, Oswestry 97909-6. These LOINC codes and their LOINC display names are
  read from the instrument data files. No LOINC code for the Roland-Morris total was found,
  so it is coded in BackPath's ``instrument-scores`` code system (code ``rmdq-total``).
  Diary records become further dated Observations with the same codes.
- ``Questionnaire``: one per instrument (items carry LOINC codes where the data has them)
  plus ``intake_details``, BackPath's questionnaire for intake facts no instrument holds
  (episode duration, region, leg pain, cause, preferences, prior treatments, ...). Their
  ids are the instrument ids (``red_flags`` -> ``red-flags``), shared by every patient.
- ``QuestionnaireResponse``: the intake's answers to each instrument, the red-flag screen
  (boolean answers) and the intake details. These carry what an import needs to rebuild
  the intake, so export -> import -> assess gives the same plan.
- ``CarePlan`` (status ``draft``: a proposal until a clinician adopts it): built by
  ``backpath.interop.fhir_careplan``.

Ids of patient resources derive from ``base_id`` (``<base_id>-patient``, ...). Codes of
BackPath's own systems carry the display their published CodeSystem gives
(``backpath.interop.conformance``).

``everything_resources`` gives a patient's whole record for the REST API and
``backpath export fhir``, with ids that resolve inside one Bundle:

- ``Patient``: ``patient.id`` itself (the REST id, e.g. ``12``).
- Per episode: ``<patient>-ep<episode>-<suffix>``, e.g. ``12-ep5-condition-back-pain``,
  ``12-ep5-qr-startback``, ``12-ep5-obs-nrs``, and one CarePlan per stored plan version,
  ``12-ep5-careplan-v3``, each ``replaces`` the version before it.
- Diary scores: ``<patient>-diary-<key>-<kind>``, e.g. ``12-diary-301-nrs``.
- Questionnaires keep their shared ids (``startback``, ``red-flags``, ``intake-details``).

A stored version's CarePlan status is ``fhir_careplan.care_plan_status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle, BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.humanname import HumanName
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.quantity import Quantity
from fhir.resources.R4B.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)
from fhir.resources.R4B.reference import Reference

from backpath.engine import assess_and_plan
from backpath.engine.plan_models import Plan
from backpath.engine.stored_plan import StoredPlan
from backpath.interop import codes, fhir_careplan
from backpath.interop.condition_codes import condition_codes
from backpath.interop.export_inputs import DiaryRecord, EpisodeRecord, PatientInfo
from backpath.interop.fhir_parts import (
    coding,
    concept,
    detail_responses,
    details_questionnaire,
    fhir_id,
    instrument_definition,
    instrument_questionnaire,
    loinc,
    ref,
    rmdq_total,
)
from backpath.interop.intake_details import detail_values
from backpath.interop.narrative import with_narrative
from backpath.knowledge import load_knowledge

QUESTIONNAIRE_INSTRUMENTS = ("nrs", "startback", "odi", "peg", "rmdq")
"""Instruments whose intake answers are exported as scored questionnaires."""


class _Builder:
    """Collects resources for one bundle; ids derive from ``base_id``."""

    def __init__(
        self, patient: PatientInfo, base_id: str, when: datetime, patient_id: str | None = None
    ) -> None:
        self.patient = patient
        self.base_id = base_id
        self.when = when
        self.patient_id = patient_id
        self.resources: list[DomainResource] = []

    def rid(self, suffix: str) -> str:
        return fhir_id(f"{self.base_id}-{suffix}")

    @property
    def patient_rid(self) -> str:
        return self.patient_id or self.rid("patient")

    @property
    def subject(self) -> Reference:
        return ref("Patient", self.patient_rid)

    def add(self, resource: DomainResource) -> None:
        self.resources.append(with_narrative(resource))

    # -- Patient and Conditions -------------------------------------------------------
    def patient_resource(self) -> None:
        p = self.patient
        name = HumanName(given=[p.given], family=p.family)
        self.add(
            Patient(
                id=self.patient_rid,
                name=[name],
                gender=p.sex,
                birthDate=str(p.birth_year),
            )
        )

    def condition(self, suffix: str, code: CodeableConcept, category: str) -> str:
        rid = self.rid(suffix)
        self.add(
            Condition(
                id=rid,
                clinicalStatus=concept(coding(codes.CONDITION_CLINICAL, "active")),
                category=[concept(coding(codes.CONDITION_CATEGORY, category))],
                code=code,
                subject=self.subject,
                recordedDate=self.when,
            )
        )
        return rid

    def conditions(self, intake: dict[str, Any]) -> list[str]:
        episode = intake.get("episode", {})
        region = episode.get("region", "low_back")
        sciatica = episode.get("leg_pain") == "below_knee"
        if region == "low_back":
            back = [coding(codes.SNOMED, codes.LOW_BACK_PAIN, "Low back pain")]
            if not sciatica and episode.get("suspected_cause", "nonspecific") == "nonspecific":
                back.append(
                    coding(codes.ICD10CM, codes.ICD10CM_LOW_BACK_PAIN, "Low back pain, unspecified")
                )
        else:
            back = [coding(codes.SNOMED, codes.BACKACHE, "Backache")]
        ids = [self.condition("condition-back-pain", concept(*back), "encounter-diagnosis")]
        if sciatica:
            sciatica_code = concept(coding(codes.SNOMED, codes.SCIATICA, "Sciatica"))
            ids.append(self.condition("condition-sciatica", sciatica_code, "encounter-diagnosis"))
        table = condition_codes()
        for tag in intake.get("conditions", []):
            label = load_knowledge().conditions[tag].label
            own = coding(codes.CONDITION_TAGS, tag, label)
            if tag in table.medicines:
                self.medication_statement(tag, own)
                continue
            snomed = table.coded(tag).snomed
            standard = [coding(codes.SNOMED, snomed.code, snomed.display)] if snomed else []
            code = concept(own, *standard, text=label)
            if tag in table.allergies:
                self.allergy(tag, code)
                continue
            self.condition(f"condition-{tag}", code, "problem-list-item")
        return ids

    def allergy(self, tag: str, code: CodeableConcept) -> None:
        """An allergy as the person reported it at intake: active, not yet confirmed."""
        self.add(
            AllergyIntolerance(
                id=self.rid(f"allergy-{tag}"),
                clinicalStatus=concept(coding(codes.ALLERGY_CLINICAL, "active")),
                verificationStatus=concept(coding(codes.ALLERGY_VERIFICATION, "unconfirmed")),
                type="allergy",
                category=[condition_codes().allergies[tag].category],
                code=code,
                patient=self.subject,
                recordedDate=self.when,
                asserter=self.subject,
            )
        )

    def medication_statement(self, tag: str, own: Coding) -> None:
        """A medicine the person takes, as they reported it at intake."""
        row = condition_codes().medicines[tag]
        atc = [coding(codes.ATC, row.atc.code, row.atc.display)] if row.atc else []
        self.add(
            MedicationStatement(
                id=self.rid(f"medication-{tag}"),
                status="active",
                medicationCodeableConcept=concept(own, *atc, text=row.medicine),
                subject=self.subject,
                dateAsserted=self.when,
                informationSource=self.subject,
            )
        )

    # -- Observations -----------------------------------------------------------------
    def observation(
        self,
        suffix: str,
        code: Coding,
        value: int | float | Coding,
        when: datetime | date,
        derived_from: str | None = None,
        unit: str | None = None,
    ) -> None:
        fields: dict[str, Any] = {}
        if isinstance(value, Coding):
            fields["valueCodeableConcept"] = concept(value)
        elif isinstance(value, int) and unit is None:
            fields["valueInteger"] = value
        else:
            ucum = unit or "{score}"
            fields["valueQuantity"] = Quantity(
                value=Decimal(str(value)), unit=ucum, system=codes.UCUM, code=ucum
            )
        survey = coding(codes.OBSERVATION_CATEGORY, "survey", "Survey")
        self.add(
            Observation(
                id=self.rid(suffix),
                status="final",
                category=[concept(survey)],
                code=concept(code),
                subject=self.subject,
                effectiveDateTime=when,
                derivedFrom=[ref("QuestionnaireResponse", derived_from)] if derived_from else None,
                **fields,
            )
        )

    def score_code(self, kind: str) -> tuple[Coding, str | None]:
        """Code and UCUM unit of an instrument's total score."""
        if kind == "rmdq":
            return rmdq_total(), None
        score = instrument_definition(kind).loinc
        assert score is not None and score.score is not None
        unit = {"odi": "%", "peg": "{score}"}.get(kind)
        return loinc(kind, score.score), unit

    def observations(self, plan: Plan | StoredPlan, answered: dict[str, str]) -> None:
        scores = plan.scores
        for kind, value in (
            ("nrs", scores.nrs),
            ("odi", scores.odi_percent),
            ("peg", scores.peg),
            ("rmdq", scores.rmdq),
        ):
            if value is None:
                continue
            code, unit = self.score_code(kind)
            self.observation(f"obs-{kind}", code, value, self.when, answered.get(kind), unit)
        risk = plan.risk
        startback = instrument_definition("startback").loinc
        if risk and startback is not None and startback.group is not None:
            source = answered.get("startback")
            total = loinc("startback", str(startback.score))
            self.observation("obs-startback-total", total, risk.startback_total, self.when, source)
            distress = loinc("startback", startback.subscores["psychosocial"])
            value = risk.startback_psychosocial
            self.observation("obs-startback-distress", distress, value, self.when, source)
            answer = loinc("startback", startback.group.answers[risk.startback])
            risk_code = loinc("startback", startback.group.code)
            self.observation("obs-startback-risk", risk_code, answer, self.when, source)

    def diary(self, records: Sequence[DiaryRecord]) -> None:
        for index, record in enumerate(records):
            code, unit = self.score_code(record.kind)
            value: int | float = record.value
            if record.kind in ("nrs", "rmdq") and float(record.value).is_integer():
                value = int(record.value)
            suffix = f"diary-{record.key or index}-{record.kind}"
            self.observation(suffix, code, value, record.date, None, unit)

    # -- Questionnaires and responses ---------------------------------------------------
    def questionnaire_response(
        self, instrument_id: str, items: list[QuestionnaireResponseItem]
    ) -> str:
        rid = self.rid(f"qr-{instrument_id}")
        self.add(
            QuestionnaireResponse(
                id=rid,
                questionnaire=codes.questionnaire_url(instrument_id),
                status="completed",
                subject=self.subject,
                authored=self.when,
                item=items,
            )
        )
        return rid

    def responses(self, intake: dict[str, Any]) -> dict[str, str]:
        """QuestionnaireResponses of the intake; returns instrument id -> response id."""
        answered: dict[str, str] = {}
        lists = dict(intake.get("questionnaires", {}))
        lists["nrs"] = [intake["pain"]["nrs_now"]]
        for instrument_id in QUESTIONNAIRE_INSTRUMENTS:
            values = lists.get(instrument_id)
            if values is None:
                continue
            definition = instrument_definition(instrument_id)
            items = []
            for item, value in zip(definition.items, values, strict=True):
                if value is None:
                    continue
                label = item.options_by_value[value].label
                answer = coding(codes.answer_system(instrument_id), str(value), label)
                items.append(
                    QuestionnaireResponseItem(
                        linkId=item.id,
                        text=item.label,
                        answer=[QuestionnaireResponseItemAnswer(valueCoding=answer)],
                    )
                )
            answered[instrument_id] = self.questionnaire_response(instrument_id, items)
        flags = intake.get("red_flags", {})
        flag_items = [
            QuestionnaireResponseItem(
                linkId=item.id,
                text=item.label,
                answer=[QuestionnaireResponseItemAnswer(valueBoolean=flags[item.id])],
            )
            for item in instrument_definition("red_flags").items
            if item.id in flags
        ]
        if flag_items:
            answered["red_flags"] = self.questionnaire_response("red_flags", flag_items)
        details = [
            response
            for item, value in detail_values(intake)
            for response in detail_responses(item, value)
        ]
        if details:
            answered[codes.INTAKE_DETAILS] = self.questionnaire_response(
                codes.INTAKE_DETAILS, details
            )
        return answered

    # -- CarePlan ---------------------------------------------------------------------
    def care_plan(
        self,
        plan: Plan | StoredPlan,
        conditions: list[str],
        suffix: str = "careplan",
        status: str = "draft",
        created: datetime | None = None,
        replaces: str | None = None,
    ) -> str:
        rid = self.rid(suffix)
        self.add(
            fhir_careplan.care_plan(
                plan, rid=rid, subject=self.subject, conditions=conditions, status=status,
                created=created or self.when, replaces=replaces,
            )
        )  # fmt: skip
        return rid

    # -- Questionnaire definitions ------------------------------------------------------
    def questionnaires(self) -> None:
        for instrument_id in (*QUESTIONNAIRE_INSTRUMENTS, "red_flags"):
            self.add(instrument_questionnaire(instrument_id))
        self.add(details_questionnaire())


def export_bundle(
    patient: PatientInfo,
    intake: dict[str, Any],
    plan: Plan | StoredPlan,
    diary: Sequence[DiaryRecord] = (),
    *,
    base_id: str,
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """The episode as a FHIR R4 ``collection`` Bundle in JSON form (a dict).

    ``intake`` is a valid backpath.intake/1 document and ``plan`` its plan (the engine's, or
    a stored version's). ``timestamp`` (default: now, UTC) dates the bundle, the
    responses and the intake observations; fix it for reproducible output.
    """
    when = timestamp or datetime.now(UTC)
    builder = _Builder(patient, base_id, when)
    builder.patient_resource()
    condition_ids = builder.conditions(intake)
    answered = builder.responses(intake)
    builder.observations(plan, answered)
    builder.diary(diary)
    builder.care_plan(plan, condition_ids)
    builder.questionnaires()
    entries = [
        BundleEntry(
            fullUrl=f"{codes.BASE}/{resource.get_resource_type()}/{resource.id}",
            resource=resource,
        )
        for resource in builder.resources
    ]
    bundle = Bundle(
        id=fhir_id(f"{base_id}-bundle"), type="collection", timestamp=when, entry=entries
    )
    result: dict[str, Any] = bundle.model_dump(mode="json")
    return result


def _scored(episode: EpisodeRecord) -> Plan | StoredPlan:
    """The plan whose scores and risk the episode's Observations report: the latest stored
    version (each version keeps the scores of the intake it was made from), so the export
    never re-runs the engine for what was stored. Only an intake that has no plan yet is
    assessed here."""
    if episode.plans:
        return episode.plans[-1].plan
    assert episode.intake is not None
    return assess_and_plan(episode.intake)


def everything_resources(
    patient: PatientInfo,
    episodes: Sequence[EpisodeRecord] = (),
    diary: Sequence[DiaryRecord] = (),
) -> list[DomainResource]:
    """A patient's whole record as validated FHIR R4 resources (R4B models; see
    ``backpath.interop``), ids as in the module docstring.

    Order: the Patient; per episode its Conditions, QuestionnaireResponses, Observations and
    CarePlans; the diary Observations; last the Questionnaires the responses answer. An
    episode without an intake gives only its CarePlans (if any); no episodes give just the
    Patient. Raises ``InvalidInput`` if an episode's intake is not a valid intake.
    """
    pid = patient.id
    head = _Builder(patient, pid, datetime.now(UTC), patient_id=pid)
    head.patient_resource()
    answered: set[str] = set()
    for episode in episodes:
        when = episode.recorded or (episode.plans[0].created if episode.plans else head.when)
        builder = _Builder(patient, f"{pid}-ep{episode.id}", when, patient_id=pid)
        conditions: list[str] = []
        if episode.intake is not None:
            conditions = builder.conditions(episode.intake)
            responses = builder.responses(episode.intake)
            answered |= responses.keys()
            builder.observations(_scored(episode), responses)
        previous: str | None = None
        for index, record in enumerate(episode.plans):
            latest = index == len(episode.plans) - 1
            previous = builder.care_plan(
                record.plan,
                conditions,
                suffix=f"careplan-v{record.number}",
                status=fhir_careplan.care_plan_status(record, latest, episode.closed),
                created=record.created,
                replaces=previous,
            )
        head.resources += builder.resources
    head.diary(diary)
    for instrument_id in (*QUESTIONNAIRE_INSTRUMENTS, "red_flags"):
        if instrument_id in answered:
            head.add(instrument_questionnaire(instrument_id))
    if codes.INTAKE_DETAILS in answered:
        head.add(details_questionnaire())
    return head.resources
