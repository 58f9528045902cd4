"""The clinic lead's audit trail: who read or changed which record, when, from where; filtered,
paginated in the database, and exported as CSV.

The filters are posted and kept in the session (a patient's name must not travel in an
address, where every proxy's access log would keep it); the page number is in the address.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render

from backpath import DISCLAIMER
from backpath.reports.spreadsheet import safe_row
from backpath.web.accounts.access import lead_required
from backpath.web.audit.filters import ACTIONS, AuditFilterForm, AuditFilters, describe, events
from backpath.web.audit.record import record

SESSION_KEY = "audit_filters"
PAGE_SIZE = 50
CSV_HEADER = ["when (UTC)", "user", "action", "what", "patient id", "clinic number", "from",
              "request", "detail"]  # fmt: skip


@lead_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if "clear" in request.POST:
            request.session.pop(SESSION_KEY, None)
            return redirect("audit:log")
        form = AuditFilterForm(request.POST)
        if not form.is_valid():
            return render(request, "audit/log.html", {"form": form, "actions": ACTIONS},
                          status=400)  # fmt: skip
        request.session[SESSION_KEY] = AuditFilters(**form.cleaned_data).to_session()
        return redirect("audit:log")
    filters = AuditFilters.from_session(request.session.get(SESSION_KEY))
    rows = events(request.user.clinic_id, filters)  # type: ignore[union-attr]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {
        "form": AuditFilterForm(initial=filters.to_session()), "filters": filters, "page": page,
        "described": [(e, describe(e), ACTIONS.get(e.action, e.action)) for e in page],
    })  # fmt: skip


def _lines(rows: Any) -> Iterator[str]:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    yield f"# {DISCLAIMER}\n"
    yield writer.writerow(CSV_HEADER)
    for e in rows.iterator(chunk_size=2000):
        patient = e.patient
        yield writer.writerow(safe_row([
            e.at.strftime("%Y-%m-%d %H:%M:%S"), e.username, e.action, describe(e),
            e.patient_id or "", patient.clinic_identifier if patient else "", e.ip or "",
            f"{e.method} {e.path}".strip(), e.detail,
        ]))  # fmt: skip


@lead_required
def audit_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered events, every page, as CSV (streamed: an export can be large)."""
    filters = AuditFilters.from_session(request.session.get(SESSION_KEY))
    rows = events(request.user.clinic_id, filters)  # type: ignore[union-attr]
    record(request, "export", None, detail="audit trail CSV" + (" (filtered)" if filters.active
                                                                 else ""))  # fmt: skip
    response = StreamingHttpResponse(_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response
