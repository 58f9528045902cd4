"""The worklist: the clinic's patients, who needs attention first, one page at a time.

Sorting and filtering happen in the database over a few indexed columns (open alerts, the
plan at a glance on the current episode), so a clinic of thousands costs one page of rows.
The details shown on a page (last diary entry, home exercises this week) are read for that
page's patients only.

Attention, most pressing first (``PRIORITIES``):
0. an open emergency alert, or a current episode whose triage is an emergency;
1. an open same-day alert, or an urgent referral;
2. any other open alert;
3. a review date that has passed;
4. questionnaires returned and not yet confirmed (new results);
5. questionnaires not returned by their due date;
9. nothing pressing. Within a level, the newest open alert first, then by name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Least

from backpath.web.alerts.models import Alert
from backpath.web.diary.models import DiaryEntry, ExerciseLog
from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.display import DISPOSITION_LABELS
from backpath.web.questionnaires.models import QuestionnaireRequest

Status = Literal["active", "all", "discharged"]
STATUSES: dict[str, str] = {"active": "In care", "discharged": "Discharged", "all": "All"}
PRIORITIES: dict[int, str] = {
    0: "Emergency",
    1: "Urgent",
    2: "Open alert",
    3: "Review overdue",
    4: "New results",
    5: "Questionnaires overdue",
    9: "",
}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    """Name or clinic identifier (part of either)."""
    mine: bool = False
    """Only episodes the signed-in clinician is responsible for."""
    status: Status = "active"


@dataclass
class Row:
    patient: Patient
    priority: int
    open_alerts: int
    disposition: str
    phase: str
    plan_status: str
    review_due: dt.date | None
    review_overdue: bool
    episode_id: int | None
    last_entry: dt.date | None = None
    exercises_done: int | None = None
    exercises_due: int | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def attention(self) -> str:
        return PRIORITIES.get(self.priority, "")

    @property
    def disposition_label(self) -> str:
        return DISPOSITION_LABELS.get(self.disposition, self.disposition)


def _current(column: str) -> Subquery:
    """A column of the patient's current episode: the open one, else the latest."""
    episodes = Episode.objects.filter(patient=OuterRef("pk")).order_by(
        F("closed").desc(nulls_first=True), "-opened", "-id"
    )
    return Subquery(episodes.values(column)[:1])


def _open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(patient=OuterRef("pk"), acknowledged_at__isnull=True)


EPISODE_COLUMNS = ("id", "closed", "clinician", "disposition", "phase", "plan_status",
                   "review_due")  # fmt: skip


def worklist(user: Any, filters: Filters, today: dt.date) -> QuerySet[Patient]:
    """The clinic's patients for ``user``, annotated and in worklist order.

    Each subquery appears once (the database repeats an expression wherever it is used), and
    patients in care are joined to their open episode (a patient has at most one) instead of
    looking it up per column: the first page of 5,000 patients costs one indexed pass.
    """
    rows = Patient.objects.visible_to(user)
    if filters.status == "active":  # joined: at most one open episode per patient
        rows = rows.filter(episodes__isnull=False, episodes__closed__isnull=True).annotate(
            **{f"episode_{c}" if c in ("id", "closed", "clinician") else c: F(f"episodes__{c}")
               for c in EPISODE_COLUMNS})  # fmt: skip
        in_care = Q()
    else:
        rows = rows.annotate(
            **{f"episode_{c}" if c in ("id", "closed", "clinician") else c: _current(c)
               for c in EPISODE_COLUMNS})  # fmt: skip
        in_care = Q(episode_id__isnull=False, episode_closed__isnull=True)
        if filters.status == "discharged":
            rows = rows.filter(episode_closed__isnull=False)
    by_severity = Case(When(severity__gte=3, then=0), When(severity=2, then=1), default=2,
                       output_field=IntegerField())  # fmt: skip
    alert_rank = _open_alerts().values("patient").annotate(r=Min(by_severity)).values("r")
    rows = rows.annotate(
        alert_rank=Coalesce(Subquery(alert_rank[:1]), 9),
        alert_latest=Subquery(_open_alerts().order_by("-created").values("created")[:1]),
        results_new=Exists(QuestionnaireRequest.objects.filter(
            patient=OuterRef("pk"), completed__isnull=False, confirmed__isnull=True)),
        questionnaires_overdue=Exists(QuestionnaireRequest.objects.filter(
            patient=OuterRef("pk"), completed__isnull=True, due__lt=today)),
    )  # fmt: skip

    def rank(condition: Q, value: int) -> Case:
        return Case(When(condition, then=value), default=9, output_field=IntegerField())

    triage = Case(When(in_care & Q(disposition="emergency"), then=0),
                  When(in_care & Q(disposition="urgent_referral"), then=1),
                  default=9, output_field=IntegerField())  # fmt: skip
    rows = rows.annotate(priority=Least(  # each part once: the smallest rank wins
        F("alert_rank"), triage,
        rank(in_care & Q(plan_status="published", review_due__lt=today), 3),
        rank(Q(results_new=True), 4),
        rank(in_care & Q(questionnaires_overdue=True), 5),
    ))  # fmt: skip
    if filters.q:
        q = filters.q
        rows = rows.filter(Q(family_name__icontains=q) | Q(given_name__icontains=q)
                           | Q(clinic_identifier__icontains=q))  # fmt: skip
    if filters.mine:
        rows = rows.filter(episode_clinician=user.pk)
    return rows.order_by("priority", F("alert_latest").desc(nulls_last=True), "family_name",
                         "given_name", "id")  # fmt: skip


