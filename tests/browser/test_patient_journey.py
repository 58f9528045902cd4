"""A patient signs in, reads the published plan, adds diary entries and sees them charted."""

from __future__ import annotations

from typing import Any

from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import DEMO_PASSWORD
from backpath.web.diary.models import DiaryEntry
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in
from tests.browser.conftest import shot


def test_a_patient_reads_the_plan_logs_pain_and_sees_the_chart(page: Any) -> None:
    build_demo()
    helen = Patient.objects.get(family_name="Morris")
    before = DiaryEntry.objects.filter(patient=helen, kind="nrs").count()

    sign_in(page, "patient", DEMO_PASSWORD)
    page.goto("/me/plan/")
    assert page.get_by_role("heading", name="Start now").is_visible()
    assert page.get_by_text("does not replace").first.is_visible()
    shot(page, "patient-plan")

    page.goto("/me/diary/?add=nrs")
    page.locator("#id_nrs-pain").fill("11")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Some answers need attention").wait_for()
    assert page.get_by_text("from 0 to 10").first.is_visible()  # told what is allowed
    assert page.locator("#id_nrs-pain").input_value() == "11"  # and nothing typed was lost
    page.locator("#id_nrs-pain").fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved:").wait_for()
    assert DiaryEntry.objects.filter(patient=helen, kind="nrs").count() == before + 1
    shot(page, "patient-diary")

    page.goto("/me/progress/")
    chart = page.locator("svg[role=img]").first
    assert chart.is_visible()
    table = page.locator("table").first
    assert not table.is_visible()  # collapsed by default, under the chart
    page.get_by_text("The same data as a table").first.click()
    assert table.is_visible()  # the same data, one click away
    shot(page, "patient-progress")


def test_a_patient_cannot_open_clinician_pages(page: Any) -> None:
    build_demo()
    sign_in(page, "patient", DEMO_PASSWORD)
    response = page.goto("/patients/")
    assert response is not None and response.status == 403
