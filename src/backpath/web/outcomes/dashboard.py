"""The dashboard's figures, aggregated in the database from ``EpisodeOutcome`` rows.

Every figure is a COUNT or SUM grouped by one column, so the page's cost grows with the
number of groups, not of patients. The small-group rule (``outcomes.privacy``) is applied
here, once: a group with fewer than five distinct patients comes back ``withheld`` with no
numbers at all, for the page, its charts and the CSV alike.

Scope: the lead sees the clinic (and may pick a clinician); a clinician sees the episodes
they are responsible for. Outcome figures are about episodes **closed** in the period;
activity and red-flag referrals about episodes **opened** in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter

from backpath.outcomes import Comparison, compare, shown
from backpath.outcomes.intervals import wilson
from backpath.reports.plain_plan import treatment_name
from backpath.tracking import MEASURE_LABELS
from backpath.web.outcomes.aggregation import MEASURE_COLUMNS
from backpath.web.outcomes.models import CaseMixFit, EpisodeOutcome, EpisodeTreatment

Grain = Literal["month", "quarter"]
RESPONSE_WEEKS = (2, 4, 6, 8, 12)
PHASE_LABELS = {"acute": "Acute (< 4 weeks)", "subacute": "Subacute (4-12 weeks)",
                "chronic": "Chronic (> 12 weeks)", "": "Not assessed"}  # fmt: skip
STARTBACK_LABELS = {"low": "Low risk", "medium": "Medium risk", "high": "High risk",
                    "": "Not screened"}  # fmt: skip


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    grain: Grain = "month"
    clinician: int | None = None
    phase: str = ""
    startback: str = ""


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` with its 95% interval; None fields when withheld or empty."""

    label: str
    patients: int
    part: int | None
    whole: int | None

    @property
    def withheld(self) -> bool:
        return not shown(self.patients)

    @property
    def rate(self) -> float | None:
        return None if self.withheld or not self.whole else (self.part or 0) / self.whole

    @property
    def interval(self) -> tuple[float, float] | None:
        if self.withheld or not self.whole:
            return None
        return wilson(self.part or 0, self.whole)


@dataclass(frozen=True)
class Group:
    """One group's responders against its case mix; ``comparison`` None when withheld or
    when no episode in it has a known outcome."""

    label: str
    patients: int
    comparison: Comparison | None

    @property
    def withheld(self) -> bool:
        return not shown(self.patients)


@dataclass(frozen=True)
class Period:
    start: dt.date
    opened: int | None
    closed: int | None
    """None when fewer than five patients (withheld)."""


@dataclass
class Dashboard:
    filters: Filters
    as_of: dt.datetime | None
    model_note: str
    model: dict[str, Any] | None
    periods: list[Period]
    overall: Group
    completion: list[Share]
    measures: list[Share]
    response_time: list[Share]
    adherence: Share
    adverse: dict[str, Any]
    red_flags: Share
    breakdowns: dict[str, list[Group]] = field(default_factory=dict)

    @property
    def adherence_list(self) -> list[Share]:
        return [self.adherence]

    @property
    def red_flag_list(self) -> list[Share]:
        return [self.red_flags]


def scoped(clinic_id: int, user: Any, filters: Filters) -> QuerySet[EpisodeOutcome]:
    """The rows this user may see, narrowed by the case-mix filters (not by date)."""
    rows = EpisodeOutcome.objects.filter(clinic_id=clinic_id)
    if not getattr(user, "is_lead", False):
        rows = rows.filter(clinician_id=user.pk)
    elif filters.clinician is not None:
        rows = rows.filter(clinician_id=filters.clinician)
    if filters.phase:
        rows = rows.filter(phase=filters.phase)
    if filters.startback:
        rows = rows.filter(startback=filters.startback)
    return rows


KNOWN = {"responder__isnull": False}
MODELLED = {"responder__isnull": False, "expected__isnull": False}