def rows_of(patients: Sequence[Patient], today: dt.date) -> list[Row]:
    """The page's rows, with what is read for these patients only: the last diary entry and
    the home exercises done this week against those due so far (Monday to today)."""
    ids = [p.pk for p in patients]
    open_alerts = dict(Alert.objects.filter(patient__in=ids, acknowledged_at__isnull=True)
                       .values("patient").annotate(n=Count("id"))
                       .values_list("patient", "n"))  # fmt: skip
    last = dict(DiaryEntry.objects.filter(patient__in=ids).values("patient")
                .annotate(last=Max("on")).values_list("patient", "last"))  # fmt: skip
    monday = today - dt.timedelta(days=today.weekday())
    episode_ids = [p.episode_id for p in patients if p.episode_id]  # type: ignore[attr-defined]
    done = dict(ExerciseLog.objects.filter(episode__in=episode_ids, on__gte=monday, on__lte=today,
                                           outcome="done")
                .values("episode").annotate(n=Count("id")).values_list("episode", "n"))  # fmt: skip
    due_by_day = dict(Episode.objects.filter(pk__in=episode_ids)
                      .values_list("pk", "due_by_weekday"))  # fmt: skip
    out = []
    for p in patients:
        a: Any = p
        pattern = due_by_day.get(a.episode_id) or []
        due = sum(pattern[: today.weekday() + 1]) if pattern and a.episode_closed is None else None
        row = Row(
            patient=p, priority=a.priority, open_alerts=open_alerts.get(p.pk, 0),
            disposition=a.disposition or "", phase=a.phase or "",
            plan_status=a.plan_status or "none", review_due=a.review_due,
            review_overdue=(a.review_due is not None and a.review_due < today
                            and a.episode_closed is None),
            episode_id=a.episode_id, last_entry=last.get(p.pk),
            exercises_done=min(done.get(a.episode_id, 0), due) if due else None,
            exercises_due=due,
        )  # fmt: skip
        if row.open_alerts:
            n = row.open_alerts
            row.reasons.append(f"{n} open alert{'s' if n > 1 else ''}")
        if a.disposition in ("emergency", "urgent_referral") and a.episode_closed is None:
            row.reasons.append("red flags at triage")
        if row.review_overdue and row.priority != 3:  # else the attention label says it
            row.reasons.append("review overdue")
        if a.results_new and row.priority != 4:
            row.reasons.append("questionnaires returned")
        if a.questionnaires_overdue and a.episode_closed is None and row.priority != 5:
            row.reasons.append("questionnaires overdue")
        out.append(row)
    return out
