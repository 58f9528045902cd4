"""A clinician in real Chromium: sign in, add a patient, walk the intake, see the plan."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from backpath.engine import assess_and_plan
from backpath.web.accounts.models import User
from backpath.web.patients.models import Patient
from backpath.web.plans.models import PlanVersion
from tests.browser.actions import add_patient, complete_intake, sign_in
from tests.browser.conftest import TIMEOUT_MS, shot
from tests.web.builders import NO_FLAGS_FORM


def test_a_clinician_signs_in_adds_a_patient_completes_the_intake_and_sees_the_plan(
    page: Any, clinician: User
) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/"))
    shot(page, "login")
    sign_in(page, "clinician")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Worklist of Harbour Back Clinic")
    add_patient(page, "Lena", "Ortiz", 1980, "female")
    complete_intake(page, screenshots=True)
    shot(page, "plan")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lena Ortiz")
    version = PlanVersion.objects.get(episode__patient__family_name="Ortiz")
    assert version.plan["triage"]["disposition"] == "proceed"
    main = page.locator("main")
    for item in version.plan["recommended"]:
        expect(main).to_contain_text(item["name"])
    expect(page.locator("footer")).to_contain_text("does not replace")

    # Edit: drop a line-2 item with a recorded reason, then publish the new version.
    item = next(r for r in version.plan["recommended"] if r["line"] == 2)
    tid = item["treatment"]
    page.locator(f"#item-{tid} > summary").click()
    page.get_by_role("link", name=f"Accept or drop {item['name']}", exact=True).click()
    expect(page.locator(f"#accept-{tid}-reason")).to_be_focused()  # htmx bound the forms
    expect(page.locator(".htmx-settling, .htmx-request")).to_have_count(0)
    page.locator(f"#drop-{tid}-why").select_option("preference")
    page.locator(f"#drop-{tid}-reason").fill("Declined: cannot attend weekly sessions")
    page.get_by_role("button", name=f"Drop {item['name']}", exact=True).click()
    expect(page.locator(".draft-state")).to_contain_text("v2 · Working draft", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Publish version 2 to the patient").click()
    latest = PlanVersion.objects.filter(episode=version.episode).order_by("-number").first()
    assert latest is not None and latest.number == 2
    page.get_by_text("The patient's preference", exact=False).first.click()
    expect(page.locator("main")).to_contain_text("Clinician: Declined")
    latest.refresh_from_db()
    assert latest.status == "published"
    dropped = next(n for n in latest.plan["not_recommended"] if n["treatment"] == tid)
    assert dropped["reason"] == "preference" and "Declined" in dropped["why"]
    shot(page, "plan-published")


def test_a_red_flag_intake_shows_the_emergency_banner_and_no_plan(
    page: Any, clinician: User
) -> None:
    sign_in(page, "clinician")
    add_patient(page, "Ruth", "Barker", 1977, "female")
    complete_intake(page, red_flags=["saddle_anaesthesia", "bladder_dysfunction"])
    shot(page, "plan-emergency")
    expect(page.get_by_role("alert")).to_contain_text("Emergency")
    version = PlanVersion.objects.get(episode__patient__family_name="Barker")
    assert version.plan["triage"]["disposition"] == "emergency"
    assert version.plan["recommended"] == []
    would_be = assess_and_plan(_flag_free_intake(version))
    text = page.locator("main").inner_text()
    assert [r["name"] for r in would_be.to_json_dict()["recommended"] if r["name"] in text] == []


def _flag_free_intake(version: PlanVersion) -> dict[str, Any]:
    """The same intake with every red flag answered no: what a plan would have offered."""
    data = dict(version.episode.intake.data)
    red_flags = {k: v == "yes" for k, v in NO_FLAGS_FORM.items()}
    return {"schema": "backpath.intake/1", **data, "red_flags": red_flags}


def test_a_clinician_of_another_clinic_gets_nothing(
    page: Any, outsider: User, patient: Patient
) -> None:
    episode = patient.episodes.get()
    sign_in(page, "outsider")
    for path in (f"/patients/{patient.pk}/", f"/patients/episodes/{episode.pk}/intake/pain/",
                 f"/plans/episode/{episode.pk}/"):  # fmt: skip
        response = page.goto(path)
        assert response is not None and response.status == 404, path
        expect(page.locator("body")).not_to_contain_text("Byrne")
    shot(page, "other-clinic-not-found")
    page.goto("/patients/")
    expect(page.locator("main")).not_to_contain_text("Byrne")
