"""In Chromium, at desktop (1280x900) and phone (390x844) sizes: the public self-check posts
and redirects (a reload never sends twice), shows errors at the form with a linked summary,
offers the request near the top and after the options, and gives the clinic's phone number
on the emergency and urgent pages with each action said once. Each page passes axe-core and
is saved as artifacts/screenshots/selfcheck-<page>-<size>.png."""

from __future__ import annotations

import re
from typing import Any

import pytest

from backpath.web.accounts.models import Clinic
from backpath.web.selfcheck.forms import MIN_SECONDS
from backpath.web.selfcheck.models import ConsultationRequest
from tests.browser.axe import assert_accessible
from tests.browser.conftest import shot

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PHONE_NUMBER = "020 7946 0123"


def check(page: Any, name: str, size: str) -> None:
    assert_accessible(page)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= SIZES[size]["width"]
    shot(page, f"selfcheck-{name}-{size}")


def submit(page: Any, button: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


@pytest.mark.parametrize("size", SIZES)
def test_a_visitor_gets_options_and_sends_one_request(page: Any, clinic: Clinic, size: str) -> None:
    page.set_viewport_size(SIZES[size])
    page.goto(f"/check/{clinic.pk}/")
    check(page, "start", size)
    submit(page, "Continue")  # nothing answered
    summary = page.locator(".error-summary")
    assert summary.is_visible() and summary.get_by_role("link").count() == 15
    check(page, "start-errors", size)
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#id_saddle_anaesthesia_error")

    page.get_by_role("checkbox", name="None of these").check()
    submit(page, "Continue")
    assert page.url.endswith(f"/check/{clinic.pk}/basics/")
    page.get_by_label("Your age").fill("9")
    page.get_by_label("How many weeks ago").fill("20")
    page.get_by_label("How bad is the pain right now").fill("6")
    submit(page, "See my options")
    assert (
        "Your age: Enter a whole number from 16 to 120."
        in page.locator(".error-summary").inner_text()
    )
    assert page.get_by_label("How bad is the pain right now").input_value() == "6"  # kept
    check(page, "basics-errors", size)
    page.get_by_label("Your age").fill("44")
    submit(page, "See my options")
    assert page.url.endswith(f"/check/{clinic.pk}/options/")

    top = page.get_by_role("link", name=f"Ask {clinic} for a consultation")
    first_option = page.locator("section.item").first.bounding_box()
    assert top.bounding_box()["y"] < first_option["y"]  # the call to action comes first
    last_option = page.locator("section.item").last.bounding_box()
    form_heading = page.get_by_role("heading", name=f"Ask {clinic} for a consultation")
    assert form_heading.bounding_box()["y"] > last_option["y"]  # and again after the options
    check(page, "options", size)
    page.reload()  # a GET: no "resend the form?" and nothing stored
    assert page.url.endswith("/options/") and ConsultationRequest.objects.count() == 0

    page.get_by_label("Your name").fill("Sam Rivera")
    page.get_by_label("I agree").check()
    page.wait_for_timeout(MIN_SECONDS * 1000 + 200)  # a person takes a few seconds
    submit(page, "Send my request")
    assert page.url.endswith("/request/#request")
    assert (
        "Email: Give an email address or a phone number"
        in page.locator(".error-summary").inner_text()
    )
    assert page.get_by_label("Your name").input_value() == "Sam Rivera"
    check(page, "request-errors", size)
    page.get_by_label("Email").fill("sam@example.org")
    page.get_by_label("I agree").check()
    submit(page, "Send my request")
    assert f"/check/{clinic.pk}/sent/" in page.url  # (the #request fragment carries over)
    assert page.get_by_role("heading", name="Thank you").is_visible()
    check(page, "thanks", size)
    page.reload()  # the thank-you page is a GET: reloading it sends nothing again
    assert page.get_by_role("heading", name="Thank you").is_visible()
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("kind", "flags", "heading"), [
    ("emergency", ("saddle_anaesthesia", "bladder_dysfunction"), "Get emergency help now"),
    ("urgent", ("major_trauma",), "See a doctor urgently"),
])  # fmt: skip
def test_the_act_now_pages_give_the_clinics_number_and_each_action_once(
    page: Any, clinic: Clinic, size: str, kind: str, flags: tuple[str, ...], heading: str
) -> None:
    Clinic.objects.filter(pk=clinic.pk).update(phone=PHONE_NUMBER)
    page.set_viewport_size(SIZES[size])
    page.goto(f"/check/{clinic.pk}/")
    for radio in page.locator("input[type=radio][value=no]").all():
        radio.check()
    for flag in flags:
        page.locator(f"input[name={flag}][value=yes]").check()
    submit(page, "Continue")
    assert page.url.endswith(f"/check/{clinic.pk}/help-now/")
    banner = page.locator(".banner")
    assert banner.get_by_role("heading", name=heading).is_visible()
    phone = banner.get_by_role("link", name=PHONE_NUMBER)
    assert phone.get_attribute("href") == f"tel:{PHONE_NUMBER}"
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+", banner.inner_text()) if s.strip()]
    assert len(sentences) == len(set(sentences)), sentences
    check(page, kind, size)
    page.reload()
    assert page.url.endswith("/help-now/") and banner.is_visible()
