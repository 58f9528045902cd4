"""A mock EHR for the SMART launch tests, on loopback in a thread: an OAuth 2.0 authorization
server (authorization code with PKCE S256, a confidential client authenticated with HTTP
Basic), ``/.well-known/smart-configuration``, a JWKS and ``Patient/{id}`` on its FHIR base,
and the EHR's own "open in the app" link that starts a launch.

It checks what a real EHR checks, so the tests fail when BackPath gets the protocol wrong: the
client id, the registered redirect URI (exactly), ``aud`` (its FHIR base), the launch id, the
``state`` being sent and echoed, the S256 code challenge against the verifier, the client
secret, a code used once and only with its own redirect URI, and a bearer token that reads only
its own patient. Tests change ``config``, ``token_extra``, ``patient_status`` or ``canned``
to play a broken or hostile EHR. Test code only: no Django, shared by the web and browser tests.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "backpath-test-client"
CLIENT_SECRET = "mock-ehr-secret-7c1e0f"
MRN_SYSTEM = "urn:oid:2.16.840.1.113883.19.5.99"
"""The mock EHR's record-number system (an OID under HL7's example root)."""
LABELS = {MRN_SYSTEM: "Medical record number"}
"""How the mock types its identifiers (any other is a "Member" number)."""


@dataclass
class Grant:
    """One authorization: what the code was issued for."""

    patient: str
    redirect_uri: str
    challenge: str
    scope: str
    issued: float = field(default_factory=time.time)


@dataclass
class Pending:
    """An authorization request waiting for the user's click."""

    query: dict[str, str]
    patient: str


