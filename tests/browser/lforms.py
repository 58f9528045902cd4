"""LHC-Forms (npm ``lforms``, pinned in package.json) in a page of its own, so the browser
tests can render BackPath's FHIR Questionnaires in a real third-party form filler.

The page and the lforms build are served by Playwright routes from node_modules: no
network and no Django server. ``open_lforms`` loads it and records console and page errors;
``render`` shows one Questionnaire; ``response`` reads back the QuestionnaireResponse.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

LFORMS_DIST = Path(__file__).resolve().parent / "node_modules" / "lforms" / "dist" / "lforms"
FHIR_VERSION = "R4"
"""BackPath serves FHIR R4 (4.0.1); lforms ships a support script per version."""
ORIGIN = "http://lforms.test"
SCRIPTS = (
    "webcomponent/assets/lib/zone.min.js",
    "webcomponent/runtime.js",
    "webcomponent/polyfills.js",
    "webcomponent/main.js",
    f"fhir/{FHIR_VERSION}/lformsFHIR.min.js",
)
# No transitions, so a screenshot shows a radio button as soon as it is chosen. The web
# component's bundles are ES modules (deferred); the FHIR support script needs
# LForms, so it is deferred too and runs after them, in document order.
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>BackPath in LHC-Forms</title>
<link rel="stylesheet" href="webcomponent/styles.css">
<style>*, *::before, *::after {{ transition: none !important; animation: none !important; }}</style>
<script src="webcomponent/assets/lib/zone.min.js"></script>
<script src="webcomponent/runtime.js" type="module"></script>
<script src="webcomponent/polyfills.js" type="module"></script>
<script src="webcomponent/main.js" type="module"></script>
<script src="fhir/{version}/lformsFHIR.min.js" defer></script>
</head><body><main><div id="form"></div></main></body></html>
"""


def missing_files() -> list[str]:
    """lforms files the page needs that are not installed (``npm ci`` in tests/browser)."""
    return [name for name in SCRIPTS if not (LFORMS_DIST / name).is_file()]


def _serve(route: Any) -> None:
    path = route.request.url.removeprefix(ORIGIN + "/").split("?")[0]
    if path in ("", "index.html"):
        route.fulfill(body=_PAGE.format(version=FHIR_VERSION), content_type="text/html")
        return
    file = (LFORMS_DIST / path).resolve()
    if LFORMS_DIST not in file.parents or not file.is_file():
        route.fulfill(status=404, body="not found")
        return
    kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    route.fulfill(body=file.read_bytes(), content_type=kind)


def open_lforms(page: Any) -> list[str]:
    """Load the LHC-Forms page; returns the list that collects console and page errors."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(f"{ORIGIN}/index.html")
    page.wait_for_function("() => window.LForms && LForms.Util && LForms.FHIR")
    return errors


def render(page: Any, questionnaire: dict[str, Any]) -> None:
    """Show ``questionnaire`` (FHIR JSON) in the page's form, waiting until it is ready."""
    page.evaluate(
        """async ([questionnaire, version]) => {
            await LForms.Util.addFormToPage(
                questionnaire, document.getElementById("form"), {fhirVersion: version});
        }""",
        [questionnaire, FHIR_VERSION],
    )


def response(page: Any) -> dict[str, Any]:
    """The QuestionnaireResponse LHC-Forms builds from what was entered in the form."""
    result: dict[str, Any] = page.evaluate(
        """(version) => LForms.Util.getFormFHIRData(
            "QuestionnaireResponse", version, document.getElementById("form"))""",
        FHIR_VERSION,
    )
    return result


def choose(page: Any, question: str, answer: str) -> None:
    """Pick ``answer`` among the radio buttons of ``question``, as a person would.

    LHC-Forms' radios (ng-zorro) show the choice with a class on the label and leave the
    input's ``checked`` unset, so the label is what is checked here.
    """
    group = page.get_by_role("radiogroup", name=question)
    radio = page.get_by_role("radio", name=answer, exact=True)
    group.locator(radio).click()
    chosen = group.locator("label").filter(has=radio)
    expect(chosen).to_have_class(re.compile(r"\bant-radio-wrapper-checked\b"))
