"""The patient's pages on a phone (390 x 844 in Chromium): a short header, the pages in a bar
at the bottom, and nothing that scrolls sideways, on every patient page.

Saves artifacts/screenshots/phone-<page>.png.
"""

from __future__ import annotations

from typing import Any

from backpath.web.demo.builder import build_demo
from backpath.web.demo.cases import DEMO_PASSWORD
from tests.browser.actions import sign_in
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot

PHONE = {"width": 390, "height": 844}
PAGES = ["/me/today/", "/me/plan/", "/me/diary/", "/me/diary/?add=odi", "/me/progress/",
         "/me/reminders/", "/me/program/"]  # fmt: skip


def test_every_patient_page_fits_a_phone(page: Any) -> None:
    build_demo()
    page.set_viewport_size(PHONE)
    sign_in(page, "patient", DEMO_PASSWORD)
    assert page.url.endswith("/me/today/")  # lands on Today
    for path in PAGES:
        page.goto(path)
        name = path.strip("/").replace("/", "-").replace("?add=", "-")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
        if path != "/me/program/":  # the printable handout has no site header
            header = page.locator("header.top").bounding_box()
            assert header["height"] <= 0.12 * PHONE["height"], (path, header)
            bar = page.locator(".patient-nav").bounding_box()
            assert abs(bar["y"] + bar["height"] - PHONE["height"]) < 2, (path, bar)
            assert page.locator(".patient-nav").get_by_role("link", name="Today").is_visible()
        shot(page, f"phone-{name}")
        assert_accessible(page)
    page.goto("/me/today/")
    page.locator("details.account summary").click()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert_accessible(page)
