"""The lead's outcome dashboard in Chromium: reached from the menu, filtered, and downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backpath import DISCLAIMER
from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import DEMO_PASSWORD
from tests.browser.actions import sign_in
from tests.browser.axe import describe, violations
from tests.browser.conftest import shot


def test_the_lead_reads_filters_and_downloads_the_outcomes(page: Any) -> None:
    build_demo()
    sign_in(page, "lead", DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Outcomes").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Outcomes of")
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 5
    label = charts.first.get_attribute("aria-label") or ""
    assert "same data is in the table" in label
    assert page.get_by_text("in line with case mix").count() >= 1
    assert DISCLAIMER in page.locator("footer").inner_text()
    shot(page, "outcomes-lead")
    assert (problems := violations(page)) == [], describe(problems)

    page.locator("#id_phase").select_option("chronic")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert "phase=chronic" in page.url
    assert page.get_by_role("row", name="Acute (< 4 weeks)").count() == 0
    assert page.get_by_role("row", name="Chronic (> 12 weeks)").count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith(f"# {DISCLAIMER}") and "responders by phase,Chronic" in text
    assert "responders by phase,Acute" not in text

    page.locator("#id_start").fill("2026-05-01")
    page.locator("#id_end").fill("2026-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").click()
    assert page.get_by_role("alert").first.inner_text().startswith("The end of the period")
    assert page.locator("svg[role=img]").count() == 0
