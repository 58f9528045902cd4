"""The worklist in Chromium: a patient's red-flag report puts them on top at once."""

from __future__ import annotations

from typing import Any

from backpath.exercises import load_stop_rules
from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import DEMO_PASSWORD
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot


def first_rows(page: Any, n: int) -> list[str]:
    return [page.locator("table.worklist tbody tr").nth(k).locator("th").inner_text()
            for k in range(n)]  # fmt: skip


def test_a_red_flag_report_puts_the_patient_on_top_of_the_worklist(page: Any) -> None:
    build_demo()
    sign_in(page, "clinician", DEMO_PASSWORD)
    page.goto("/patients/")
    before = first_rows(page, 3)
    assert before[0].startswith("Barker, Ruth")  # cauda equina at triage: an emergency
    assert not any(r.startswith("Morris, Helen") for r in before)
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, "patient", DEMO_PASSWORD)
    page.goto("/me/diary/?add=adverse_event")
    sign = " ".join(load_stop_rules()["red_flag_symptoms"].patient_text.split())
    page.get_by_label("What happened?").fill("Numb between the legs since this morning.")
    page.locator("input[name$=serious][value=yes]").check()
    page.get_by_label(sign).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    banner = page.locator(".banner.emergency")
    assert "Your clinic has been told" in banner.inner_text()

    page.context.clear_cookies()
    sign_in(page, "clinician", DEMO_PASSWORD)
    page.goto("/patients/")
    top = page.locator("table.worklist tbody tr").first
    assert top.locator("th").inner_text().startswith("Morris, Helen")
    assert "Emergency" in top.inner_text() and "1 open alert" in top.inner_text()
    shot(page, "worklist-red-flag")
    assert_accessible(page)