class MockEhr:
    """Start with ``running(...)``; ``launch_link(patient)`` is the EHR's button for the app."""

    def __init__(self, app_launch_url: str, redirect_uri: str, *, auto_approve: bool = True):
        self.app_launch_url = app_launch_url
        self.redirect_uri = redirect_uri
        self.auto_approve = auto_approve
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.ehr = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.fhir = f"{self.base}/fhir"
        self.issuer = f"{self.base}/auth"
        self.key = RSAKey.generate_key(2048, parameters={"kid": "mock-ehr-1", "use": "sig"})
        self.patients: dict[str, dict[str, Any]] = {}
        self.launches: dict[str, str] = {}
        self.pending: dict[str, Pending] = {}
        self.codes: dict[str, Grant] = {}
        self.tokens: dict[str, str] = {}
        self.config: dict[str, Any] = self.smart_configuration()
        self.token_extra: dict[str, Any] = {}
        self.patient_status: int | None = None
        self.canned: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        """Path -> (status, body, headers): an answer that replaces the route's own."""
        self.seen: list[tuple[str, str]] = []
        self.token_requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()

    # --- what the tests set up -----------------------------------------------------------

    def smart_configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}/jwks",
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "grant_types_supported": ["authorization_code"],
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "fhirUser", "launch", "patient/*.read"],
            "code_challenge_methods_supported": ["S256"],
            "capabilities": ["launch-ehr", "client-confidential-symmetric", "sso-openid-connect",
                             "context-ehr-patient"],
        }  # fmt: skip

    def add_patient(
        self, pid: str, given: str, family: str, birth_date: str, gender: str,
        identifiers: list[tuple[str, str]],
    ) -> dict[str, Any]:  # fmt: skip
        resource = {
            "resourceType": "Patient", "id": pid,
            "meta": {"versionId": "3", "lastUpdated": "2026-01-05T10:00:00Z"},
            "identifier": [{"system": s, "value": v, "type": {"text": LABELS.get(s, "Member")}}
                           for s, v in identifiers],
            "name": [{"use": "official", "family": family, "given": given.split()}],
            "gender": gender, "birthDate": birth_date,
            "extension": [{"url": "http://ehr.example/unknown-to-backpath", "valueString": "x"}],
        }  # fmt: skip
        self.patients[pid] = resource
        return resource

    def launch_link(self, pid: str) -> str:
        """The EHR's "open in BackPath" button: a one-time launch id bound to the patient."""
        return f"{self.base}/ehr/open/{pid}"

    def new_launch(self, pid: str, app_url: str | None = None) -> str:
        """A launch id for ``pid``, and the app's launch URL the EHR would open: the one
        registered, or ``app_url`` (the ``url`` of a CDS card's ``smart`` link)."""
        launch = secrets.token_urlsafe(12)
        with self.lock:
            self.launches[launch] = pid
        url = app_url or self.app_launch_url
        return f"{url}?{urlencode({'iss': self.fhir, 'launch': launch})}"

    def cds_jwt(self, aud: str, **changes: Any) -> str:
        """The JWT the EHR's CDS client signs for one call of ``aud`` (RS384, with the key its
        JWKS publishes; ``iss`` is its authorization server)."""
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": CLIENT_ID, "aud": aud, "iat": now, "exp": now + 60,
                  "jti": secrets.token_urlsafe(16), **changes}  # fmt: skip
        header = {"alg": "RS384", "typ": "JWT", "kid": self.key.kid, "jku": f"{self.issuer}/jwks"}
        return jwt.encode(header, claims, self.key, algorithms=["RS384"])

    def id_token(self, **changes: Any) -> str:
        now = int(time.time())
        user = f"{self.fhir}/Practitioner/dr-lee"
        claims = {"iss": self.issuer, "sub": "dr-lee", "aud": CLIENT_ID, "iat": now,
                  "exp": now + 300, "fhirUser": user, **changes}  # fmt: skip
        return jwt.encode({"alg": "RS256", "kid": "mock-ehr-1"}, claims, self.key)

    # --- the server --------------------------------------------------------------------

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def running(app_launch_url: str, redirect_uri: str, **options: Any) -> Iterator[MockEhr]:
    ehr = MockEhr(app_launch_url, redirect_uri, **options)
    ehr.start()
    try:
        yield ehr
    finally:
        ehr.stop()


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    @property
    def ehr(self) -> MockEhr:
        return self.server.ehr  # type: ignore[attr-defined, no-any-return]

    def log_message(self, *args: Any) -> None:
        pass

    # --- answers -------------------------------------------------------------------------

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: Any, content_type: str = "application/json") -> None:
        self._send(status, json.dumps(data).encode(), content_type)

    def _redirect(self, url: str) -> None:
        self._send(302, b"", "text/plain", Location=url)

    def _page(self, status: int, title: str, body: str) -> None:
        head = f"<head><meta charset='utf-8'><title>{title}</title></head>"
        page = f"<!doctype html><html lang='en'>{head}<body><main><h1>{title}</h1>{body}</main>"
        page += "</body></html>"
        self._send(status, page.encode(), "text/html; charset=utf-8")

    def _refuse(self, why: str) -> None:
        """An authorization request the EHR cannot trust (no redirect: it may be the bad part)."""
        self._page(400, "Authorization refused", f"<p>{html.escape(why)}</p>")

    # --- routes --------------------------------------------------------------------------

    def do_GET(self) -> None:  # the name http.server calls
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.ehr.seen.append(("GET", url.path))
        if url.path in self.ehr.canned:
            status, body, canned = self.ehr.canned[url.path]
            headers = dict(canned)
            kind = headers.pop("Content-Type", "application/json")
            return self._send(status, body, kind, **headers)
        if url.path == "/fhir/.well-known/smart-configuration":
            return self._json(200, self.ehr.config)
        if url.path == "/auth/jwks":
            return self._json(200, {"keys": [self.ehr.key.as_dict(private=False)]})
        if url.path == "/auth/authorize":
            return self._authorize(query)
        if url.path.startswith("/ehr/open/"):
            return self._redirect(self.ehr.new_launch(url.path.rsplit("/", 1)[1]))
        if url.path.startswith("/fhir/Patient/"):
            return self._patient(url.path.rsplit("/", 1)[1])
        return self._json(404, {"resourceType": "OperationOutcome"})

    def do_POST(self) -> None:  # the name http.server calls
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        self.ehr.seen.append(("POST", url.path))
        if url.path == "/auth/token":
            return self._token(form)
        if url.path == "/auth/decide":
            return self._decide(form)
        return self._json(404, {"error": "not_found"})

    def _authorize(self, q: dict[str, str]) -> None:
        ehr = self.ehr
        if q.get("client_id") != CLIENT_ID:
            return self._refuse("unknown client_id")
        if q.get("redirect_uri") != ehr.redirect_uri:
            return self._refuse("redirect_uri is not the one registered")
        if q.get("response_type") != "code":
            return self._refuse("response_type must be code")
        if q.get("aud") != ehr.fhir:
            return self._refuse("aud is not this EHR's FHIR base")
        if not q.get("state"):
            return self._refuse("state is required")
        if q.get("code_challenge_method") != "S256" or len(q.get("code_challenge", "")) != 43:
            return self._refuse("PKCE with S256 is required")
        if "launch" not in q.get("scope", "").split():
            return self._refuse("the launch scope is required")
        with ehr.lock:
            patient = ehr.launches.pop(q.get("launch", ""), None)
        if patient is None:
            return self._refuse("unknown or used launch")
        if ehr.auto_approve:
            return self._approve(q, patient)
        ticket = secrets.token_urlsafe(12)
        ehr.pending[ticket] = Pending(q, patient)
        self._page(200, "Mock EHR: allow BackPath?", (
            f"<p>BackPath asks to read this patient's record ({html.escape(q['scope'])}).</p>"
            f"<form method='post' action='/auth/decide'><input type='hidden' name='ticket' "
            f"value='{ticket}'><button name='decision' value='allow'>Allow</button> "
            "<button name='decision' value='deny'>Deny</button></form>"
        ))  # fmt: skip

    def _approve(self, q: dict[str, str], patient: str) -> None:
        code = secrets.token_urlsafe(16)
        with self.ehr.lock:
            self.ehr.codes[code] = Grant(patient, q["redirect_uri"], q["code_challenge"],
                                         q["scope"])  # fmt: skip
        self._redirect(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q['state']})}")

    def _decide(self, form: dict[str, str]) -> None:
        waiting = self.ehr.pending.pop(form.get("ticket", ""), None)
        if waiting is None:
            return self._refuse("unknown ticket")
        if form.get("decision") != "allow":
            denied = {"error": "access_denied", "error_description": "The user said no",
                      "state": waiting.query["state"]}  # fmt: skip
            return self._redirect(f"{waiting.query['redirect_uri']}?{urlencode(denied)}")
        self._approve(waiting.query, waiting.patient)

    def _client_ok(self) -> bool:
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Basic "):
            return False
        try:
            pair = base64.b64decode(auth[6:]).decode()
        except ValueError:
            return False
        client, _, secret = pair.partition(":")
        return secrets.compare_digest(client, CLIENT_ID) and secrets.compare_digest(
            secret, CLIENT_SECRET
        )

    def _token(self, form: dict[str, str]) -> None:
        ehr = self.ehr
        ehr.token_requests.append(dict(form))
        if not self._client_ok():
            return self._json(401, {"error": "invalid_client"})
        if form.get("grant_type") != "authorization_code":
            return self._json(400, {"error": "unsupported_grant_type"})
        with ehr.lock:
            grant = ehr.codes.pop(form.get("code", ""), None)
        if grant is None or time.time() - grant.issued > 60:
            return self._json(400, {"error": "invalid_grant", "error_description": "bad code"})
        if form.get("redirect_uri") != grant.redirect_uri:
            return self._json(400, {"error": "invalid_grant", "error_description": "redirect"})
        if s256(form.get("code_verifier", "")) != grant.challenge:
            return self._json(400, {"error": "invalid_grant", "error_description": "PKCE"})
        access = secrets.token_urlsafe(24)
        ehr.tokens[access] = grant.patient
        answer = {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                  "scope": grant.scope, "patient": grant.patient,
                  "id_token": ehr.id_token(), **ehr.token_extra}  # fmt: skip
        self._json(200, {k: v for k, v in answer.items() if v is not None})

    def _patient(self, pid: str) -> None:
        ehr = self.ehr
        auth = self.headers.get("Authorization", "")
        allowed = ehr.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if allowed is None:
            return self._json(401, {"resourceType": "OperationOutcome"})
        if allowed != pid:
            return self._json(403, {"resourceType": "OperationOutcome"})
        if ehr.patient_status is not None:
            return self._json(ehr.patient_status, {"resourceType": "OperationOutcome"})
        if pid not in ehr.patients:
            return self._json(404, {"resourceType": "OperationOutcome"})
        self._json(200, ehr.patients[pid], "application/fhir+json")
