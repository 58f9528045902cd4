"""A SMART browser app on its own origin calls the FHIR API from real Chromium: a listed
origin reads with a bearer token (preflight, ETag, 304); an origin not listed, or a call
that tries to ride on the signed-in session's cookie, is blocked by the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from backpath.web.accounts.models import User
from backpath.web.api.models import ApiToken
from backpath.web.patients.models import Patient
from tests.browser.actions import sign_in

APP_PAGE = b"<!doctype html><html lang='en'><title>SMART app</title><h1>App</h1></html>"

FETCH = """async ([url, options]) => {
  try {
    const response = await fetch(url, options);
    const text = await response.text();
    return {status: response.status, etag: response.headers.get("ETag"),
            modified: response.headers.get("Last-Modified"), body: text};
  } catch (error) {
    return {blocked: String(error)};
  }
}"""


class AppPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(APP_PAGE)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def app_origin() -> Iterator[str]:
    """A loopback server for the app's page: its own origin, as a SMART app has."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), AppPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fhir_base(live_server: Any) -> str:
    """The server under another host name than the app's page, so every call is cross-origin."""
    return str(live_server.url).replace("127.0.0.1", "localhost") + "/fhir"


def call(page: Any, url: str, **options: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(FETCH, [url, options])
    return result


def test_a_listed_app_reads_with_a_bearer_token(
    browser: Any,
    live_server: Any,
    app_origin: str,
    settings: Any,
    clinician: User,
    patient: Patient,
) -> None:
    settings.BACKPATH_FHIR_CORS_ORIGINS = (app_origin,)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    _, key = ApiToken.issue(clinician, "smart app")
    context = browser.new_context()
    page = context.new_page()
    page.goto(app_origin + "/")
    url = f"{fhir_base(live_server)}/Patient/{patient.pk}"
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/fhir+json"}
    first = call(page, url, headers=headers)
    assert first["status"] == 200, first
    assert '"resourceType":"Patient"' in first["body"].replace(" ", "")
    assert first["etag"] and first["etag"].startswith('W/"') and first["modified"]
    again = call(page, url, headers={**headers, "If-None-Match": first["etag"]})
    assert again["status"] == 304 and again["etag"] == first["etag"]
    refused = call(page, url)  # no token: the 401 OperationOutcome reaches the app
    assert refused["status"] == 401 and "OperationOutcome" in refused["body"]
    context.close()


def test_an_origin_not_listed_is_blocked(
    browser: Any, live_server: Any, app_origin: str, settings: Any, clinician: User
) -> None:
    settings.BACKPATH_FHIR_CORS_ORIGINS = ("https://another-app.example",)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    _, key = ApiToken.issue(clinician, "smart app")
    context = browser.new_context()
    page = context.new_page()
    page.goto(app_origin + "/")
    found = call(page, f"{fhir_base(live_server)}/metadata")
    assert "blocked" in found, found
    with_token = call(page, f"{fhir_base(live_server)}/Patient/1",
                      headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert "blocked" in with_token, with_token
    context.close()


def test_the_session_cookie_never_crosses_origins(
    browser: Any,
    live_server: Any,
    app_origin: str,
    settings: Any,
    clinician: User,
    patient: Patient,
) -> None:
    """Even a listed app cannot read with the clinician's signed-in session."""
    settings.BACKPATH_FHIR_CORS_ORIGINS = (app_origin,)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.BACKPATH_STAFF_MFA = False
    context = browser.new_context(base_url=fhir_base(live_server).removesuffix("/fhir"))
    page = context.new_page()
    sign_in(page, "clinician")
    own = page.request.get(f"/fhir/Patient/{patient.pk}")
    assert own.status == 200  # the session works on BackPath's own origin
    page.goto(app_origin + "/")
    found = call(page, f"{fhir_base(live_server)}/Patient/{patient.pk}", credentials="include")
    assert "blocked" in found, found
    context.close()
