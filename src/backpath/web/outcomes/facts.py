"""An episode's records, read once, as the outcome domain's ``EpisodeFacts``.

Meant for an episode fetched with ``EPISODE_PREFETCH``: plan versions, diary and exercise
log come from the prefetch, so a batch of episodes costs a few queries, not a few per episode.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.utils import timezone

from backpath.engine.stored_plan import StoredPlan
from backpath.outcomes import EpisodeFacts
from backpath.web.diary.outcomes import baseline_of, programs_by_day, records, weekly_adherence
from backpath.web.patients.models import Episode
from backpath.web.plans.models import PlanVersion

EPISODE_PREFETCH = ("plan_versions", "diary", "exercise_logs")
EPISODE_RELATED = ("patient", "intake")


def plan_given(episode: Episode) -> PlanVersion | None:
    """The plan the patient was given: the version published last, else the newest version
    (its scores are still the baseline); None without a readable plan."""
    versions = [v for v in episode.plan_versions.all() if not v.unreadable]
    published = [v for v in versions if v.published is not None]
    if published:
        return max(published, key=lambda v: (v.published, v.number))
    return max(versions, key=lambda v: v.number, default=None)


def _duration(episode: Episode) -> float | None:
    intake: Any = getattr(episode, "intake", None)
    value = ((intake.data if intake else {}) or {}).get("episode", {}).get("duration_weeks")
    return float(value) if isinstance(value, int | float) and value >= 0 else None


def facts_of(episode: Episode, today: dt.date) -> EpisodeFacts:
    """Everything the outcome of ``episode`` depends on, as of ``today``."""
    version = plan_given(episode)
    plan: StoredPlan | None = version.document if version else None
    end = episode.closed or today
    entries = [e for e in episode.diary.all() if e.on <= end]
    observations, sessions, events = records(entries, end)
    attended = Counter(s.treatment for s in sessions if s.attended)
    published_in = [v for v in episode.plan_versions.all() if v.published is not None]
    due = done = 0
    if published_in:
        start = timezone.localdate(min(v.published for v in published_in if v.published))
        logs = [log.to_domain() for log in episode.exercise_logs.all() if log.on <= end]
        for week in weekly_adherence(programs_by_day(episode), logs, start, end):
            due, done = due + week.due, done + week.done
    in_plan = frozenset(
        item.treatment for item in (plan.recommended if plan else ())
        if item.line == 1 or (item.clinician and item.clinician.action in ("accept", "add"))
    )  # fmt: skip
    return EpisodeFacts(
        opened=episode.opened,
        closed=episode.closed,
        baseline=baseline_of(plan),
        observations=tuple(observations),
        phase=plan.phase if plan else None,
        startback=plan.risk.startback if plan and plan.risk else None,
        age=episode.patient.age_on(episode.opened),
        duration_weeks=_duration(episode),
        disposition=plan.triage.disposition if plan else None,
        accepted=in_plan,
        sessions=dict(attended),
        adverse_events=len(events),
        serious_adverse_events=sum(1 for e in events if e.serious),
        exercises_due=due,
        exercises_done=done,
    )