def _group_counts(prefix: str = "") -> dict[str, Any]:
    """The aggregate expressions of one group, over ``EpisodeOutcome`` (or through
    ``prefix`` from a related table)."""

    def q(*conditions: dict[str, Any]) -> Q:
        return Q(**{prefix + k: v for c in conditions for k, v in c.items()})

    return {
        "patients": Count(prefix + "patient", distinct=True),
        "known": Count(prefix + "id", filter=q(KNOWN)),
        "responders": Count(prefix + "id", filter=q({"responder": True})),
        "modelled": Count(prefix + "id", filter=q(MODELLED)),
        "modelled_responders": Count(prefix + "id", filter=q(MODELLED, {"responder": True})),
        "expected": Sum(prefix + "expected", filter=q(MODELLED)),
    }


def _group(label: str, row: dict[str, Any]) -> Group:
    comparison = None
    if shown(row["patients"]) and row["known"]:
        comparison = compare(
            row["responders"], row["known"], row["expected"],
            (row["modelled_responders"], row["modelled"]),
        )  # fmt: skip
    return Group(label, row["patients"], comparison)


def _groups(rows: Iterable[dict[str, Any]], key: str, labels: Any) -> list[Group]:
    return [_group(labels(r[key]), r) for r in rows]


def _periods(rows: QuerySet[EpisodeOutcome], filters: Filters) -> list[Period]:
    trunc = TruncMonth if filters.grain == "month" else TruncQuarter
    counts: dict[dt.date, dict[str, int]] = {}
    for column in ("opened", "closed"):
        window = rows.filter(**{f"{column}__range": (filters.start, filters.end)})
        for r in (window.annotate(period=trunc(column)).values("period")
                  .annotate(n=Count("id"), patients=Count("patient", distinct=True))):  # fmt: skip
            period = r["period"]
            period = period.date() if isinstance(period, dt.datetime) else period
            slot = counts.setdefault(period, {})
            slot[column] = r["n"] if shown(r["patients"]) else -1
    out = []
    for start in period_starts(filters):
        c = counts.get(start, {})
        opened, closed = c.get("opened", 0), c.get("closed", 0)
        out.append(Period(start, None if opened < 0 else opened, None if closed < 0 else closed))
    return out


