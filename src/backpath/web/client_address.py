"""The address a request really came from, written once for sign-in lockouts (django-axes),
rate limits (django-ratelimit) and the audit trail.

Behind the TLS proxy that production requires, every connection comes from the proxy, so
``REMOTE_ADDR`` alone would lock the real clinician out with an attacker and make every visitor
share one rate limit. ``X-Forwarded-For`` is believed only when the connection comes from an
address in ``BACKPATH_TRUSTED_PROXIES`` (addresses or networks, space- or comma-separated):
then the client is the right-most address in the header that is not itself a trusted proxy.
A header from anyone else is ignored, so it cannot be used to pose as another address.
"""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import Any

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _trusted(spec: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part, strict=False) for part in spec.replace(",", " ").split()
    )


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: Any) -> str:
    """The client's address (``REMOTE_ADDR`` unless a trusted proxy forwarded the request)."""
    peer = str(request.META.get("REMOTE_ADDR") or "")
    networks = _trusted(" ".join(getattr(settings, "BACKPATH_TRUSTED_PROXIES", ())))
    peer_ip = _address(peer)
    if not networks or peer_ip is None or not any(peer_ip in n for n in networks):
        return peer
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
    for hop in reversed(forwarded):
        ip = _address(hop)
        if ip is None:
            break  # a malformed hop: trust nothing left of it
        if not any(ip in n for n in networks):
            return str(ip)
    return peer
