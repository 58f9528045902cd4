"""PDFs rendered in the background, once per version and kind, never inside a web request.

``ready_or_queue`` answers a page: the PDF when it is ready, else None after making sure one
render is queued (the first request queues it; a render left waiting longer than ``STALE`` —
its worker was killed — is queued again). The renderers are registered by the apps that own
the printouts (``register``), so this module imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from backpath.web.outbox.queueing import enqueue
from backpath.web.plans.models import PlanVersion, Printout

STALE = dt.timedelta(minutes=5)
_renderers: dict[str, Callable[[PlanVersion], bytes]] = {}


def register(kind: str, renderer: Callable[[PlanVersion], bytes]) -> None:
    _renderers[kind] = renderer


def ready_or_queue(version: PlanVersion, kind: str) -> bytes | None:
    printout = Printout.objects.filter(version=version, kind=kind).first()
    if printout is not None and printout.pdf is not None:
        return bytes(printout.pdf)
    if printout is None:
        try:
            with transaction.atomic():
                printout = Printout.objects.create(version=version, kind=kind)
        except IntegrityError:  # another request queued it at the same moment
            return None
    elif timezone.now() - printout.queued < STALE:
        return None
    else:
        Printout.objects.filter(pk=printout.pk).update(queued=timezone.now())
    enqueue(render, printout.pk)
    printout.refresh_from_db()  # an immediate backend (the tests) has rendered it already
    return bytes(printout.pdf) if printout.pdf is not None else None


@task()
def render(printout_id: int) -> str:
    printout = Printout.objects.select_related("version").filter(pk=printout_id).first()
    if printout is None or printout.pdf is not None:
        return "nothing to do"
    pdf = _renderers[printout.kind](printout.version)
    Printout.objects.filter(pk=printout.pk, pdf__isnull=True).update(
        pdf=pdf, rendered=timezone.now()
    )
    return f"{len(pdf)} bytes"
