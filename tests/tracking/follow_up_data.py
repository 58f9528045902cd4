"""Follow-up data built in code: scores, sessions and adverse events, and a Hypothesis
strategy for them. Shared by the tracking tests and the adapt tests."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from backpath.engine import Plan
from backpath.knowledge import load_knowledge
from backpath.tracking import AdverseEvent, Measure, Observation, Progress, SessionRecord, summarise

TODAY = date(2025, 6, 1)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def seen(measure: Measure, value: float, ago: int = 0) -> Observation:
    return Observation(measure=measure, value=value, on=days_ago(ago))


def session(treatment: str, ago: int, attended: bool = True) -> SessionRecord:
    return SessionRecord(treatment=treatment, on=days_ago(ago), attended=attended)


def course(treatment: str, attended: int, missed: int = 0) -> list[SessionRecord]:
    """Weekly sessions up to yesterday: the ``missed`` most recent ones were not attended."""
    return [session(treatment, 7 * i + 1, attended=i >= missed) for i in range(attended + missed)]


def harm(treatment: str | None, ago: int = 0, serious: bool = False) -> AdverseEvent:
    return AdverseEvent(
        treatment=treatment, on=days_ago(ago), description="new leg pain", serious=serious
    )


def pain_progress(
    nrs: tuple[int, int] | None = (6, 6),
    sessions: list[SessionRecord] | None = None,
    events: list[AdverseEvent] | None = None,
) -> Progress:
    """Progress with an NRS baseline and one follow-up (``nrs=(baseline, now)``), or neither."""
    baseline: dict[Measure, float] = {"nrs": nrs[0]} if nrs else {}
    scores = [seen("nrs", nrs[1])] if nrs else []
    return summarise(baseline, scores, sessions or [], events or [], TODAY)


@st.composite
def follow_ups(draw: st.DrawFn, plan: Plan) -> tuple[Progress, float]:
    """Follow-up data mostly about the plan's items, so that every adapt rule gets exercised;
    returns the progress and the weeks since the start."""
    every = sorted(load_knowledge().treatments)
    planned = [r.treatment for r in plan.recommended] or every
    ids = st.one_of(st.sampled_from(planned), st.sampled_from(planned), st.sampled_from(every))
    days = st.dates(TODAY - timedelta(days=200), TODAY)
    baseline: dict[Measure, float] = draw(st.fixed_dictionaries(
        {"nrs": st.integers(0, 10)}, optional={"rmdq": st.integers(0, 24)}))  # fmt: skip
    scores = draw(st.lists(st.builds(
        Observation, measure=st.sampled_from(["nrs", "nrs", "rmdq"]), value=st.integers(0, 10),
        on=days), min_size=1, max_size=4))  # fmt: skip
    sessions = draw(st.lists(st.builds(
        SessionRecord, treatment=ids, attended=st.booleans() | st.just(True), on=days),
        max_size=40))  # fmt: skip
    events = draw(st.lists(st.builds(
        AdverseEvent, treatment=st.none() | ids, serious=st.booleans(), on=days,
        description=st.just("harm")), max_size=3))  # fmt: skip
    weeks = draw(st.floats(0, 60))
    return summarise(baseline, scores, sessions, events, TODAY), weeks
