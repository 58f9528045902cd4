"""The progress page charts pain and function as inline SVG and repeats the data as tables."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from backpath.instruments import nrs
from backpath.web import chart_cache
from backpath.web.audit.models import AuditEvent
from backpath.web.patients.models import Patient
from tests.web.builders import (
    add_entry,
    logged_in,
    plan_version,
    plan_without_program,
    second_patient,
)


def test_progress_shows_svg_charts_and_the_same_data_as_tables(patient: Patient) -> None:
    plan_without_program(patient.episodes.get())
    add_entry(patient, "nrs", 14, 6)
    add_entry(patient, "nrs", 7, 5)
    add_entry(patient, "nrs", 0, 3)
    add_entry(patient, "peg", 7, 4.67)
    add_entry(patient, "odi", 0, 24.4)
    page = logged_in(patient.user).get(reverse("care:progress"))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count('<svg role="img" aria-label="') == 3  # pain, PEG and Oswestry: one each
    assert "<title>Pain over time: line chart." in text
    assert "<title>Pain and its effect on life (PEG) over time: line chart." in text
    assert "<caption>Pain over time: 3 days with scores; baseline 6</caption>" in text
    assert '<th scope="col">Pain (NRS 0-10)</th>' in text
    assert "<td>4.67</td>" in text and "<td>24.4</td>" in text
    assert AuditEvent.objects.filter(patient=patient, action="read", detail="progress").exists()


def test_the_minimal_important_change_comes_from_the_instrument_data(patient: Patient) -> None:
    plan_version(patient.episodes.get())  # baseline NRS 6
    mic = nrs.definition().minimal_important_change
    assert mic is not None
    level = 6 - min(mic.points, 6 * (mic.percent or 100) / 100)
    page = logged_in(patient.user).get(reverse("care:progress")).content.decode()
    assert f"Improvement that matters: {level:g} or lower." in page
    assert f"A drop of at least {mic.points:g} points or {mic.percent:g}%" in page


def test_adherence_counts_sessions_attended_against_those_recorded(patient: Patient) -> None:
    plan_version(patient.episodes.get())
    for days_ago, attended in ((14, True), (7, False), (1, True)):
        add_entry(
            patient, "session", days_ago, None, treatment="physical_therapy", attended=attended
        )  # type: ignore[arg-type]
    page = logged_in(patient.user).get(reverse("care:progress")).content.decode()
    row = '<th scope="row">Physical therapy (supervised, individually tailored exercise)</th>'
    assert f"{row}<td>2</td><td>3</td><td>6</td>" in page


def test_progress_shows_no_other_patients_entries(clinic: Any, patient: Patient) -> None:
    other = second_patient(clinic)
    add_entry(other, "nrs", 0, 9)
    add_entry(other, "odi", 0, 88.8)
    page = logged_in(patient.user).get(reverse("care:progress")).content.decode()
    assert "88.8" not in page and "<td>9</td>" not in page
    assert "No scores yet" in page


def test_progress_without_a_plan_still_draws_the_charts(patient: Patient) -> None:
    add_entry(patient, "nrs", 0, 5)
    page = logged_in(patient.user).get(reverse("care:progress")).content.decode()
    assert "<svg" in page and "no starting score to compare with" in page


def test_charts_are_kept_apart_from_the_rate_limit_counters(
    patient: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full database cache drops a third of its rows, whichever they are: the charts, many
    and large, have a cache of their own, so they never push the counters out."""
    drawn: list[int] = []

    def draw(n: int) -> str:
        drawn.append(n)
        return f"<svg>{n}</svg>"

    cache.clear()
    cache.set("counter", 7)
    monkeypatch.setattr(caches["charts"], "_max_entries", 10)
    for n in range(30):
        assert chart_cache.cached_svg(draw, n) == f"<svg>{n}</svg>"
    assert cache.get("counter") == 7
    assert len(drawn) == 30
    assert chart_cache.cached_svg(draw, 29) == "<svg>29</svg>" and len(drawn) == 30
