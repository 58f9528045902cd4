"""Plan versions in the database, written here and nowhere else.

Rules:
- ``create_version`` is the one writer of a new version: the first one from the intake, a
  clinician's edit (``save_edit``), a review's adaptation, the demo's.
- Only the latest version of an episode is edited or published; older ones are history.
- A clinician's edits collect in one working draft: the first edit creates version
  number + 1 as a draft ``in_progress``; their next edits amend that draft in place (its
  ``revision`` counts them), each with its ``PlanChange`` row, until they save it (``seal``),
  publish it, or discard it. Any other new version (another clinician's edit, a review, a
  plan from the intake) seals it first, so no one's change is lost.
- Publishing marks the latest version published and every earlier draft or published
  version superseded, with a ``PlanChange`` row (action publish).

Each write runs in one transaction with the episode row locked, so two clinicians saving at
the same moment get consecutive numbers and neither change is lost or half-written. A form
carries the version number and revision the clinician saw; if the plan changed since, nothing
is saved and the answer is ``StaleVersion`` (never a database ``IntegrityError``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from pydantic import ValidationError

from backpath.engine import assess, parse_intake
from backpath.engine.plan_edits import Edit, EditRefused, Facts
from backpath.engine.stored_plan import StoredPlan, read_stored_plan
from backpath.errors import InvalidInput, field_error
from backpath.errors import (
    StaleVersion as StaleVersion,  # re-exported: views use versions.StaleVersion
)
from backpath.web.patients.models import Episode, Intake
from backpath.web.plans import glance
from backpath.web.plans.models import PlanChange, PlanVersion, Printout


def latest(episode: Episode) -> PlanVersion | None:
    """The episode's newest version, with its author (the plan pages name them)."""
    return episode.plan_versions.select_related("created_by").order_by("-number").first()


def published_number(episode: Episode, version: PlanVersion) -> int | None:
    """The number of the version the patient sees: ``version`` itself when it is published."""
    if version.status == PlanVersion.Status.PUBLISHED:
        return version.number
    return (
        episode.plan_versions.filter(status=PlanVersion.Status.PUBLISHED)
        .values_list("number", flat=True)
        .first()
    )


def document_to_edit(version: PlanVersion) -> StoredPlan:
    """The version's typed plan for an edit; refused, not failed, when it cannot be read."""
    if version.unreadable:
        raise EditRefused(
            f"Version {version.number} of this plan cannot be read ({version.unreadable}), so "
            "it cannot be changed. Make a new plan from the intake."
        )
    return version.document


def facts_for(episode: Episode) -> Facts:
    """The episode's intake as the engine assesses it (condition tags with those BackPath
    derives, the weekly session limit, the assessment the eligibility rules read); empty when
    the intake cannot be assessed. Assessed once per intake document and process, not on
    every page view (``_facts_of``)."""
    try:
        data = episode.intake.data
    except Intake.DoesNotExist:
        return Facts()
    return _facts_of(json.dumps({"schema": "backpath.intake/1", **data}, sort_keys=True))


@lru_cache(maxsize=1024)
def _facts_of(document: str) -> Facts:
    """Facts of one intake document (canonical JSON). The assessment is a pure function of
    the document and immutable, so one copy serves every request that shows that intake."""
    try:
        return Facts.of(assess(parse_intake(json.loads(document))))
    except InvalidInput:
        return Facts()


def _lock(episode: Episode) -> None:
    """Inside a transaction: lock the episode row, so version numbers are given one at a time."""
    Episode.objects.select_for_update().filter(pk=episode.pk).exists()


def _lock_latest(episode: Episode, seen: int, revision: int | None = None) -> PlanVersion:
    """Inside a transaction: lock the episode and return its latest version, which must be
    the one the clinician saw (``seen``, and ``revision`` when the form carried it)."""
    _lock(episode)
    current = latest(episode)
    if current is None:
        raise EditRefused("This episode has no plan yet.")
    if current.number != seen or (revision is not None and current.revision != revision):
        raise StaleVersion(current.number)
    return current


def _seal_working_drafts(episode: Episode) -> None:
    """Inside the lock: any working draft becomes an ordinary saved draft."""
    episode.plan_versions.filter(in_progress=True).update(in_progress=False)


def check_valid(plan: StoredPlan) -> None:
    """Raise ``EditRefused`` unless ``plan`` is still a valid stored plan."""
    try:
        plan.checked().to_plan()
    except (InvalidInput, ValidationError) as exc:
        message = exc.message if isinstance(exc, InvalidInput) else field_error(exc).message
        raise EditRefused(f"This change would not make a valid plan: {message}") from None


