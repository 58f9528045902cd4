"""Plan versions in the database: every edit makes a new draft, publishing supersedes.

Rules:
- Only the latest version of an episode is edited or published; older ones are history.
- An edit creates version number + 1 as a draft, with its ``PlanChange`` row.
- Publishing marks the latest version published and every earlier draft or published
  version superseded, with a ``PlanChange`` row (action publish).

Each write runs in one transaction with the episode row locked, so two clinicians saving at
the same moment get consecutive numbers and neither change is lost or half-written. A form
carries the version number the clinician saw; if a newer one exists, nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from backpath.engine import assess, parse_intake
from backpath.engine.plan_edits import Edit, EditRefused, Facts
from backpath.engine.plan_revision import plan_from_json
from backpath.errors import InvalidInput
from backpath.web.patients.models import Episode, Intake
from backpath.web.plans.models import PlanChange, PlanVersion


class StaleVersion(EditRefused):
    """The clinician edited a version that is no longer the latest."""

    def __init__(self, latest: int) -> None:
        super().__init__(
            f"The plan changed while you were looking at it: version {latest} is now the "
            "latest. Nothing was saved; check the current version and try again."
        )


def latest(episode: Episode) -> PlanVersion | None:
    return episode.plan_versions.order_by("-number").first()


def facts_for(episode: Episode) -> Facts:
    """The episode's intake as the engine assesses it (condition tags with those BackPath
    derives, the weekly session limit, the assessment the eligibility rules read); empty when
    the intake cannot be assessed."""
    try:
        data = episode.intake.data
    except Intake.DoesNotExist:
        return Facts()
    try:
        a = assess(parse_intake({"schema": "backpath.intake/1", **data}))
    except InvalidInput:
        return Facts()
    return Facts.of(a)


def _lock_latest(episode: Episode, seen: int) -> PlanVersion:
    """Inside a transaction: lock the episode and return its latest version, which must be
    the one the clinician saw (``seen``)."""
    Episode.objects.select_for_update().filter(pk=episode.pk).exists()
    current = latest(episode)
    if current is None:
        raise EditRefused("This episode has no plan yet.")
    if current.number != seen:
        raise StaleVersion(current.number)
    return current


def check_valid(plan: dict[str, Any]) -> None:
    """Raise ``EditRefused`` unless ``plan`` is still a valid plan for the engine."""
    try:
        plan_from_json(plan)
    except ValidationError as exc:
        raise EditRefused(
            f"This change would not make a valid plan: {exc.errors()[0]['msg']}"
        ) from None


def save_edit(episode: Episode, seen: int, edit: Edit, reason: str, user: Any) -> PlanVersion:
    """Store ``edit`` as the next draft version with its ``PlanChange`` row."""
    check_valid(edit.plan)
    try:
        with transaction.atomic():
            base = _lock_latest(episode, seen)
            created = PlanVersion.objects.create(
                episode=episode,
                number=base.number + 1,
                plan=edit.plan,
                profile=base.profile,
                status=PlanVersion.Status.DRAFT,
                change_summary=f"From version {base.number}. {edit.summary}"[:2000],
                created_by=user,
            )
            PlanChange.objects.create(
                version=created,
                treatment=edit.treatment,
                action=edit.action,
                reason=" ".join(reason.split()),
                created_by=user,
            )
    except IntegrityError:  # a version numbered at the same moment elsewhere
        raise EditRefused(
            "Another change to this plan was saved at the same moment. Nothing was saved; "
            "check the current version and try again."
        ) from None
    return created


def publish(episode: Episode, seen: int, note: str, user: Any) -> PlanVersion:
    """Publish the latest version to the patient; earlier versions become superseded."""
    with transaction.atomic():
        version = _lock_latest(episode, seen)
        if version.status == PlanVersion.Status.PUBLISHED:
            raise EditRefused(f"Version {version.number} is already published to the patient.")
        episode.plan_versions.filter(number__lt=version.number).exclude(
            status=PlanVersion.Status.SUPERSEDED
        ).update(status=PlanVersion.Status.SUPERSEDED)
        version.status = PlanVersion.Status.PUBLISHED
        version.published = timezone.now()
        version.save(update_fields=["status", "published"])
        PlanChange.objects.create(
            version=version,
            action=PlanChange.Action.PUBLISH,
            reason=" ".join(note.split()) or "Published to the patient.",
            created_by=user,
        )
    return version
