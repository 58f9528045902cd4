"""PDFs are rendered by the background worker, once per version, never in a web request: the
first request queues the render and answers a page that reloads itself; the worker renders;
the next request downloads the kept PDF."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from backpath.web.patients.models import Episode, Patient
from backpath.web.plans.models import Printout
from tests.web.builders import logged_in, with_program


def work() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0.01")


def test_the_plan_pdf_is_rendered_once_by_the_worker(
    queue_in_database: Any, episode: Episode, clinician: Any
) -> None:
    staff = logged_in(clinician)
    url = reverse("plans:pdf", args=[episode.pk, 1])
    first = staff.get(url)
    assert first.status_code == 202 and 'http-equiv="refresh"' in first.content.decode()
    assert Printout.objects.get().pdf is None  # nothing rendered in the request
    assert staff.get(url).status_code == 202 and DBTaskResult.objects.count() == 1  # queued once
    work()
    ready = staff.get(url)
    assert ready.status_code == 200 and ready["Content-Type"] == "application/pdf"
    assert ready.content.startswith(b"%PDF") and ready["Cache-Control"] == "private, no-store"
    assert staff.get(url).content == ready.content and DBTaskResult.objects.count() == 1


def test_the_patients_handout_pdf_too(queue_in_database: Any, patient: Patient) -> None:
    with_program(patient.current_episode())  # type: ignore[arg-type]
    client = logged_in(patient.user)
    url = reverse("care:handout_pdf")
    assert client.get(url).status_code == 202
    work()
    ready = client.get(url)
    assert ready.status_code == 200 and ready.content.startswith(b"%PDF")