def period_starts(filters: Filters) -> list[dt.date]:
    """Every month (or quarter) that overlaps the filter's dates, so an empty one shows 0."""
    step = 1 if filters.grain == "month" else 3
    month = (filters.start.month - 1) // step * step + 1
    day = dt.date(filters.start.year, month, 1)
    out = []
    while day <= filters.end:
        out.append(day)
        total = day.year * 12 + day.month - 1 + step
        day = dt.date(total // 12, total % 12 + 1, 1)
    return out


def build(clinic_id: int, user: Any, filters: Filters) -> Dashboard:
    rows = scoped(clinic_id, user, filters)
    cohort = rows.filter(closed__range=(filters.start, filters.end))
    totals = cohort.aggregate(
        **_group_counts(),
        episodes=Count("id"),
        baseline=Count("id", filter=Q(baseline_done=True)),
        review_due=Count("id", filter=Q(review_done__isnull=False)),
        review=Count("id", filter=Q(review_done=True)),
        discharge=Count("id", filter=Q(discharge_done=True)),
        due=Sum("exercises_due"),
        done=Sum("exercises_done"),
        with_program=Count("patient", distinct=True, filter=Q(exercises_due__gt=0)),
        sessions=Sum("sessions"),
        adverse=Sum("adverse_events"),
        serious=Sum("serious_adverse_events"),
        **{f"{m}_known": Count("id", filter=Q(**{f"{c}__isnull": False}))
           for m, c in MEASURE_COLUMNS.items()},
        **{f"{m}_patients": Count("patient", distinct=True,
                                  filter=Q(**{f"{c}__isnull": False}))
           for m, c in MEASURE_COLUMNS.items()},
        **{f"{m}_yes": Count("id", filter=Q(**{c: True})) for m, c in MEASURE_COLUMNS.items()},
        **{f"within_{w}": Count("id", filter=Q(days_to_response__lte=w * 7))
           for w in RESPONSE_WEEKS},
    )  # fmt: skip
    patients = totals["patients"]
    opened = rows.filter(opened__range=(filters.start, filters.end)).aggregate(
        patients=Count("patient", distinct=True),
        episodes=Count("id"),
        red=Count("id", filter=Q(red_flag_referral=True)),
    )
    fit = CaseMixFit.objects.filter(clinic_id=clinic_id).first()
    as_of = rows.order_by("-computed").values_list("computed", flat=True).first()
    adverse: dict[str, Any] = {"withheld": not shown(patients), "sessions": totals["sessions"]}
    if shown(patients) and totals["sessions"]:
        adverse["per_100"] = round(100 * (totals["adverse"] or 0) / totals["sessions"], 1)
        adverse["serious_per_100"] = round(100 * (totals["serious"] or 0) / totals["sessions"], 1)
    dashboard = Dashboard(
        filters=filters,
        as_of=as_of,
        model_note=fit.note if fit else "The outcomes have not been computed yet.",
        model=fit.model if fit else None,
        periods=_periods(rows, filters),
        overall=_group("All closed episodes", totals),
        completion=[
            Share("Baseline questionnaire", patients, totals["baseline"], totals["episodes"]),
            Share("Review questionnaire (episodes of 4 weeks or more)", patients,
                   totals["review"], totals["review_due"]),
            Share("Discharge questionnaire", patients, totals["discharge"], totals["episodes"]),
        ],
        measures=[
            Share(MEASURE_LABELS[m], totals[f"{m}_patients"], totals[f"{m}_yes"],  # type: ignore[index]
                   totals[f"{m}_known"])
            for m in MEASURE_COLUMNS
        ],
        response_time=[
            Share(f"Within {w} weeks", patients, totals[f"within_{w}"], totals["known"])
            for w in RESPONSE_WEEKS
        ],
        adherence=Share("Home exercises done, of those due", totals["with_program"],
                         totals["done"], totals["due"]),
        adverse=adverse,
        red_flags=Share("Episodes referred for red flags (emergency or urgent)",
                         opened["patients"], opened["red"], opened["episodes"]),
    )  # fmt: skip
    dashboard.breakdowns = breakdowns(cohort, user)
    return dashboard


def breakdowns(cohort: QuerySet[EpisodeOutcome], user: Any) -> dict[str, list[Group]]:
    counts = _group_counts()
    through = _group_counts("outcome__")
    out = {
        "Phase": _groups(cohort.values("phase").annotate(**counts).order_by("phase"), "phase",
                         lambda k: PHASE_LABELS.get(k, k)),
        "STarT Back group": _groups(
            cohort.values("startback").annotate(**counts).order_by("startback"), "startback",
            lambda k: STARTBACK_LABELS.get(k, k)),
        "Treatment in the plan": _groups(
            EpisodeTreatment.objects.filter(outcome__in=cohort, in_plan=True)
            .values("treatment").annotate(**through).order_by("treatment"),
            "treatment", treatment_name),
        "Clinic sessions logged": _groups(
            EpisodeTreatment.objects.filter(outcome__in=cohort, sessions__gt=0)
            .values("treatment").annotate(**through).order_by("treatment"),
            "treatment", treatment_name),
    }  # fmt: skip
    if getattr(user, "is_lead", False):
        clinicians = (cohort.values("clinician").annotate(**counts,
                      first=F("clinician__first_name"), last=F("clinician__last_name"))
                      .order_by("last", "first"))  # fmt: skip
        out["Clinician"] = [
            _group(f"{r['first'] or ''} {r['last'] or ''}".strip() or "Not recorded", r)
            for r in clinicians
        ]
    return out