def create_version(
    episode: Episode,
    plan: dict[str, Any] | StoredPlan,
    *,
    summary: str,
    user: Any,
    seen: int | None = None,
    profile: str | None = None,
    changes: Iterable[tuple[str, Any, str]] = (),
    status: Any = PlanVersion.Status.DRAFT,
    published: Any = None,
    in_progress: bool = False,
) -> PlanVersion:
    """Store ``plan`` as the episode's next version, with a ``PlanChange`` row per
    ``(treatment, action, reason)`` in ``changes``.

    ``seen`` is the version number the caller built on: when another version was saved since,
    ``StaleVersion`` is raised and nothing is stored. ``None`` builds on whatever is latest (a
    plan from the intake, a review). ``profile`` defaults to the base version's. Runs in its
    own transaction (or the caller's) with the episode row locked; a clash the lock did not
    prevent is answered with ``StaleVersion`` too. The plan is validated here, before anything
    is written (``InvalidInput`` naming the field), so every stored version reads back. A
    working draft it builds on is sealed first; ``in_progress`` makes the new one a working
    draft.
    """
    document = plan.checked() if isinstance(plan, StoredPlan) else read_stored_plan(plan)
    try:
        with transaction.atomic():
            if seen is None:
                _lock(episode)
                base = latest(episode)
            else:
                base = _lock_latest(episode, seen)
            _seal_working_drafts(episode)
            created = PlanVersion.objects.create(
                episode=episode,
                number=(base.number if base else 0) + 1,
                plan=document.to_json_dict(),
                profile=profile or (base.profile if base else "consensus"),
                status=status,
                published=published,
                change_summary=summary[:2000],
                created_by=user,
                in_progress=in_progress,
            )
            PlanChange.objects.bulk_create(
                PlanChange(
                    version=created,
                    treatment=treatment,
                    action=action,
                    reason=" ".join(reason.split()),
                    created_by=user,
                )
                for treatment, action, reason in changes
            )
            glance.refresh(episode)
    except IntegrityError:  # a version numbered at the same moment elsewhere
        now = latest(episode)
        raise StaleVersion(now.number if now else 0) from None
    return created


CLOSED = "This episode is closed and its record is read-only; open a new episode to plan again."


def check_open(episode: Episode) -> None:
    """A closed episode is read-only: no edit, no publishing (``EditRefused``)."""
    if episode.closed is not None:
        raise EditRefused(CLOSED)


def save_edit(
    episode: Episode,
    seen: int,
    edit: Edit,
    reason: str,
    user: Any,
    *,
    revision: int | None = None,
) -> PlanVersion:
    """Store ``edit`` in the clinician's working draft with its ``PlanChange`` row: amend the
    draft when the latest version is theirs and still in progress, else start one as the next
    version. ``seen``/``revision``: the version the clinician edited (``StaleVersion`` if the
    plan changed since)."""
    check_open(episode)
    check_valid(edit.plan)
    with transaction.atomic():
        current = _lock_latest(episode, seen, revision)
        if not (current.in_progress and current.created_by_id == getattr(user, "pk", None)):
            return create_version(
                episode,
                edit.plan,
                summary=f"From version {seen}. {edit.summary}",
                user=user,
                seen=seen,
                changes=[(edit.treatment, edit.action, reason)],
                in_progress=True,
            )
        current.plan = edit.plan.checked().to_json_dict()
        current.revision += 1
        current.change_summary = f"{current.change_summary} {edit.summary}"[:2000]
        current.save(update_fields=["plan", "revision", "change_summary"])
        current.__dict__.pop("document", None)  # the cached typed plan is the old one
        PlanChange.objects.create(
            version=current,
            treatment=edit.treatment,
            action=edit.action,
            reason=" ".join(reason.split()),
            created_by=user,
        )
        Printout.objects.filter(version=current).delete()  # its PDFs showed the old plan
        glance.refresh(episode)
    return current


def seal(episode: Episode, seen: int, revision: int, user: Any) -> PlanVersion:
    """Save the working draft as it is: the clinician's next edit starts a new version."""
    check_open(episode)
    with transaction.atomic():
        current = _lock_latest(episode, seen, revision)
        if not current.in_progress:
            raise EditRefused(f"Version {current.number} is already saved.")
        current.in_progress = False
        current.save(update_fields=["in_progress"])
    return current


def discard(episode: Episode, seen: int, revision: int, user: Any) -> PlanVersion:
    """Throw away the clinician's own working draft; the version before it is current again.
    Returns the version that is now the latest."""
    check_open(episode)
    with transaction.atomic():
        current = _lock_latest(episode, seen, revision)
        if not current.in_progress:
            raise EditRefused(f"Version {current.number} is saved and stays in the history.")
        if current.created_by_id != getattr(user, "pk", None):
            raise EditRefused(
                "Only the clinician who made these changes can discard them; an edit of yours "
                "keeps them and builds on them."
            )
        current.delete()
        glance.refresh(episode)
        now = latest(episode)
    if now is None:  # the first version is made from the intake, never in progress
        raise EditRefused("This episode has no plan left.")
    return now


def publish(
    episode: Episode, seen: int, note: str, user: Any, *, revision: int | None = None
) -> PlanVersion:
    """Publish the latest version to the patient (a working draft is saved by it); earlier
    versions become superseded."""
    check_open(episode)
    with transaction.atomic():
        version = _lock_latest(episode, seen, revision)
        if version.status == PlanVersion.Status.PUBLISHED:
            raise EditRefused(f"Version {version.number} is already published to the patient.")
        episode.plan_versions.filter(number__lt=version.number).exclude(
            status=PlanVersion.Status.SUPERSEDED
        ).update(status=PlanVersion.Status.SUPERSEDED)
        version.status = PlanVersion.Status.PUBLISHED
        version.published = timezone.now()
        version.in_progress = False
        version.save(update_fields=["status", "published", "in_progress"])
        PlanChange.objects.create(
            version=version,
            action=PlanChange.Action.PUBLISH,
            reason=" ".join(note.split()) or "Published to the patient.",
            created_by=user,
        )
        glance.refresh(episode)
    return version
