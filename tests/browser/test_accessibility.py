"""The main pages, filled with the demo clinic, have no serious or critical axe-core
violations; each is saved as a screenshot (artifacts/screenshots/demo-<page>.png)."""

from __future__ import annotations

from typing import Any

from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import DEMO_PASSWORD
from backpath.web.patients.intake_forms import STEP_IDS
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in
from tests.browser.axe import describe, violations
from tests.browser.conftest import shot

# Staff pages as (name, path); {chronic}, {emergency} and {urgent} are demo episode ids and
# {chronic_patient} the chronic case's patient id. Add a page by adding a line.
STAFF_PAGES: list[tuple[str, str]] = [
    ("patient-list", "/patients/"),
    ("add-patient", "/patients/new/"),
    ("patient-detail", "/patients/{chronic_patient}/"),
    *[(f"intake-{step}", f"/patients/episodes/{{chronic}}/intake/{step}/") for step in STEP_IDS],
    ("intake-review", "/patients/episodes/{chronic}/intake/review/"),
    ("plan", "/plans/episode/{chronic}/"),
    ("plan-emergency", "/plans/episode/{emergency}/"),
    ("plan-urgent", "/plans/episode/{urgent}/"),
    ("plan-history", "/plans/episode/{chronic}/history/"),
    ("plan-evidence", "/plans/episode/{chronic}/evidence/"),
    ("plan-program", "/plans/episode/{chronic}/program/"),
    ("plan-print", "/plans/episode/{chronic}/v1/print/"),
    ("review", "/plans/episode/{chronic}/review/"),
    ("requests", "/requests/"),
    ("claims", "/plans/reference/claims/"),
    ("api-tokens", "/tokens/"),
    ("two-factor", "/mfa/"),
    ("two-factor-setup", "/mfa/setup/"),
    ("outcomes-own", "/outcomes/"),
]
LEAD_PAGES: list[tuple[str, str]] = [
    ("staff", "/staff/"),
    ("ehrs", "/ehrs/"),
    ("ehr-feedback", "/ehrs/feedback/"),
    ("audit", "/audit/"),
    ("outcomes", "/outcomes/"),
    ("outcomes-with-errors", "/outcomes/?start=2026-05-01&end=2026-01-01"),
]
PATIENT_PAGES: list[tuple[str, str]] = [
    ("today", "/me/today/"),
    ("my-plan", "/me/plan/"),
    ("diary", "/me/diary/"),
    *[
        (f"diary-{kind}", f"/me/diary/?add={kind}")
        for kind in ("nrs", "peg", "odi", "rmdq", "session", "adverse_event")
    ],
    ("progress", "/me/progress/"),
    ("reminders", "/me/reminders/"),
]
PUBLIC_PAGES: list[tuple[str, str]] = [
    ("self-check", "/check/{clinic}/"),
    ("password-reset", "/password/reset/"),
    ("password-reset-sent", "/password/reset/sent/"),
]


def demo_ids() -> dict[str, int]:
    build_demo()
    episode = {p.family_name: p.episodes.get()
               for p in Patient.objects.filter(episodes__closed__isnull=True)}  # fmt: skip
    return {"chronic": episode["Morris"].pk, "chronic_patient": episode["Morris"].patient_id,
            "emergency": episode["Barker"].pk, "urgent": episode["Bell"].pk,
            "clinic": episode["Morris"].patient.clinic_id}  # fmt: skip


def test_the_main_pages_have_no_serious_or_critical_accessibility_violations(page: Any) -> None:
    ids = demo_ids()
    found: dict[str, str] = {}

    def check(name: str) -> None:
        shot(page, f"demo-{name}")
        if problems := violations(page):
            found[name] = describe(problems)

    for name, path in PUBLIC_PAGES:
        page.goto(path.format(**ids))
        check(name)
    page.goto("/login/")
    check("login")
    sign_in(page, "patient", DEMO_PASSWORD)
    for name, path in PATIENT_PAGES:
        response = page.goto(path)
        assert response is not None and response.status == 200, (name, response)
        check(name)
    page.context.clear_cookies()
    page.goto("/login/")
    sign_in(page, "clinician", DEMO_PASSWORD)
    for name, path in STAFF_PAGES:
        response = page.goto(path.format(**ids))
        assert response is not None and response.status == 200, (name, response)
        check(name)
    page.goto("/patients/")
    page.get_by_label("Search by name").fill("Morris")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "Morris" not in page.url  # searched by POST: no name in an address
    check("patient-search")
    page.context.clear_cookies()
    page.goto("/login/")
    sign_in(page, "lead", DEMO_PASSWORD)
    for name, path in LEAD_PAGES:
        response = page.goto(path)
        expected = 400 if name.endswith("with-errors") else 200
        assert response is not None and response.status == expected, (name, response)
        check(name)
    page.goto(f"/patients/episodes/{ids['chronic']}/intake/pain/")
    page.locator("#id_nrs_now").fill("14")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_load_state()
    check("intake-pain-with-errors")
    assert found == {}, "\n".join(f"{name}:\n{text}" for name, text in found.items())


def test_the_axe_check_reports_an_unlabelled_input(page: Any) -> None:
    page.set_content("<html><body><main><input type='text'></main></body></html>")
    assert "label" in {v["id"] for v in violations(page)}
