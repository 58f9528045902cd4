"""An EHR played by the tests: its own keys (made by joserfc), the JWT it signs for each CDS
Hooks call, its JWK Set served over HTTP on loopback, and its registration at a clinic.

Fixtures (imported by the conftests of tests/web/cds and tests/web/ehrs): ``ehr`` (the EHR,
with ``settings.CDS_BASE_URL`` set to ``BASE``), ``jwks_server`` (its JWK Set on loopback, on
the allow-list) and ``forget_jwks`` (an empty key cache for each test); ``null_or_empty`` is
the check an EHR may make of every answer (CDS Hooks allows no null or empty value).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from backpath.web.accounts.models import Clinic
from backpath.web.ehrs import jwks_fetch
from backpath.web.ehrs.models import EhrRegistration
from backpath.web.ehrs.registration import register
from backpath.web.logins.lifecycle import Actor

BASE = "https://backpath.test"
SERVICE = "/cds-services/backpath-patient-view"
FEEDBACK = SERVICE + "/feedback"
ISS = "https://ehr.example/fhir"
DROP = object()
"""A claim value that leaves the claim out."""


@cache
def rsa_key(kid: str = "ehr-rsa-1") -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig"})


@cache
def ec_key(kid: str = "ehr-ec-1") -> ECKey:
    return ECKey.generate_key("P-384", parameters={"kid": kid, "use": "sig"})


def public(*keys: RSAKey | ECKey) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


@dataclass
class Ehr:
    iss: str = ISS
    keys: dict[str, RSAKey | ECKey] = field(
        default_factory=lambda: {"RS384": rsa_key(), "ES384": ec_key()}
    )

    def jwks(self) -> dict[str, Any]:
        return public(*self.keys.values())

    def claims(self, path: str = SERVICE, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        body = {"iss": self.iss, "aud": BASE + path, "iat": now, "exp": now + 120,
                "jti": str(uuid.uuid4())} | changes  # fmt: skip
        return {name: value for name, value in body.items() if value is not DROP}

    def jwt(self, path: str = SERVICE, *, alg: str = "RS384", key: Any = None,
            header: dict[str, Any] | None = None, **changes: Any) -> str:  # fmt: skip
        """A token signed as the EHR signs it, with ``changes`` to the claims (``DROP`` leaves
        one out) and to the header."""
        key = key or self.keys[alg]
        head = {"alg": alg, "kid": key.kid, "typ": "JWT"} | (header or {})
        return jwt.encode(head, self.claims(path, **changes), key, algorithms=[alg])

    def register(self, clinic: Clinic, **fields: Any) -> EhrRegistration:
        """Registered at ``clinic`` with its JWK Set stored (``jwks_url=...`` to fetch it)."""
        if "jwks_url" not in fields:
            fields.setdefault("jwks", self.jwks())
        fields.setdefault("name", "Test EHR")
        return register(Actor(path="test", method="TEST"), clinic, iss=self.iss, **fields)


def null_or_empty(value: Any, path: str = "$") -> list[str]:
    """Where ``value`` holds null or an empty string, list or object (``$.cards`` may be an
    empty list: no guidance)."""
    if value is None or (value in ("", [], {}) and path != "$.cards"):
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in null_or_empty(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in null_or_empty(item, f"{path}[{i}]")]
    return []


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


class JwksHandler(BaseHTTPRequestHandler):
    """Answers every GET with ``server.body``, or redirects the paths of ``server.redirects``."""

    server: JwksServer

    def do_GET(self) -> None:  # the name http.server calls
        self.server.requests.append(self.path)
        if self.path in self.server.redirects:
            self.send_response(302)
            self.send_header("Location", self.server.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.server.body
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


class JwksServer(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), JwksHandler)
        self.requests: list[str] = []
        self.body = b"{}"
        self.status = 200
        self.redirects: dict[str, str] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def url(self) -> str:
        return self.base + "/.well-known/jwks.json"

    def serve(self, document: Any) -> None:
        self.body = document if isinstance(document, bytes) else json.dumps(document).encode()


@pytest.fixture
def forget_jwks() -> Iterator[None]:
    jwks_fetch.forget()
    yield
    jwks_fetch.forget()


@pytest.fixture
def ehr(settings: Any, forget_jwks: None) -> Ehr:
    settings.CDS_BASE_URL = BASE
    return Ehr()


@pytest.fixture
def jwks_server(settings: Any, ehr: Ehr) -> Iterator[JwksServer]:
    """The EHR's JWK Set on loopback; the server's address is on the allow-list."""
    server = JwksServer()
    server.serve(ehr.jwks())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.JWKS_ALLOWED_URLS = [server.base + "/.well-known/"]
    yield server
    server.shutdown()
    server.server_close()
