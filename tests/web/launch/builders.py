"""Shared by the launch tests (web and browser): a registered mock EHR and the walk through
a launch with Django's test client, the EHR's side answered by the mock over loopback."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django.test import Client

from backpath.web.accounts.models import Clinic
from backpath.web.launch import registration
from backpath.web.launch.models import SmartEhr
from tests.mock_ehr import CLIENT_ID, CLIENT_SECRET, MockEhr

MRN = "MRN-40711"
INSURANCE = "http://ehr.example/sid/insurance-number"


def register(clinic: Clinic, ehr: MockEhr, secret: str = CLIENT_SECRET) -> SmartEhr:
    return registration.register(
        clinic, name="Mock EHR", iss=ehr.fhir, client_id=CLIENT_ID, client_secret=secret
    )


def local(url: str) -> str:
    """A BackPath URL as the test client asks for it (path and query)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def at_ehr(url: str, **kwargs: Any) -> requests.Response:
    """What the browser does at the EHR (no redirects followed: BackPath's come back to us)."""
    return requests.get(url, allow_redirects=False, timeout=5, **kwargs)


def to_ehr(client: Client, ehr: MockEhr, pid: str) -> Any:
    """The EHR opens BackPath for ``pid``: BackPath's answer to the launch URL."""
    return client.get(local(ehr.new_launch(pid)))


def launch(client: Client, ehr: MockEhr, pid: str) -> Any:
    """A whole launch of ``pid`` by a signed-in clinician: BackPath's answer to the callback."""
    started = to_ehr(client, ehr, pid)
    assert started.status_code == 302, started.content.decode()[:500]
    return back_from_ehr(client, started["Location"])


def back_from_ehr(client: Client, authorize_url: str) -> Any:
    """The EHR's sign-in approves, and the browser brings its answer back to BackPath."""
    answer = at_ehr(authorize_url)
    assert answer.status_code == 302, answer.text
    return client.get(local(answer.headers["Location"]))


def ehr_answer(client: Client, ehr: MockEhr, pid: str = "pat-1") -> str:
    """The callback address the EHR sends the browser back to, not yet visited."""
    started = to_ehr(client, ehr, pid)
    return local(at_ehr(started["Location"]).headers["Location"])
