"""Every request BackPath sends to an EHR during a launch goes through here: only to HTTPS
addresses (plain HTTP only to this machine, for a test EHR), with the settings' timeout, no
redirects followed, and at most a few bytes read, so a slow, huge or redirecting answer cannot
tie up a server process or send BackPath somewhere it was not registered to go."""

from __future__ import annotations

import ipaddress
import json
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from backpath.web.launch.refusals import Refused

SMALL = 64 * 1024
"""Cap of a SMART configuration or a key set (both a few kilobytes)."""
LARGE = 1024 * 1024
"""Cap of a Patient resource."""


def timeout() -> tuple[float, float]:
    """(connect, read) seconds: ``BACKPATH_SMART_TIMEOUT`` for each."""
    seconds = float(getattr(settings, "BACKPATH_SMART_TIMEOUT", 5))
    return (seconds, seconds)


def secure_address(url: str) -> bool:
    """Whether BackPath may send launch data to ``url``: an absolute ``https`` URL without user
    info or fragment, or ``http`` to a loopback address (a test EHR on this machine)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.username or parts.password or parts.fragment:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def get_json(
    url: str, *, reason: str, max_bytes: int = SMALL, headers: dict[str, str] | None = None
) -> Any:
    """GET ``url`` and read its JSON body; anything else raises ``Refused(reason)`` saying what
    went wrong (never the request's credentials)."""
    if not secure_address(url):
        raise Refused(reason, f"{url} is not an https address")
    sent = {"Accept": "application/json", **(headers or {})}
    try:
        with requests.get(
            url, headers=sent, timeout=timeout(), allow_redirects=False, stream=True
        ) as response:
            if response.status_code != 200:
                raise Refused(reason, f"{url} answered HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_content(chunk_size=16384):
                body += chunk
                if len(body) > max_bytes:
                    raise Refused(reason, f"{url} answered more than {max_bytes} bytes")
    except requests.RequestException as exc:
        raise Refused(reason, f"{url} could not be reached ({type(exc).__name__})") from None
    try:
        return json.loads(body)
    except ValueError:
        raise Refused(reason, f"{url} did not answer JSON") from None
