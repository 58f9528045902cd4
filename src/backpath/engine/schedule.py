"""Schedules from a treatment's typical course, capped by the person's session limit."""

from __future__ import annotations

import math

from backpath.engine.plan_models import Schedule
from backpath.knowledge.models import Course


def schedule_for(course: Course) -> Schedule:
    """The typical course as a plan schedule: clinic sessions, or a routine in plain words."""
    if course.delivery == "sessions":
        assert course.sessions_per_week and course.weeks  # the schema guarantees both
        return Schedule(
            per_week=course.sessions_per_week,
            minutes=course.minutes_per_session,
            weeks=course.weeks,
            sessions=round(course.sessions_per_week * course.weeks),
        )
    return Schedule(routine=course.routine, weeks=course.weeks)


def capped(schedule: Schedule, per_week: int) -> Schedule:
    """Fewer sessions a week over more weeks, so the course keeps its total number of sessions."""
    if schedule.per_week is None or schedule.per_week <= per_week:
        return schedule
    if per_week < 1:
        raise ValueError("a session-based schedule needs at least one session a week")
    total = schedule.sessions or schedule.per_week
    return schedule.model_copy(update={"per_week": per_week, "weeks": math.ceil(total / per_week)})
