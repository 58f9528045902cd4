"""A BackPath plan as a FHIR R4 ``CarePlan`` (an R4B model; see ``backpath.interop``).

Recommended treatments are ``not-started`` activities with their schedule, reason,
precautions and line (extension ``treatment-line``); options left out carry
``doNotPerform`` and the reason in ``statusReason``; the disclaimer and the plan's notes are
``note``. A stored version's status follows the FHIR request-status value set
(``care_plan_status``).
"""

from __future__ import annotations

from datetime import datetime

from fhir.resources.R4B.annotation import Annotation
from fhir.resources.R4B.careplan import CarePlan, CarePlanActivity, CarePlanActivityDetail
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.reference import Reference

from backpath.engine.plan_models import REASON_LABELS, NotRecommendedItem, Plan, RecommendedItem
from backpath.engine.stored_plan import StoredPlan
from backpath.interop import codes
from backpath.interop.export_inputs import PlanRecord
from backpath.interop.fhir_parts import coding, concept, ref, timing
from backpath.knowledge import load_knowledge


def care_plan(
    plan: Plan | StoredPlan,
    *,
    rid: str,
    subject: Reference,
    conditions: list[str],
    status: str,
    created: datetime,
    replaces: str | None = None,
) -> CarePlan:
    """The plan as a CarePlan (intent ``plan``) addressing the episode's ``conditions``;
    ``replaces``: the CarePlan of the version before it."""
    activities = [recommended(item) for item in plan.recommended]
    activities += [not_recommended(item) for item in plan.not_recommended]
    notes = [Annotation(text=plan.disclaimer)] if plan.disclaimer else []
    notes += [Annotation(text=note) for note in plan.notes]
    description = f"BackPath plan ({plan.phase} phase, triage: {plan.triage.disposition})"
    return CarePlan(
        id=rid,
        status=status,
        intent="plan",
        title="BackPath treatment plan",
        description=description,
        subject=subject,
        created=created,
        replaces=[ref("CarePlan", replaces)] if replaces else None,
        addresses=[ref("Condition", cid) for cid in conditions] or None,
        activity=activities or None,
        note=notes or None,
    )


def recommended(item: RecommendedItem) -> CarePlanActivity:
    treatment = treatment_coding(item.treatment, item.name)
    text = item.why
    if item.precautions:
        text += " Precautions: " + " ".join(item.precautions)
    if item.schedule.routine:
        text += " Routine: " + item.schedule.routine
    line = Extension(url=codes.LINE_EXTENSION, valueInteger=item.line)
    detail = CarePlanActivityDetail(
        extension=[line],
        code=concept(treatment, text=item.name),
        status="not-started",
        doNotPerform=False,
        reasonCode=[concept(text=item.why)],
        scheduledTiming=timing(item.schedule.model_dump(exclude_none=True)),
        description=f"Line {item.line}. {text}",
    )
    return CarePlanActivity(detail=detail)


def not_recommended(item: NotRecommendedItem) -> CarePlanActivity:
    treatment = treatment_coding(item.treatment, item.name)
    reason = coding(codes.NOT_RECOMMENDED_REASONS, item.reason, REASON_LABELS[item.reason])
    detail = CarePlanActivityDetail(
        code=concept(treatment, text=item.name),
        status="not-started",
        doNotPerform=True,
        statusReason=concept(reason, text=item.why),
        reasonCode=[concept(reason, text=item.why)],
        description=f"Not recommended ({item.reason.replace('_', ' ')}): {item.why}",
    )
    return CarePlanActivity(detail=detail)


def treatment_coding(treatment: str, name: str) -> Coding:
    """A treatment in BackPath's code system with the code system's display, the knowledge
    base's name (a stored plan keeps the ``name`` it had, used only if the id is unknown)."""
    known = load_knowledge().treatments.get(treatment)
    return coding(codes.TREATMENTS, treatment, known.name if known else name)


def care_plan_status(record: PlanRecord, latest: bool, episode_closed: bool) -> str:
    """A stored version's status: published -> ``active`` (``completed`` once its episode is
    closed); the latest draft of an open episode -> ``draft``; a superseded version, or a
    draft that a newer version replaced or whose episode closed -> ``revoked`` (no further
    activity should follow from it)."""
    if record.status == "published":
        return "completed" if episode_closed else "active"
    if record.status == "draft" and latest and not episode_closed:
        return "draft"
    return "revoked"
