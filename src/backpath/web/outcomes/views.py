"""The outcome dashboard: the lead sees the clinic, a clinician their own episodes.

The page, its charts and its CSV all come from one ``dashboard.build`` call, so the
small-group rule and the figures cannot differ between them.
"""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backpath import DISCLAIMER
from backpath.outcomes.privacy import WITHHELD
from backpath.reports.outcome_charts import Bar, activity_svg, period_name, rates_svg
from backpath.reports.spreadsheet import safe_row
from backpath.web.accounts.access import lead_required, staff_required
from backpath.web.audit.record import record
from backpath.web.chart_cache import cached_svg
from backpath.web.outbox.queueing import enqueue
from backpath.web.outcomes.aggregation import refresh_outcomes
from backpath.web.outcomes.dashboard import Dashboard, Group, Share, build
from backpath.web.outcomes.forms import FilterForm
from backpath.web.replica import has_replica, primary_only

log = logging.getLogger(__name__)


def _bars(groups: list[Group]) -> list[Bar]:
    bars = []
    for g in groups:
        c = g.comparison
        if c is None:
            bars.append(Bar(g.label, None))
        else:
            bars.append(Bar(g.label, c.rate, *c.rate_interval, c.expected_rate))
    return bars


def _charts(board: Dashboard) -> dict[str, str]:
    charts = {
        "activity": cached_svg(
            activity_svg, "activity", [(p.start, p.opened, p.closed) for p in board.periods],
            board.filters.grain,
        ),
        "overall": cached_svg(rates_svg, "overall", "All closed episodes", _bars([board.overall])),
    }  # fmt: skip
    for i, (title, groups) in enumerate(board.breakdowns.items()):
        if groups:
            charts[title] = cached_svg(rates_svg, f"by-{i}", f"Responders by {title.lower()}",
                                 _bars(groups))  # fmt: skip
    return charts


def _form(request: HttpRequest) -> FilterForm:
    return FilterForm(request.GET, user=request.user, today=timezone.localdate())


def _build(request: HttpRequest, form: FilterForm) -> Dashboard:
    """The figures, from the replica when there is one, else (or when it fails) the primary."""
    clinic_id = request.user.clinic_id  # type: ignore[union-attr]
    try:
        return build(clinic_id, request.user, form.filters())
    except DatabaseError as exc:
        if not has_replica():
            raise
        log.warning("outcome reports: the replica failed (%s); reading the primary", exc)
        with primary_only():
            return build(clinic_id, request.user, form.filters())


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return render(request, "outcomes/dashboard.html", {"form": form}, status=400)
    board = _build(request, form)
    charts = _charts(board)
    return render(
        request,
        "outcomes/dashboard.html",
        {"form": form, "board": board, "charts": charts,
         "periods": [(period_name(p.start, board.filters.grain), p) for p in board.periods],
         "query": request.GET.urlencode(), "withheld": WITHHELD,
         "sections": [(t, g, charts.get(t)) for t, g in board.breakdowns.items()]},
    )  # fmt: skip


def _pct(value: float | None) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _share_row(section: str, s: Share) -> list[Any]:
    pad = [""] * (len(CSV_HEADER) - 7)
    if s.withheld:
        return [section, s.label] + [WITHHELD] * 5 + pad
    low, high = s.interval or (None, None)
    return [section, s.label, s.part, s.whole, _pct(s.rate), _pct(low), _pct(high), *pad]


CSV_HEADER = ["section", "group", "count", "of", "percent", "ci95_low", "ci95_high",
              "expected_percent", "observed_over_expected", "oe_ci95_low", "oe_ci95_high",
              "verdict"]  # fmt: skip


def _group_row(section: str, g: Group) -> list[Any]:
    c = g.comparison
    if g.withheld:
        return [section, g.label] + [WITHHELD] * (len(CSV_HEADER) - 2)
    if c is None:
        return [section, g.label, 0, 0] + [""] * (len(CSV_HEADER) - 5) + ["no known outcome"]
    low, high = c.ratio_interval or (None, None)
    return [section, g.label, c.responders, c.episodes, _pct(c.rate), _pct(c.rate_interval[0]),
            _pct(c.rate_interval[1]), _pct(c.expected_rate),
            "" if c.ratio is None else f"{c.ratio:.2f}",
            "" if low is None else f"{low:.2f}", "" if high is None else f"{high:.2f}",
            c.verdict_text]  # fmt: skip


def csv_rows(board: Dashboard) -> list[list[Any]]:
    rows: list[list[Any]] = [CSV_HEADER]
    for p in board.periods:
        name = period_name(p.start, board.filters.grain)
        for what, value in (("opened", p.opened), ("closed", p.closed)):
            rows.append([f"episodes {what}", name, WITHHELD if value is None else value]
                        + [""] * (len(CSV_HEADER) - 3))  # fmt: skip
    rows.append(_group_row("responders", board.overall))
    for s in board.completion:
        rows.append(_share_row("questionnaire completion", s))
    for s in board.measures:
        rows.append(_share_row("responders by measure", s))
    for s in board.response_time:
        rows.append(_share_row("time to response", s))
    rows.append(_share_row("adherence", board.adherence))
    rows.append(_share_row("red-flag referrals", board.red_flags))
    adverse = board.adverse
    rows.append(["adverse events per 100 sessions", "all", WITHHELD if adverse["withheld"]
                 else adverse.get("per_100", ""), adverse["sessions"] if not adverse["withheld"]
                 else WITHHELD] + [""] * (len(CSV_HEADER) - 4))  # fmt: skip
    for title, groups in board.breakdowns.items():
        rows.extend(_group_row(f"responders by {title.lower()}", g) for g in groups)
    return rows


@staff_required
def dashboard_csv(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(f"error: {errors}\n", status=400, content_type="text/plain")
    f = form.filters()
    board = _build(request, form)
    buffer = io.StringIO()
    buffer.write(f"# {DISCLAIMER} Groups of fewer than 5 patients are withheld. "
                 f"Period {f.start} to {f.end}.\n")  # fmt: skip
    csv.writer(buffer).writerows(safe_row(r) for r in csv_rows(board))
    record(request, "export", None, detail=f"outcomes CSV {f.start} to {f.end}")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="outcomes-{f.start}-{f.end}.csv"'
    return response


@require_POST
@lead_required
def refresh(request: HttpRequest) -> HttpResponse:
    """Queue fresh figures for the clinic now, instead of waiting for the nightly run."""
    enqueue(refresh_outcomes, request.user.clinic_id)  # type: ignore[union-attr]
    messages.success(request, "The figures are being updated in the background; reload the "
                              "page in a minute.")  # fmt: skip
    return redirect("outcomes:dashboard")
