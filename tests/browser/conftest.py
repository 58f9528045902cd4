"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright against
pytest-django's live server, with the personas of tests/web built in code.

To add a page or a journey: take the ``page`` fixture, ``sign_in`` (tests.browser.actions),
``page.goto(url(...))``, then ``shot(page, name)`` and ``assert_accessible(page)``
(tests.browser.axe). Screenshots land in artifacts/screenshots/ (not committed).

Without Chromium the tests are skipped, unless BACKPATH_REQUIRE_BROWSER=1 (``make test``
sets it) turns the skip into a failure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.web.conftest import clinic, clinician, lead, other_clinic, outsider, patient

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to
# build data are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

CHROMIUM = Path(os.environ.get("BACKPATH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
BROWSER_TESTS = Path(__file__).resolve().parent
TIMEOUT_MS = 15_000

__all__ = ["clinic", "clinician", "lead", "other_clinic", "outsider", "patient"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every browser test shares data with the live server, so it needs committed rows."""
    for item in items:
        if BROWSER_TESTS in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.django_db(transaction=True))
            item.add_marker(pytest.mark.browser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: runs in real Chromium (tests/browser)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found; `make test` installs Chromium"
        if os.environ.get("BACKPATH_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the live server; a failing test leaves a
    screenshot named after it."""
    context = browser.new_context(**context_options(live_server))
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        shot(tab, "failed-" + re.sub(r"[^\w.-]+", "_", request.node.name))
    context.close()


def context_options(live_server: Any) -> dict[str, Any]:
    """A browser context on the live server. ``bypass_csp`` lets the tests inject axe-core
    (an inline script the pages' Content-Security-Policy rightly blocks);
    ``test_content_security_policy`` checks the policy in a context without it."""
    return {"base_url": live_server.url, "viewport": {"width": 1280, "height": 900},
            "bypass_csp": True}  # fmt: skip


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
    return report


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
