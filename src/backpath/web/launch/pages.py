"""A refused launch as a page: its status, what happened, what to do, and an audit event
(action ``smart_refused``) with the reason and the technical detail."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from backpath.web.audit.record import record
from backpath.web.launch.models import SmartEhr
from backpath.web.launch.refusals import REASONS, Refused

log = logging.getLogger("backpath.launch")


def refuse(request: HttpRequest, refused: Refused, ehr: SmartEhr | None = None) -> HttpResponse:
    detail = f"{refused.reason}: {refused.detail}" if refused.detail else refused.reason
    if ehr is not None:
        detail = f"{ehr.name}: {detail}"
    record(request, "smart_refused", ehr, detail=detail)
    log.info("SMART launch refused: %s", detail)
    reason = REASONS[refused.reason]
    context = {"reason": reason, "code": refused.reason, "detail": refused.detail, "ehr": ehr}
    return render(request, "launch/refused.html", context, status=reason.status)
