"""Outcomes over time: follow-up scores, sessions and adverse events against a baseline.

``responder(measure, baseline, current)`` classifies one change by the instruments' minimal
important change; ``summarise(...)`` gathers everything recorded into a ``Progress`` that
``backpath.engine.adapt`` reviews. Pure functions over frozen models; no Django, no I/O.
"""

from backpath.tracking.progress import (
    Attendance,
    LatestValue,
    OverallStatus,
    Progress,
    summarise,
)
from backpath.tracking.records import (
    MEASURE_LABELS,
    MEASURES,
    AdverseEvent,
    Measure,
    Observation,
    SessionRecord,
)
from backpath.tracking.response import Response, Status, responder, threshold_text

__all__ = [
    "MEASURES",
    "MEASURE_LABELS",
    "AdverseEvent",
    "Attendance",
    "LatestValue",
    "Measure",
    "Observation",
    "OverallStatus",
    "Progress",
    "Response",
    "SessionRecord",
    "Status",
    "responder",
    "summarise",
    "threshold_text",
]
