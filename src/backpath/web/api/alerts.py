"""REST endpoints of the clinic's alerts (clinic staff only; a patient gets 403).

Another clinic's alert answers 404, as one that does not exist. Acknowledging goes through
the same writer as the patient record's button, so it is audited the same way.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from backpath.web.alerts.models import Alert
from backpath.web.alerts.notify import acknowledge
from backpath.web.api.authentication import require_staff
from backpath.web.api.errors import ERRORS
from backpath.web.api.schemas import AlertAcknowledged, AlertList
from backpath.web.audit.record import record

router = Router(tags=["alerts"])
MAX_LISTED = 500


@router.get("/alerts", response={200: AlertList, **ERRORS}, summary="Open alerts of the clinic")
def list_alerts(request: HttpRequest):
    """The open alerts of the caller's clinic, most urgent first, then oldest (up to 500)."""
    alerts = Alert.objects.visible_to(require_staff(request)).open()
    items = list(alerts.select_related("acknowledged_by")[:MAX_LISTED])
    record(request, "read", None, detail=f"API open alerts ({len(items)})")
    return {"count": alerts.count(), "items": items}


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response={200: AlertAcknowledged, **ERRORS},
    summary="Acknowledge an alert",
)
def acknowledge_alert(request: HttpRequest, alert_id: int):
    """Mark the alert as seen by the caller (audited). Acknowledging it again changes nothing
    and answers the same alert."""
    user = require_staff(request)
    alert = get_object_or_404(Alert.objects.visible_to(user), pk=alert_id)
    acknowledge(request, alert)
    return alert
