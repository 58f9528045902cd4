"""When each resource of a patient's record last changed (``meta.lastUpdated``), from the
timestamps stored with the rows it is built from.

- Patient: the patient row's creation, or the newest identifier stored for them.
- Condition, MedicationStatement, QuestionnaireResponse (and any other resource made from
  the intake): the intake's last save.
- Observation of an intake: the intake, or the newest change of the plan version whose
  scores it reports (the latest one the caller may see).
- CarePlan of version N: the intake (its ``addresses``), version N's creation, publication
  and last edit, the creation or publication of any later version the caller may see (they
  change N's status), and the episode's closing (it completes or revokes the plan).
- Diary Observation: the diary row's creation (diary scores are never edited).
- Questionnaire: ``DEFINITIONS_CHANGED``; they are part of the software, not of a record.

An episode stores the day it closed, not the moment, so its closing counts as the end of
that day, or as now while the day lasts: a search for what changed since a given time never
misses a discharge, at the price of the time moving until the day is over. Three changes
leave no timestamp at all: a clinician discarding their own working draft (the version before
it becomes the latest again), an identifier removed from a patient, and a clinic changing its
record-number system. The resource's version id still changes (it is a digest of the content,
``backpath.interop.resource_versions``), so ETags and conditional reads stay right; only its
``lastUpdated`` does not move.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone
from fhir.resources.R4B.domainresource import DomainResource

from backpath.web.diary.models import DiaryEntry
from backpath.web.fhir import ids
from backpath.web.patients.models import Intake, Patient, PatientIdentifier
from backpath.web.plans.models import PlanChange, PlanVersion

DEFINITIONS_CHANGED = dt.datetime(2026, 12, 4, tzinfo=dt.UTC)
"""When the packaged Questionnaires last changed: move it with a change to them."""


@dataclass(frozen=True)
class VersionTimes:
    number: int
    made: dt.datetime
    """Creation, publication or last edit, whichever is latest."""
    shown: dt.datetime
    """Creation or publication (what changes the status of the versions before it)."""


@dataclass
class RecordTimes:
    patient: dt.datetime
    intakes: dict[int, dt.datetime] = field(default_factory=dict)
    closings: dict[int, dt.datetime] = field(default_factory=dict)
    versions: dict[int, list[VersionTimes]] = field(default_factory=dict)
    """Per episode, oldest version first."""
    diary: dict[int, dt.datetime] = field(default_factory=dict)

    @classmethod
    def load(cls, patient: Patient, staff: bool, now: dt.datetime | None = None) -> RecordTimes:
        """The timestamps of ``patient``'s rows, as the caller sees them (a patient sees
        published plan versions only)."""
        now = now or timezone.now()
        added = PatientIdentifier.objects.filter(patient=patient).aggregate(last=Max("created"))
        times = cls(patient=max(t for t in (patient.created, added["last"]) if t is not None))
        for episode_id, updated in Intake.objects.filter(
            episode__patient=patient, completed__isnull=False
        ).values_list("episode_id", "updated"):
            times.intakes[episode_id] = updated
        for episode_id, closed in patient.episodes.filter(closed__isnull=False).values_list(
            "id", "closed"
        ):
            times.closings[episode_id] = closing_time(closed, now)
        times.versions = _versions(patient, staff)
        times.diary = dict(
            DiaryEntry.objects.filter(patient=patient, value__isnull=False).values_list(
                "id", "created"
            )
        )
        return times

    def everything(self) -> dt.datetime:
        """The newest of all: the time of a resource that names no rows of its own."""
        found = [self.patient, *self.intakes.values(), *self.closings.values()]
        found += [v.made for versions in self.versions.values() for v in versions]
        return max([*found, *self.diary.values()])

    def of(self, resource: DomainResource) -> dt.datetime:
        kind = resource.get_resource_type()
        if kind == "Questionnaire":
            return DEFINITIONS_CHANGED
        named = ids.parse(str(resource.id))
        if named is None:
            return self.everything()
        if named.diary is not None:
            return self.diary.get(named.diary) or self.everything()
        if named.episode is None:
            return self.patient
        episode = named.episode
        found = [self.intakes.get(episode)]
        versions = self.versions.get(episode, [])
        if kind == "CarePlan" and named.plan_number is not None:
            found += [v.made for v in versions if v.number == named.plan_number]
            found += [v.shown for v in versions if v.number > named.plan_number]
            found.append(self.closings.get(episode))
        elif kind == "Observation" and versions:
            found.append(versions[-1].made)
        known = [t for t in found if t is not None]
        return max(known) if known else self.everything()


def closing_time(closed: dt.date, now: dt.datetime) -> dt.datetime:
    """An episode closed on ``closed``: the end of that day (local time), or ``now`` before."""
    zone = timezone.get_default_timezone()
    end = dt.datetime.combine(closed + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return min(end, now)


def _versions(patient: Patient, staff: bool) -> dict[int, list[VersionTimes]]:
    rows = PlanVersion.objects.filter(episode__patient=patient)
    if not staff:
        rows = rows.filter(published__isnull=False)
    edited = dict(
        PlanChange.objects.filter(version__in=rows)
        .values("version_id")
        .annotate(last=Max("created"))
        .values_list("version_id", "last")
    )
    found: dict[int, list[VersionTimes]] = defaultdict(list)
    for pk, episode_id, number, created, published in rows.order_by("number").values_list(
        "id", "episode_id", "number", "created", "published"
    ):
        shown = max(t for t in (created, published) if t is not None)
        made = max(t for t in (shown, edited.get(pk)) if t is not None)
        found[episode_id].append(VersionTimes(number, made, shown))
    return dict(found)
